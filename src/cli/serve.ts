/** `orgs serve`: The Things Stack's HTTP API alone, for API keys (API.md, "orgs serve"), until stopped. */
import { failedPrecondition, invalidArgument } from '../core/errors.js';
import { fileError } from '../store/errors.js';
import { action, type CommandTree, examples, integer, QuietExit } from './command.js';
import { StoppedAsAsked } from './console.js';

/** The Things Stack's own HTTP port. */
const DEFAULT_PORT = 1885;

/** Loopback: only this machine reaches it. */
const isLoopback = (host: string) => host === 'localhost' || /^127\./.test(host) || host === '::1';

export function addServeCommand(tree: CommandTree): void {
  tree.add('serve', [], (command) =>
    command
      .summary("serve The Things Stack's HTTP API for this registry, for API keys")
      .description(
        "Serve the API of The Things Stack's Identity Server (/api/v3) against the store in effect, without the " +
          'Console\'s page: every request authenticates with "Authorization: Bearer <API key>". Prints the base URL; ' +
          'logs a line per request on stderr (method, path, status, milliseconds, correlation ID). Ctrl-C (exit 130) ' +
          'or SIGTERM (exit 0) stops it once the requests in flight are answered. Only this machine can reach it, ' +
          'unless --allow-remote, and then only over TLS.',
      )
      .addHelpText(
        'after',
        examples(
          'orgs serve',
          'orgs serve --port 8080',
          'curl -H "Authorization: Bearer $KEY" http://127.0.0.1:1885/api/v3/organizations',
          'orgs serve --host 0.0.0.0 --allow-remote --tls-cert cert.pem --tls-key key.pem',
        ),
      )
      .option('--port <n>', `listen on this port (default: ${DEFAULT_PORT}; 0: any free one)`, integer)
      .option('--host <address>', 'listen on this address (default: 127.0.0.1)')
      .option('--allow-remote', 'allow an address other machines reach (needs --tls-cert and --tls-key)')
      .option('--tls-cert <file>', 'the TLS certificate (PEM) to serve HTTPS with')
      .option('--tls-key <file>', "the certificate's private key (PEM)")
      .action(
        action(async (ctx, _args, options) => {
          // Loaded here, not up front: no other command pays for them.
          const [{ readFile }, { isIP }] = await Promise.all([import('node:fs/promises'), import('node:net')]);
          const host = (options.host as string | undefined) ?? '127.0.0.1';
          if (isIP(host) === 0 && host !== 'localhost') {
            throw invalidArgument('serve', 'invalid_host', `--host takes an IP address or localhost, not ${host}`);
          }
          if (!isLoopback(host) && !options.allowRemote) {
            throw invalidArgument(
              'serve',
              'remote_not_allowed',
              `${host} is reachable from other machines: add --allow-remote (with --tls-cert and --tls-key)`,
            );
          }
          if ((options.tlsCert === undefined) !== (options.tlsKey === undefined)) {
            throw invalidArgument('serve', 'tls_incomplete', 'TLS needs both --tls-cert and --tls-key');
          }
          if (!isLoopback(host) && options.tlsCert === undefined) {
            throw invalidArgument(
              'serve',
              'tls_required',
              'serving other machines needs TLS (--tls-cert and --tls-key): API keys never cross a network in clear',
            );
          }
          const read = (file: string) =>
            readFile(file).catch((error) => {
              throw fileError(error, file, 'tls', 'read') ?? error;
            });
          const tls =
            options.tlsCert === undefined
              ? undefined
              : { cert: await read(options.tlsCert as string), key: await read(options.tlsKey as string) };
          // The store first: an unreachable store fails here, not on the first request.
          await ctx.store();
          const { startConsole } = await import('../console/server.js');
          const port = (options.port as number | undefined) ?? DEFAULT_PORT;
          const server = await startConsole(ctx, {
            port,
            apiOnly: { host, tls, log: (line) => ctx.output.note(line) },
          }).catch((error) => {
            if (error?.code === 'EADDRINUSE') {
              throw failedPrecondition('serve', 'port_in_use', `port ${port} is in use; choose another with --port`);
            }
            if (error?.code === 'EADDRNOTAVAIL') {
              throw failedPrecondition('serve', 'address_not_available', `${host} is not an address of this machine`);
            }
            throw error;
          });
          const stopped = new Promise<number>((resolve) => {
            ctx.runtime.onInterrupt(() => resolve(130), ['SIGINT']);
            ctx.runtime.onInterrupt(() => resolve(0), ['SIGTERM']);
          });
          await ctx.stdout.write(`${server.url}\n`);
          ctx.output.note(`serving The Things Stack's API for API keys; Ctrl-C stops it`);
          const exitCode = await stopped;
          await server.close();
          throw exitCode === 130 ? new StoppedAsAsked() : new QuietExit(0);
        }),
      ),
  );
}
