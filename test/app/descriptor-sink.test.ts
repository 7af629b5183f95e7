/**
 * stdout written to its file descriptor (src/app/descriptor-sink.ts), here on a FIFO: every byte
 * arrives, in the order written; a reader that went away is the write's error; a pipe left
 * non-blocking hands what it cannot take, and everything after, to process.stdout's stand-in.
 */
import { execFileSync } from 'node:child_process';
import { closeSync, constants, mkdtempSync, openSync, readSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { DescriptorSink } from '../../src/app/descriptor-sink.js';

let dir: string;
let reader: number;
let fifo: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'orgs-sink-'));
  fifo = join(dir, 'fifo');
  execFileSync('mkfifo', [fifo]);
  // Non-blocking, so that opening it waits for no writer and reading it never waits.
  reader = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** What the pipe holds now. */
function drain(fd: number): string {
  const chunks: Buffer[] = [];
  const buffer = Buffer.alloc(64 * 1024);
  for (;;) {
    try {
      const n = readSync(fd, buffer);
      if (n === 0) break;
      chunks.push(Buffer.from(buffer.subarray(0, n)));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EAGAIN') break;
      throw error;
    }
  }
  return Buffer.concat(chunks).toString();
}

function writeTo(sink: DescriptorSink, text: string): Promise<Error | null | undefined> {
  return new Promise((resolve) => sink.write(text, resolve));
}

/** A stand-in for process.stdout that keeps what it is given. */
function capture(): { fallback: Writable; text: () => string } {
  let text = '';
  const fallback = new Writable({
    write(chunk: Buffer, _encoding, done) {
      text += chunk.toString();
      done();
    },
  });
  return { fallback, text: () => text };
}

test('writes arrive whole and in order, each before its callback', async () => {
  const writer = openSync(fifo, constants.O_WRONLY);
  const sink = new DescriptorSink(writer, () => expect.fail('a blocking pipe with room needs no fallback'));
  const lines = Array.from({ length: 200 }, (_, i) => `${i} ${'é'.repeat(i % 7)}\n`);
  const errors = await Promise.all(lines.map((line) => writeTo(sink, line)));
  expect(errors.every((error) => !error)).toBe(true);
  expect(drain(reader)).toBe(lines.join(''));
  closeSync(writer);
  closeSync(reader);
});

test('a reader that went away is the error of the write that meets it', async () => {
  const writer = openSync(fifo, constants.O_WRONLY);
  closeSync(reader);
  const sink = new DescriptorSink(writer, () => expect.fail('EPIPE is not a full pipe'));
  expect(await writeTo(sink, 'lost\n')).toMatchObject({ code: 'EPIPE' });
  closeSync(writer);
});

test('a pipe left non-blocking that fills up hands the rest, and every later write, to the fallback', async () => {
  const writer = openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK);
  const { fallback, text } = capture();
  const sink = new DescriptorSink(writer, () => fallback);
  // Well past a pipe's buffer (64 KiB on Linux).
  const large = Array.from({ length: 5000 }, (_, i) => `line ${i} ${'x'.repeat(40)}\n`).join('');
  expect(await writeTo(sink, large)).toBeFalsy();
  expect(await writeTo(sink, 'after\n')).toBeFalsy();
  const inPipe = drain(reader);
  expect(inPipe.length).toBeGreaterThan(0);
  expect(text().length).toBeGreaterThan(0);
  expect(inPipe + text()).toBe(`${large}after\n`);
  closeSync(writer);
  closeSync(reader);
});
