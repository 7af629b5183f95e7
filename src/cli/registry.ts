/** `orgs export`, `orgs plan FILE` and `orgs apply FILE`: the registry as a file (REGISTRY.md). */
import { Option } from 'commander';
import type { Context } from './context.js';
import type { ApplyRequest, RegistryFormat } from '../core/registry/service.js';
import { connectTimeoutMsOf } from '../app/settings.js';
import { invalidArgument } from '../core/errors.js';
import { KINDS } from '../core/kinds.js';
import { changeLine, shortRight } from '../core/registry/summary.js';
import { action, attributeOf, collect, type CommandTree, examples, QuietExit } from './command.js';

/** "A check found something" (CONTRACT.md): `plan --check` on drift. */
const FOUND_SOMETHING = 7;

export function addRegistryCommands(tree: CommandTree): void {
  tree.add('export', [], (command) => {
    command
      .summary('print the registry the caller may see as a file: YAML, JSON or a ttn-lw-cli script')
      .addHelpText(
        'after',
        examples(
          'orgs export > registry.yaml',
          'orgs export --organization-id org1 --application-id app1 --format json',
          'orgs export --format ttn-lw-cli > rebuild.sh',
          'orgs export --from https://eu1.cloud.thethings.network/api/v3 --api-key "$TTS_API_KEY" > registry.yaml',
        ),
      )
      .description(
        'Print the records the caller may read, sorted by ID, deterministic: two exports of the same registry are ' +
          'byte-identical. With --organization-id or an entity ID flag, only the records named.',
      )
      .addOption(
        new Option('--format <format>', 'yaml (the default), json or ttn-lw-cli').choices([
          'yaml',
          'json',
          'ttn-lw-cli',
        ]),
      )
      .option('--deleted', 'deleted records too, marked deleted: true')
      .option('--no-api-keys', 'leave the api_keys lists out')
      .option('--organization-id <id>', 'only this organization (repeatable)', collect)
      .option('--from <url>', "read a The Things Stack's registry through its HTTP API (…/api/v3) instead of the store")
      .option('--api-key <key>', 'with --from: the API key to read it with (never printed)');
    for (const kind of KINDS) command.option(`--${kind.idFlag} <id>`, `only this ${kind.name} (repeatable)`, collect);
    return command.action(
      action(async (ctx, _args, options) => {
        const entityIds = Object.fromEntries(
          KINDS.filter((kind) => options[attributeOf(kind.idFlag)] !== undefined).map((kind) => [
            kind.name,
            options[attributeOf(kind.idFlag)] as string[],
          ]),
        );
        const filtered = options.organizationId !== undefined || Object.keys(entityIds).length > 0;
        const stdout = ctx.streams.stdout;
        const request = {
          format: options.format as RegistryFormat | undefined,
          deleted: options.deleted === true,
          apiKeys: options.apiKeys !== false,
          organizationIds: filtered ? ((options.organizationId as string[] | undefined) ?? []) : undefined,
          entityIds: filtered ? entityIds : undefined,
        };
        const write = (text: string) => (stdout.gone ? Promise.resolve() : stdout.write(text));
        if (options.from === undefined) return (await ctx.registry()).export(request, write);
        if (options.apiKey === undefined) {
          throw invalidArgument(
            'cli',
            'no_api_key',
            'export --from needs --api-key: the key to read the registry with',
          );
        }
        const { exportRemote } = await import('../app/remote-registry.js');
        const source = {
          url: options.from as string,
          apiKey: options.apiKey as string,
          timeoutMs: connectTimeoutMsOf(ctx.config),
          deleted: request.deleted,
          apiKeys: request.apiKeys,
        };
        await exportRemote(source, request, write);
      }),
    );
  });

  tree.add('plan', [], (command) =>
    fileCommand(command)
      .summary('show what applying a registry file would change, and who would gain or lose which rights')
      .addHelpText(
        'after',
        examples(
          'orgs plan registry.yaml',
          'orgs plan registry.yaml --output-format table',
          'orgs plan registry.yaml --check',
        ),
      )
      .description(
        'Compare the file with the store and print the changes apply would make, in its order, and the access ' +
          'they would change, as --dry-run prints it. Every check of apply runs; nothing changes.',
      )
      .option('--check', 'exit 7 when there are changes (drift), 0 when there are none')
      .addOption(
        new Option(
          '--format <format>',
          "json (the default) or ttn-lw-cli, a script of The Things Stack's commands",
        ).choices(['json', 'ttn-lw-cli']),
      )
      .action(action(async (ctx, args, options) => plan(ctx, args[0]!, options))),
  );

  tree.add('apply', [], (command) =>
    fileCommand(command)
      .summary('make the store hold what a registry file says: one transaction, all or nothing')
      .addHelpText('after', examples('orgs apply registry.yaml', 'orgs apply registry.yaml --prune --dry-run'))
      .description(
        'Apply the changes plan shows, as the caller, in one transaction: every rule is checked, one refused step ' +
          'refuses the whole apply and the store is unchanged. Prints the changes it made.',
      )
      // Not the generic --dry-run (which prints a command's result): apply's is plan, with apply's exit.
      .addOption(new Option('--dry-run', 'print the plan as plan does and exit as apply would; change nothing'))
      .action(
        action(async (ctx, args, options) => {
          if (options.dryRun) return plan(ctx, args[0]!, options);
          const changes = await (await ctx.registry()).apply(await readDocument(ctx, args[0]!, options));
          await ctx.output.printAs({ changes }, () => changes.map(changeLine).join(''));
        }, true),
      ),
  );
}

function fileCommand(command: import('commander').Command) {
  return command
    .argument('<file>', 'the registry file: .yaml, .yml or .json; - reads stdin')
    .option(
      '--prune',
      'the file is authoritative for the records it names: unlisted members, collaborators and keys go',
    );
}

async function readDocument(ctx: Context, path: string, options: Record<string, unknown>): Promise<ApplyRequest> {
  const { readRegistryFile } = await import('../app/registry-file.js');
  const { parseRegistry } = await import('../core/registry/parse.js');
  const { text, file } = await readRegistryFile(path, ctx.runtime);
  return { document: await parseRegistry(text, file), file, prune: options.prune === true };
}

/** The apply, tried and undone: its changes and the access they would change. */
async function plan(ctx: Context, path: string, options: Record<string, unknown>): Promise<void> {
  const request = await readDocument(ctx, path, options);
  const { DryRun } = await import('../core/dry-run.js');
  const trial = new DryRun();
  ctx.tryOnly(trial);
  const changes = await (await ctx.registry()).apply(request);
  if (options.format === 'ttn-lw-cli') {
    const { scriptOf } = await import('../core/registry/script.js');
    await ctx.streams.stdout.write(scriptOf(changes));
  } else {
    await ctx.output.printAs({ changes, access: trial.view() }, () =>
      [...changes.map(changeLine), ...trial.rows().map(accessLine)].join(''),
    );
  }
  if (options.check && changes.length > 0) throw new QuietExit(FOUND_SOMETHING);
}

/** An access line of the plan: who gains and loses what where. */
function accessLine(row: Record<string, unknown>): string {
  const rights = [
    ...(row.gained as string[]).map((r) => `+${shortRight(r)}`),
    ...(row.lost as string[]).map((r) => `-${shortRight(r)}`),
  ];
  return `  ${row.subject}${row.target ? ` on ${row.target}` : ''}${rights.length > 0 ? `: ${rights.join(' ')}` : ''}\n`;
}
