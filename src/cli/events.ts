/** `orgs events [prune]`: the audit trail, read, followed and pruned. */
import type { Identifier } from '../core/model.js';
import { canceled } from '../core/errors.js';
import { KINDS } from '../core/kinds.js';
import { action, attributeOf, collect, type CommandTree, examples, integer } from './command.js';

type Options = Record<string, any>;

/** The repeatable ID flags, by the kind of identifier each names. */
const ID_FLAGS: ReadonlyArray<{ flag: string; kind: Identifier['kind'] }> = [
  { flag: 'organization-id', kind: 'organization' },
  { flag: 'user-id', kind: 'user' },
  ...KINDS.map((k) => ({ flag: k.idFlag, kind: k.name })),
];

function identifiersFrom(options: Options): Identifier[] {
  return ID_FLAGS.flatMap(({ flag, kind }) =>
    ((options[attributeOf(flag)] as string[]) ?? []).map((id) => ({ kind, id })),
  );
}

/** One line per event for a person: time, name, identifiers, caller. */
function row(view: Record<string, any>): Record<string, string> {
  const ids = (view.identifiers as Array<Record<string, Record<string, string>>>).map((identifier) => {
    const [key, value] = Object.entries(identifier)[0]!;
    return `${key.replace(/_ids$/, '')}:${Object.values(value)[0]}`;
  });
  const caller = view.caller as Record<string, unknown>;
  const who = caller.user_id ?? (caller.api_key_id ? `key ${caller.api_key_id}` : 'local administrator');
  return { time: view.time, name: view.name, identifiers: ids.join(' '), caller: String(who) };
}

export function addEventCommands(tree: CommandTree): void {
  tree.add('events', ['event', 'evt', 'e'], (group) => {
    for (const { flag, kind } of ID_FLAGS) {
      group.option(`--${flag} <id>`, `events about this ${kind} (repeatable)`, collect);
    }
    group
      .summary('the audit trail: every change, who made it and when')
      .description(
        'Print the events the caller may see, oldest first, one JSON document each: every change to the ' +
          'registry, recorded with it. --follow then waits for new ones.',
      )
      .addHelpText(
        'after',
        examples(
          'orgs events --organization-id org1 --tail 20',
          'orgs events --names organization.collaborator.update,organization.collaborator.delete',
          "orgs events --names '/^application\\./' --after 2026-12-01T00:00:00Z",
          'orgs events --follow | jq -c .',
        ),
      )
      .option(
        '--names <names>',
        'comma-separated event names, or one /regular expression/ (matched in linear time: no backreferences or lookaround)',
      )
      .option('--after <time>', 'only events after this time (RFC 3339)')
      .option('--tail <n>', 'only the last N matching events', integer)
      .option('--follow', 'after the history, print new events as they are committed, until Ctrl-C')
      .action(
        action(async (ctx, _args, options) => {
          const events = await ctx.events();
          const request = {
            identifiers: identifiersFrom(options),
            names: options.names,
            after: options.after,
            tail: options.tail,
          };
          const emit = (views: Record<string, unknown>[]) => ctx.output.printDocuments(views, row);
          const last = await events.history(request, emit);
          if (!options.follow) return;
          let interrupted = false;
          ctx.runtime.onInterrupt(() => (interrupted = true));
          await events.follow(request, last, emit, () => interrupted || ctx.stdout.gone);
          if (interrupted) throw canceled('cli', 'interrupted', 'interrupted');
        }),
      );

    group
      .command('prune')
      .summary('remove events older than a time (administrator)')
      .description(
        'Remove the events older than --before; prints {"pruned": N} and records an events.prune event, so ' +
          'that the trail shows its own gaps. Administrators only.',
      )
      .addHelpText('after', examples('orgs events prune --before 2026-01-01T00:00:00Z'))
      .option('--before <time>', 'remove events older than this time (RFC 3339)')
      .action(
        action(async (ctx, _args, options) => {
          await ctx.output.print(await (await ctx.events()).prune(options.before));
        }),
      );
  });
}
