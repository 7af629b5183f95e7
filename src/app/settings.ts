/**
 * Where the store is, who is calling, and the configuration file behind both: read as plain JSON,
 * written whole (a new file renamed over the old one) through src/store/files.ts.
 */
import { closeSync, fsyncSync, openSync, readFileSync, writeSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parseDuration } from '../core/duration.js';
import { invalidArgument, OrgsError } from '../core/errors.js';
import { DEFAULT_RESTORE_WINDOW_MS } from '../core/records.js';
import type { Identity } from '../core/session.js';
import { fileError } from '../store/errors.js';
import { isPostgresUrl, readPostgresUrl } from '../store/location.js';
import type { Runtime } from './runtime.js';

/** What settings depend on: the environment, and the folder relative paths start from. */
export type Place = Pick<Runtime, 'env' | 'cwd'>;

export const OUTPUT_FORMATS = ['json', 'table'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

/** The keys `orgs config set` accepts, each with its check; each returns the value to store. */
export const SETTABLE_KEYS: Record<string, (value: string, cwd: string) => string> = {
  // A path is stored absolute: a relative one would name another store after every `cd`.
  db: (value, cwd) => {
    if (value === '') throw invalidArgument('config', 'invalid_db', 'db must be a file path or a postgres:// URL');
    return storeLocation(value, cwd);
  },
  'connect-timeout': (value) => {
    if (parseDuration(value) <= 0) {
      throw invalidArgument('config', 'invalid_connect_timeout', 'connect-timeout must be longer than 0s');
    }
    return value;
  },
  'output-format': (value) => {
    if (!(OUTPUT_FORMATS as readonly string[]).includes(value)) {
      throw invalidArgument(
        'config',
        'invalid_output_format',
        `output-format must be one of ${OUTPUT_FORMATS.join(', ')}`,
      );
    }
    return value;
  },
  'restore-window': (value) => {
    parseDuration(value);
    return value;
  },
};

/** Keys that `orgs login` writes. */
export const LOGIN_KEYS = ['user-id', 'api-key'] as const;

/** The configuration file as read: any JSON value per key, checked when used (configured). */
export type ConfigValues = Record<string, unknown>;

/** ORGS_CONFIG_DIR, else the folder earlier versions (through the `conf` package) used. */
export function configDir({ env, cwd }: Place): string {
  if (env.ORGS_CONFIG_DIR) return resolve(cwd, env.ORGS_CONFIG_DIR);
  return join(env.XDG_CONFIG_HOME || join(home(env), '.config'), 'orgs-nodejs');
}

const home = (env: Place['env']) => env.HOME || homedir();

export function configPath(place: Place): string {
  return join(configDir(place), 'config.json');
}

export function readConfig(place: Place): ConfigValues {
  let text: string;
  try {
    text = readFileSync(configPath(place), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw fileError(error, configPath(place), 'config', 'read') ?? error;
  }
  try {
    const values = JSON.parse(text) as unknown;
    if (typeof values !== 'object' || values === null || Array.isArray(values)) throw new Error('not an object');
    return values as ConfigValues;
  } catch (error) {
    throw invalidArgument(
      'config',
      'invalid_config',
      `${configPath(place)} is not a JSON object (${(error as Error).message}); fix or remove it`,
    );
  }
}

/**
 * Changes the configuration file (mode 0600), whole or not at all. A file that is not valid JSON
 * is refused as every command refuses it, never overwritten: fixing it is the user's call.
 */
export async function updateConfig(place: Place, change: (values: ConfigValues) => void): Promise<void> {
  const values = readConfig(place);
  const before = JSON.stringify(values);
  change(values);
  if (JSON.stringify(values) === before) return;
  const { asFileError, makeFolders, replaceFile, replacementOf } = await import('../store/files.js');
  const path = configPath(place);
  try {
    makeFolders(dirname(path));
  } catch (error) {
    throw asFileError(error, path, 'config');
  }
  await replaceFile(path, 'config', replacementOf(path, 'config'), (partial) => {
    const fd = openSync(partial, 'w');
    try {
      writeSync(fd, `${JSON.stringify(values, null, '\t')}\n`);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  });
}

export function defaultDbPath(env: Place['env']): string {
  return join(env.XDG_DATA_HOME || join(home(env), '.local', 'share'), 'orgs', 'orgs.db');
}

/**
 * A configured value, checked: the one place a value from the file is trusted. A bad hand edit
 * (of any key, a login included) is an error naming the key, never ignored or taken as absent.
 */
export function configured(config: ConfigValues, key: string): string | undefined {
  const value = config[key];
  if (value === undefined) return undefined;
  const fix = (LOGIN_KEYS as readonly string[]).includes(key)
    ? 'fix it with orgs login or logout'
    : 'fix it with orgs config set or unset';
  if (typeof value !== 'string') {
    throw invalidArgument('config', 'invalid_config', `config key ${key} must be a string (${fix})`);
  }
  try {
    // Stored paths are absolute, so no folder is needed to check them.
    SETTABLE_KEYS[key]?.(value, '/');
  } catch (error) {
    throw error instanceof OrgsError ? error.within(`config key ${key} (${fix})`) : error;
  }
  return value;
}

/** --output-format, else config key output-format, else JSON. */
export function outputFormatOf(flags: { outputFormat?: string }, config: ConfigValues): OutputFormat {
  if (flags.outputFormat !== undefined) SETTABLE_KEYS['output-format']!(flags.outputFormat, '/');
  return (flags.outputFormat ?? configured(config, 'output-format') ?? 'json') as OutputFormat;
}

/** A PostgreSQL URL as it is, once it reads as one; a file path made absolute. */
function storeLocation(value: string, cwd: string): string {
  if (!isPostgresUrl(value)) return resolve(cwd, value);
  readPostgresUrl(value);
  return value;
}

/** The store (a file path or a PostgreSQL URL): --db, else ORGS_DB, else config key db, else the default. */
export function storeLocationOf(flags: { db?: string }, { env, cwd }: Place, config: ConfigValues): string {
  return storeLocation(flags.db ?? (env.ORGS_DB || undefined) ?? configured(config, 'db') ?? defaultDbPath(env), cwd);
}

export const DEFAULT_CONNECT_TIMEOUT = '10s';

/** How long a PostgreSQL store may take to answer a connection: config key connect-timeout. */
export function connectTimeoutMsOf(config: ConfigValues): number {
  return parseDuration(configured(config, 'connect-timeout') ?? DEFAULT_CONNECT_TIMEOUT);
}

export interface Settings {
  identity: Identity;
  restoreWindowMs: number;
  outputFormat: OutputFormat;
}

export function resolveSettings(
  flags: { db?: string; outputFormat?: string },
  place: Place,
  config: ConfigValues = readConfig(place),
): Settings {
  const restoreWindow = configured(config, 'restore-window');
  return {
    identity: identityOf(place.env, config),
    restoreWindowMs: restoreWindow === undefined ? DEFAULT_RESTORE_WINDOW_MS : parseDuration(restoreWindow),
    outputFormat: outputFormatOf(flags, config),
  };
}

/** The caller: ORGS_API_KEY, ORGS_USER_ID, the login, else the local administrator. */
function identityOf(env: Place['env'], config: ConfigValues): Identity {
  // Both checked even when the environment wins: a bad login is named, never passed over.
  const apiKey = configured(config, 'api-key');
  const userId = configured(config, 'user-id');
  const envApiKey = credentialOf(env, 'ORGS_API_KEY');
  if (envApiKey !== undefined) return { kind: 'api-key', token: envApiKey };
  const envUserId = credentialOf(env, 'ORGS_USER_ID');
  if (envUserId !== undefined) return { kind: 'user', userId: envUserId };
  if (apiKey !== undefined) return { kind: 'api-key', token: apiKey };
  if (userId !== undefined) return { kind: 'user', userId };
  return { kind: 'admin' };
}

/**
 * A credential from the environment. Set but empty is an error, not "none": `ORGS_API_KEY="$(cat
 * missing-file)"` must not fall through to the local administrator.
 */
function credentialOf(env: Place['env'], variable: 'ORGS_API_KEY' | 'ORGS_USER_ID'): string | undefined {
  const value = env[variable];
  if (value === '') {
    throw invalidArgument(
      'settings',
      `empty_${variable.toLowerCase()}`,
      `${variable} is set but empty; unset it (unset ${variable}) or give a value`,
    );
  }
  return value;
}
