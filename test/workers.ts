/**
 * A pool of real orgs processes (test/worker.ts), each running the commands it is given one at a
 * time: commands sent at once run in different processes, with connections of their own, as
 * commands of several users' shells would; but each process starts once, not once per command.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { buildSync } from 'esbuild';
import { resultOf, type Result } from './helpers.js';

const BUNDLE = resolve(import.meta.dirname, '..', 'dist', 'orgs.js');

let program: string | undefined;
/** test/worker.ts as one script, built once per test file. */
function workerProgram(): string {
  if (program === undefined) {
    program = join(mkdtempSync(join(tmpdir(), 'orgs-worker-')), 'worker.mjs');
    buildSync({
      entryPoints: [resolve(import.meta.dirname, 'worker.ts')],
      outfile: program,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      logLevel: 'warning',
    });
  }
  return program;
}

interface Worker {
  child: ChildProcessWithoutNullStreams;
  pending: Map<number, (result: Result) => void>;
}

export interface Workers {
  /** Runs `orgs …args` in an idle process of the pool (waiting for one if all are busy). */
  run(args: string[], options?: { env?: Record<string, string | undefined>; input?: string }): Promise<Result>;
  /** Ends every process of the pool. */
  close(): Promise<void>;
}

/** `size` orgs processes with `env` added to the test process's environment. */
export function startWorkers(size: number, env: Record<string, string | undefined>): Workers {
  let nextId = 0;
  const idle: Worker[] = [];
  const waiting: Array<(worker: Worker) => void> = [];
  const workers = Array.from({ length: size }, () => {
    const child = spawn('node', [workerProgram(), BUNDLE], {
      env: { ...process.env, ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    }) as ChildProcessWithoutNullStreams;
    const worker: Worker = { child, pending: new Map() };
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    createInterface({ input: child.stdout }).on('line', (line) => {
      const { id, ...result } = JSON.parse(line) as { id: number; exitCode: number; stdout: string; stderr: string };
      worker.pending.get(id)?.(resultOf(result));
      worker.pending.delete(id);
    });
    child.on('exit', (code) => {
      for (const settle of worker.pending.values())
        settle(resultOf({ stdout: '', stderr: `worker exited ${code}: ${stderr}`, exitCode: -1 }));
      worker.pending.clear();
    });
    idle.push(worker);
    return worker;
  });
  const take = () =>
    new Promise<Worker>((resolve) => {
      const worker = idle.shift();
      if (worker) resolve(worker);
      else waiting.push(resolve);
    });
  const give = (worker: Worker) => {
    const next = waiting.shift();
    if (next) next(worker);
    else idle.push(worker);
  };
  return {
    async run(args, options = {}) {
      const worker = await take();
      try {
        const id = nextId++;
        return await new Promise<Result>((resolve) => {
          worker.pending.set(id, resolve);
          // An unset variable goes as null: JSON would drop an undefined one, leaving the process's value.
          const command = { id, args, env: options.env ?? {}, input: options.input };
          worker.child.stdin.write(`${JSON.stringify(command, (_, value) => (value === undefined ? null : value))}\n`);
        });
      } finally {
        give(worker);
      }
    },
    async close() {
      await Promise.all(
        workers.map(
          (worker) =>
            new Promise<void>((resolve) => {
              if (worker.child.exitCode !== null) return resolve();
              worker.child.once('exit', () => resolve());
              worker.child.stdin.end();
            }),
        ),
      );
    },
  };
}
