/** Bulk progress: a live line on a terminal's stderr, cleared at the end; nothing elsewhere. */
import { expect, test } from 'vitest';
import { Progress } from '../../src/cli/progress.js';
import { ErrorStream } from '../../src/app/streams.js';

function fakeStream(isTTY: boolean) {
  const written: string[] = [];
  const target = { isTTY, write: (text: string) => written.push(text), on: () => target };
  return { stream: new ErrorStream(() => target as unknown as NodeJS.WriteStream), written };
}

test('on a terminal: count and rate, redrawn at most ten times a second, then cleared', () => {
  let now = 0;
  const { stream, written } = fakeStream(true);
  const progress = new Progress('organizations created', stream, () => now);
  now = 200;
  progress.add(1000);
  now = 250;
  progress.add(1000); // too soon to redraw
  now = 1000;
  progress.add(2000);
  progress.end();
  expect(written).toEqual([
    '\r\u001b[K1,000 organizations created (5,000/s)',
    '\r\u001b[K4,000 organizations created (4,000/s)',
    '\r\u001b[K',
  ]);
});

test('not a terminal: nothing at all', () => {
  const { stream, written } = fakeStream(false);
  const progress = new Progress('organizations created', stream, () => 0);
  progress.add(5000);
  progress.end();
  expect(written).toEqual([]);
});
