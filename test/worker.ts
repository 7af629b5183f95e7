/**
 * A long-lived orgs process for the tests that need several real processes at once (PostgreSQL
 * races): it loads the built bundle once, then runs each command it is sent in-process, as
 * bin/orgs.js would run it, so a race of 8 processes costs 8 Node start-ups, not one per command.
 * test/workers.ts starts it. Protocol: one JSON line per command on stdin, `{ id, args, env,
 * input }`; one JSON line per result on stdout, `{ id, exitCode, stdout, stderr }`.
 */
import { createRequire } from 'node:module';
import { createInterface } from 'node:readline';
import type { main as Main } from '../src/cli/main.js';
import { testRuntime } from './runtime.js';

const bundle = process.argv[2];
if (!bundle) throw new Error('usage: worker <path of dist/orgs.js>');
const orgs = createRequire(bundle)(bundle) as { main: typeof Main };

for await (const line of createInterface({ input: process.stdin })) {
  const { id, args, env, input } = JSON.parse(line) as {
    id: number;
    args: string[];
    /** null: unset in this command's environment. */
    env: Record<string, string | null>;
    input: string | null;
  };
  const environment: Record<string, string | undefined> = { ...process.env };
  for (const [name, value] of Object.entries(env)) environment[name] = value ?? undefined;
  const io = testRuntime({ env: environment, input: input ?? undefined });
  const exitCode = await orgs.main(args, io.runtime);
  process.stdout.write(`${JSON.stringify({ id, exitCode, stdout: io.stdout(), stderr: io.stderr() })}\n`);
}
