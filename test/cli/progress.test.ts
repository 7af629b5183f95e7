/** Bulk progress: a live line on a terminal's stderr, cleared at the end; nothing elsewhere. */
import { expect, test, vi } from 'vitest';
import { Progress } from '../../src/cli/progress.js';
import { ErrorStream } from '../../src/cli/streams.js';

function fakeStream(isTTY: boolean) {
  const written: string[] = [];
  const target = { isTTY, write: (text: string) => written.push(text), on: () => target };
  return { stream: new ErrorStream(() => target as unknown as NodeJS.WriteStream), written };
}

test('on a terminal: count and rate, redrawn at most ten times a second, then cleared', () => {
  vi.useFakeTimers({ now: 0 });
  try {
    const { stream, written } = fakeStream(true);
    const progress = new Progress('organizations created', stream);
    vi.setSystemTime(200);
    progress.add(1000);
    vi.setSystemTime(250);
    progress.add(1000); // too soon to redraw
    vi.setSystemTime(1000);
    progress.add(2000);
    progress.end();
    expect(written).toEqual([
      '\r\u001b[K1,000 organizations created (5,000/s)',
      '\r\u001b[K4,000 organizations created (4,000/s)',
      '\r\u001b[K',
    ]);
  } finally {
    vi.useRealTimers();
  }
});

test('not a terminal: nothing at all', () => {
  const { stream, written } = fakeStream(false);
  const progress = new Progress('organizations created', stream);
  progress.add(5000);
  progress.end();
  expect(written).toEqual([]);
});
