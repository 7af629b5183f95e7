/**
 * Everything orgs takes from the world outside it, as one value: a command runs against a
 * Runtime, never against `process` itself. bin/orgs.js passes the real process; tests pass their
 * own streams, environment and clock, and run the CLI in-process.
 */
import type { Readable } from 'node:stream';
import { processStdout } from './descriptor-sink.js';

/** What orgs writes to: process.stdout or stderr, a DescriptorSink (stdout), or a test's capture. */
export interface Sink {
  readonly isTTY?: boolean;
  write(data: string | Uint8Array, callback: (error?: Error | null) => void): unknown;
  /** A stream's 'error' event (EPIPE, EIO): without a listener it would throw. */
  on(event: 'error', listener: (error: Error) => void): unknown;
}

/** stdin: a readable stream, a terminal or not; `fd` when it is a real file descriptor. */
export type Source = Readable & { isTTY?: boolean; fd?: number };

export type Interruption = 'SIGINT' | 'SIGTERM';

export interface Runtime {
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The folder relative paths are taken from. */
  readonly cwd: string;
  readonly stdin: Source;
  readonly stdout: Sink;
  /** A stream: a prompt's readline writes to it too. */
  readonly stderr: Sink & NodeJS.WritableStream;
  /** Milliseconds since the epoch, as Date.now. */
  readonly clock: () => number;
  /** Calls `handler` once on the first of these signals; returns a function that stops listening. */
  onInterrupt(handler: () => void, signals?: readonly Interruption[]): () => void;
}

/** The real process. */
export function processRuntime(): Runtime {
  return {
    env: process.env,
    cwd: process.cwd(),
    get stdin() {
      // process.stdin costs start-up time: it is made only when a command reads it.
      return process.stdin;
    },
    get stdout() {
      return processStdout();
    },
    get stderr() {
      return process.stderr;
    },
    clock: Date.now,
    onInterrupt(handler, signals = ['SIGINT']) {
      const once = () => {
        stop();
        handler();
      };
      const stop = () => signals.forEach((signal) => process.off(signal, once));
      signals.forEach((signal) => process.once(signal, once));
      return stop;
    },
  };
}
