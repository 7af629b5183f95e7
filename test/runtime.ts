/**
 * A Runtime for running orgs in-process: captured stdout and stderr, the environment and folder
 * given, stdin from a string (or nothing), and a clock the test controls.
 */
import { Readable, Writable } from 'node:stream';
import type { Interruption, Runtime } from '../src/app/runtime.js';

export interface Captured {
  runtime: Runtime;
  stdout(): string;
  stderr(): string;
  /** Delivers a signal to what listens for it (Ctrl-C: 'SIGINT'). */
  interrupt(signal?: Interruption): void;
}

export interface RuntimeOptions {
  env?: Record<string, string | undefined>;
  cwd?: string;
  /** stdin's content; without it stdin is an empty stream. */
  input?: string | Uint8Array;
  /** As if stdin (and stdout, stderr) were a terminal. */
  tty?: boolean;
  clock?: () => number;
}

/** A sink that keeps what is written. */
function capture(tty: boolean): { sink: Writable & { isTTY?: boolean }; text: () => string } {
  const chunks: Buffer[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk);
      done();
    },
  }) as Writable & { isTTY?: boolean };
  if (tty) sink.isTTY = true;
  return { sink, text: () => Buffer.concat(chunks).toString('utf8') };
}

export function testRuntime(options: RuntimeOptions = {}): Captured {
  const out = capture(options.tty === true);
  const err = capture(options.tty === true);
  const stdin = Readable.from(options.input === undefined ? [] : [Buffer.from(options.input)]) as Readable & {
    isTTY?: boolean;
  };
  if (options.tty) stdin.isTTY = true;
  const listeners = new Set<{ signals: readonly Interruption[]; handler: () => void }>();
  const runtime: Runtime = {
    env: options.env ?? {},
    cwd: options.cwd ?? process.cwd(),
    stdin,
    stdout: out.sink,
    stderr: err.sink,
    clock: options.clock ?? Date.now,
    onInterrupt(handler, signals = ['SIGINT']) {
      const listener = { signals, handler };
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    // The test runner's heap is not the command's: left to V8.
    holdHeapDown() {},
  };
  return {
    runtime,
    stdout: out.text,
    stderr: err.text,
    interrupt(signal = 'SIGINT') {
      for (const listener of [...listeners]) {
        if (!listener.signals.includes(signal)) continue;
        listeners.delete(listener);
        listener.handler();
      }
    },
  };
}
