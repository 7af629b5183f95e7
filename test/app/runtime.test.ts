/**
 * The real process's runtime (src/app/runtime.ts): holdHeapDown, which bulk create calls once per
 * batch, stops V8's young generation at 16 MiB where it would grow to 32. Run in a process of its
 * own (the built bundle), since it changes V8's flags for the whole process.
 */
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { expect, test } from 'vitest';

const BUNDLE = resolve(import.meta.dirname, '..', '..', 'dist', 'orgs.js');

/** Objects that survive as a batch's do, allocated in rounds; the young generation's size after, in MiB. */
const SCRIPT = `
const v8 = require('node:v8');
const runtime = require(process.argv[1]).processRuntime();
let kept = [];
for (let round = 0; round < 150; round++) {
  for (let i = 0; i < 20000; i++) kept.push({ i, s: 'x' + i });
  if (kept.length > 200000) kept = [];
  if (process.argv[2] === 'hold') runtime.holdHeapDown();
}
const young = v8.getHeapSpaceStatistics().find((space) => space.space_name === 'new_space');
process.stdout.write(String(young.space_size / 1048576));
`;

const youngGeneration = (hold: boolean) =>
  Number(execFileSync(process.execPath, ['-e', SCRIPT, BUNDLE, ...(hold ? ['hold'] : [])], { encoding: 'utf8' }));

test('holdHeapDown stops the young generation at 16 MiB, where V8 alone grows it past', () => {
  expect(youngGeneration(false)).toBeGreaterThan(16);
  expect(youngGeneration(true)).toBeLessThanOrEqual(16);
});
