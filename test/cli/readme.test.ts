/**
 * The README's quick start, run as typed: its shell blocks, in order, in a folder that looks like
 * a clone (bin/ linked to this one's), with only `npm install` left out. A quick start that drifts
 * from the CLI fails here.
 */
import { mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { execa } from 'execa';
import { afterEach, expect, test } from 'vitest';
import { onPostgres } from '../helpers.js';

const ROOT = resolve(import.meta.dirname, '..', '..');

/** The lines of the shell blocks between `## Quick start` and the next heading. */
function quickStart(): string[] {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const section = readme.split(/^## Quick start$/m)[1]!.split(/^## /m)[0]!;
  const blocks = [...section.matchAll(/^```sh\n([\s\S]*?)^```$/gm)].map((match) => match[1]!);
  return blocks.join('').split('\n');
}

let clone: string | undefined;
afterEach(() => {
  if (clone) rmSync(clone, { recursive: true, force: true });
});

test.skipIf(onPostgres)('the quick start runs as typed and ends with the seed sentence explained', async () => {
  const lines = quickStart();
  expect(lines[0]).toMatch(/^npm install\b/);
  clone = mkdtempSync(join(tmpdir(), 'orgs-readme-'));
  symlinkSync(join(ROOT, 'bin'), join(clone, 'bin'));
  const script = ['shopt -s expand_aliases', 'set -e', ...lines.slice(1)].join('\n');
  const result = await execa('bash', ['-c', script], {
    cwd: clone,
    env: { HOME: clone, ORGS_CONFIG_DIR: join(clone, 'config'), NO_COLOR: '1', ORGS_DB: undefined },
    extendEnv: true,
    reject: false,
  });
  expect(result.stderr).not.toMatch(/^error:/m);
  expect(result.exitCode).toBe(0);
  // The last command: user2 holds only the intersection, through team1.
  expect(result.stdout).toMatch(/rights: RIGHT_APPLICATION_INFO\n└─ organization team1: RIGHT_APPLICATION_INFO\n/);
  expect(result.stdout).toContain('"key": "NNSXS.');
});
