/** Recognising our own files and bringing them up to the current schema. */
import type Database from 'better-sqlite3';
import { failedPrecondition } from '../core/errors.js';
import { APPLICATION_ID, MIGRATIONS, SCHEMA_VERSION } from './migrations.js';

/** Refuses, without writing anything, a database that belongs to another program or a newer orgs. */
export function checkOwnership(db: Database.Database, path: string): void {
  const applicationId = db.pragma('application_id', { simple: true }) as number;
  const version = db.pragma('user_version', { simple: true }) as number;
  const tables = db.prepare(`SELECT count(*) FROM sqlite_schema`).pluck().get() as number;
  if (applicationId !== APPLICATION_ID && (applicationId !== 0 || tables > 0)) {
    throw failedPrecondition(
      'store',
      'foreign_database',
      `${path} is an SQLite database of another program; give orgs its own file with --db or ORGS_DB`,
    );
  }
  if (version > SCHEMA_VERSION) {
    throw failedPrecondition(
      'store',
      'newer_schema',
      `${path} was made by a newer version of orgs (schema ${version}, this one knows ${SCHEMA_VERSION}); upgrade orgs`,
    );
  }
}

/**
 * Applies the missing migrations in one transaction; another process may have done it first.
 * Foreign keys are off meanwhile, so rebuilding a table does not cascade deletes; the caller
 * switches them on afterwards.
 */
export function migrate(db: Database.Database, path: string): void {
  if ((db.pragma('user_version', { simple: true }) as number) === SCHEMA_VERSION) return;
  // better-sqlite3 turns foreign keys on by default; the pragma is ignored inside a transaction.
  db.pragma('foreign_keys = OFF');
  db.exec('BEGIN IMMEDIATE');
  try {
    checkOwnership(db, path);
    const version = db.pragma('user_version', { simple: true }) as number;
    for (const { sqlite } of MIGRATIONS.slice(version)) db.exec(sqlite);
    const broken = db.pragma('foreign_key_check') as unknown[];
    if (broken.length > 0) throw new Error(`migration left ${broken.length} broken references`);
    db.pragma(`application_id = ${APPLICATION_ID}`);
    db.pragma(`user_version = ${SCHEMA_VERSION}`);
    db.exec('COMMIT');
  } catch (error) {
    if (db.inTransaction) db.exec('ROLLBACK');
    throw error;
  }
}
