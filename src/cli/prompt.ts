/** Questions to the person at the terminal, before something that cannot be undone. */
import { failedPrecondition } from '../core/errors.js';

/** A y/N question on the terminal; without one, the caller must say --force. */
export async function confirm(question: string): Promise<void> {
  if (!process.stdin.isTTY || !process.stderr.isTTY) {
    throw failedPrecondition('cli', 'no_confirmation', 'confirmation needed and no terminal to ask on; add --force');
  }
  const { createInterface } = await import('node:readline/promises');
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await rl.question(`${question} [y/N] `);
    if (!/^y(es)?$/i.test(answer.trim())) throw failedPrecondition('cli', 'no_confirmation', 'not confirmed');
  } finally {
    rl.close();
  }
}
