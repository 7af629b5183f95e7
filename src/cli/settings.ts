/**
 * Where the store is, who is calling, and the configuration file behind both. Reading the
 * configuration is a plain JSON read: the `conf` package costs more than Node's whole start-up,
 * so it is loaded only by the commands that write the file (config set/unset, login, logout).
 */
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseDuration } from '../core/duration.js';
import { invalidArgument, OrgsError } from '../core/errors.js';
import { DEFAULT_RESTORE_WINDOW_MS } from '../core/records.js';
import type { Identity } from '../core/session.js';
import { OUTPUT_FORMATS, type OutputFormat } from './output.js';

type Env = NodeJS.ProcessEnv;

/** The keys `orgs config set` accepts, each with its check. */
export const SETTABLE_KEYS: Record<string, (value: string) => void> = {
  db: (value) => {
    if (value === '') throw invalidArgument('config', 'invalid_db', 'db must be a file path');
  },
  'output-format': (value) => {
    if (!(OUTPUT_FORMATS as readonly string[]).includes(value)) {
      throw invalidArgument(
        'config',
        'invalid_output_format',
        `output-format must be one of ${OUTPUT_FORMATS.join(', ')}`,
      );
    }
  },
  'restore-window': (value) => void parseDuration(value),
};

/** Keys that `orgs login` writes. */
export const LOGIN_KEYS = ['user-id', 'api-key'] as const;

export type ConfigValues = Record<string, string | undefined>;

/** conf's default folder for project `orgs` (env-paths), unless ORGS_CONFIG_DIR names another. */
export function configDir(env: Env): string {
  if (env.ORGS_CONFIG_DIR) return resolve(env.ORGS_CONFIG_DIR);
  return join(env.XDG_CONFIG_HOME || join(homedir(), '.config'), 'orgs-nodejs');
}

export function configPath(env: Env): string {
  return join(configDir(env), 'config.json');
}

export function readConfig(env: Env): ConfigValues {
  let text: string;
  try {
    text = readFileSync(configPath(env), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw invalidArgument('config', 'unreadable_config', `cannot read ${configPath(env)}: ${(error as Error).message}`);
  }
  try {
    const values = JSON.parse(text) as unknown;
    if (typeof values !== 'object' || values === null || Array.isArray(values)) throw new Error('not an object');
    return values as ConfigValues;
  } catch (error) {
    throw invalidArgument(
      'config',
      'invalid_config',
      `${configPath(env)} is not a JSON object (${(error as Error).message}); fix or remove it`,
    );
  }
}

/** The `conf` store, for the commands that change the configuration. */
export async function openConf(env: Env) {
  const { default: Conf } = await import('conf');
  return new Conf<ConfigValues>({ projectName: 'orgs', cwd: configDir(env), configFileMode: 0o600 });
}

export function defaultDbPath(env: Env): string {
  return join(env.XDG_DATA_HOME || join(homedir(), '.local', 'share'), 'orgs', 'orgs.db');
}

/** A configured value, checked: a bad hand edit is reported, never silently ignored. */
function configured(config: ConfigValues, key: string): string | undefined {
  const value = config[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'string')
    throw invalidArgument('config', 'invalid_config', `config key ${key} must be a string`);
  try {
    SETTABLE_KEYS[key]?.(value);
  } catch (error) {
    throw error instanceof OrgsError ? error.within(`config key ${key} (fix it with orgs config set or unset)`) : error;
  }
  return value;
}

/** --output-format, else config key output-format, else JSON. */
export function outputFormatOf(flags: { outputFormat?: string }, config: ConfigValues): OutputFormat {
  if (flags.outputFormat !== undefined) SETTABLE_KEYS['output-format']!(flags.outputFormat);
  return (flags.outputFormat ?? configured(config, 'output-format') ?? 'json') as OutputFormat;
}

/** The store: --db, else ORGS_DB, else config key db, else the default. */
export function dbPathOf(flags: { db?: string }, env: Env, config: ConfigValues): string {
  return resolve(flags.db ?? (env.ORGS_DB || undefined) ?? configured(config, 'db') ?? defaultDbPath(env));
}

export interface Settings {
  dbPath: string;
  identity: Identity;
  restoreWindowMs: number;
  outputFormat: OutputFormat;
}

export function resolveSettings(
  flags: { db?: string; outputFormat?: string },
  env: Env,
  config: ConfigValues = readConfig(env),
): Settings {
  const restoreWindow = configured(config, 'restore-window');
  return {
    dbPath: dbPathOf(flags, env, config),
    identity: identityOf(env, config),
    restoreWindowMs: restoreWindow === undefined ? DEFAULT_RESTORE_WINDOW_MS : parseDuration(restoreWindow),
    outputFormat: outputFormatOf(flags, config),
  };
}

/** The caller: ORGS_API_KEY, ORGS_USER_ID, the login, else the local administrator. */
function identityOf(env: Env, config: ConfigValues): Identity {
  if (env.ORGS_API_KEY) return { kind: 'api-key', token: env.ORGS_API_KEY };
  if (env.ORGS_USER_ID) return { kind: 'user', userId: env.ORGS_USER_ID };
  const apiKey = config['api-key'];
  if (typeof apiKey === 'string') return { kind: 'api-key', token: apiKey };
  const userId = config['user-id'];
  if (typeof userId === 'string') return { kind: 'user', userId };
  return { kind: 'admin' };
}
