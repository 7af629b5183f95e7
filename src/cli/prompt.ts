/** Questions to the person at the terminal, before something that cannot be undone. */
import { canceled, failedPrecondition } from '../core/errors.js';
import type { Context } from './context.js';

/**
 * A y/N question on the terminal; without one, the caller must say --force. Ctrl-C interrupts
 * (exit 130), Ctrl-D (no answer at all) is not a yes.
 */
export async function confirm(ctx: Context, question: string): Promise<void> {
  // A dry run keeps nothing: there is nothing to confirm.
  if (ctx.dryRun) return;
  const { stdin } = ctx.runtime;
  if (!stdin.isTTY || !ctx.stderr.isTTY) {
    throw failedPrecondition('cli', 'no_confirmation', 'confirmation needed and no terminal to ask on; add --force');
  }
  const { createInterface } = await import('node:readline');
  const rl = createInterface({ input: stdin, output: ctx.runtime.stderr });
  try {
    const answer = await new Promise<string | undefined>((resolve, reject) => {
      let pending = true;
      rl.question(`${question} [y/N] `, (text) => {
        pending = false;
        resolve(text);
      });
      // Neither Ctrl-C nor Ctrl-D ends the prompt's line as Enter does: end it, so that the error has a line of its own.
      const unanswered = (settle: () => void) => () => {
        if (!pending) return;
        pending = false;
        void ctx.stderr.write('\n');
        settle();
      };
      rl.once(
        'SIGINT',
        unanswered(() => reject(canceled('cli', 'interrupted', 'interrupted at the confirmation prompt'))),
      );
      rl.once(
        'close',
        unanswered(() => resolve(undefined)),
      );
    });
    if (answer === undefined || !/^y(es)?$/i.test(answer.trim())) {
      throw failedPrecondition('cli', 'no_confirmation', 'not confirmed');
    }
  } finally {
    rl.close();
  }
}
