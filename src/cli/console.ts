/** `orgs console`: the registry in a local web page (src/console/), until Ctrl-C. */
import { failedPrecondition } from '../core/errors.js';
import { action, type CommandTree, examples, integer, QuietExit } from './command.js';
import type { Context } from './context.js';

/**
 * Ctrl-C (or SIGTERM), the way to stop `orgs console`: exit 130 as for every Ctrl-C (CONTRACT.md),
 * but no error line, since nothing went wrong.
 */
export class StoppedAsAsked extends QuietExit {
  constructor() {
    super(130);
  }
}

export function addConsoleCommand(tree: CommandTree): void {
  tree.add('console', [], (command) =>
    command
      .summary('open the Console: this registry in a local web page')
      .description(
        'Serve the Console on 127.0.0.1 (only this machine), against the store in effect and acting as the ' +
          'caller in effect, and open it in the browser. Prints the URL to open, which works once (it carries a ' +
          'one-time token). Requests to its API (/api/v3/) with "Authorization: Bearer NNSXS.…" act as that ' +
          'API key. Ctrl-C stops it.',
      )
      .addHelpText('after', examples('orgs console', 'orgs console --port 8080 --no-open'))
      .option('--port <n>', 'listen on this port (default: any free one)', integer)
      .option('--no-open', 'print the URL only, do not open a browser')
      .action(
        action(async (ctx, _args, options) => {
          // The caller and the store first: a bad login or an unreachable store fails here, not in the page.
          await (await ctx.session()).whoami();
          const { startConsole } = await import('../console/server.js');
          const server = await startConsole(ctx, { port: options.port }).catch((error) => {
            if (error?.code === 'EADDRINUSE') {
              throw failedPrecondition('console', 'port_in_use', `port ${options.port} is in use; choose another`);
            }
            throw error;
          });
          // Listening for Ctrl-C before the URL is out: whoever reads it may stop the console at once.
          const stopped = new Promise<void>((resolve) => ctx.runtime.onInterrupt(resolve, ['SIGINT', 'SIGTERM']));
          await ctx.stdout.write(`${server.url}\n`);
          ctx.output.note('the Console is running; Ctrl-C stops it');
          if (options.open) await openBrowser(ctx, server.url);
          await stopped;
          await server.close();
          throw new StoppedAsAsked();
        }),
      ),
  );
}

/** The desktop's browser, if there is one; the URL is printed either way. */
async function openBrowser(ctx: Context, url: string): Promise<void> {
  const { spawn } = await import('node:child_process');
  const [command, ...args] =
    process.platform === 'darwin'
      ? ['open']
      : process.platform === 'win32'
        ? ['cmd', '/c', 'start', '""']
        : ['xdg-open'];
  const child = spawn(command!, [...args, url], { stdio: 'ignore', detached: true });
  child.on('error', () =>
    ctx.output.note(`could not open a browser; open ${url.replace(/\?.*/, '?token=…')} yourself`),
  );
  child.unref();
}
