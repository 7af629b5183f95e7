/**
 * The case folding of src/core/fold.ts as an SQL function: the trigram index holds folded text and
 * short searches scan folded columns, so that the index and a scan answer alike at every length.
 */
import type Database from 'better-sqlite3';
import { fold } from '../core/fold.js';

export { fold };

export const FOLD_FUNCTION = 'orgs_fold';

/** Every connection registers it: the search index's triggers call it on every write. */
export function registerFold(db: Database.Database): void {
  db.function(FOLD_FUNCTION, { deterministic: true }, (text: unknown) =>
    typeof text === 'string' ? fold(text) : text,
  );
}
