/**
 * What every command adapter shares: the first word of a command line, the command tree, option
 * parsers, the action wrapper.
 */
import { type Command, InvalidArgumentError, Option } from 'commander';
import { ENTITY_GROUPS, FLAG_RIGHTS, flagName, groupOf, type RightGroup, USER_RIGHTS } from '../core/rights.js';
import { invalidArgument } from '../core/errors.js';
import type { AccountKind, Contacts } from '../core/model.js';
import { CONTACTS } from '../core/contacts.js';
import { RIGHT_DESCRIPTIONS } from '../core/right-descriptions.js';
import * as validate from '../core/validate.js';
import { ORGANIZATION_FIELDS, type OrganizationField } from '../core/views.js';
import type { Runtime } from '../app/runtime.js';
import type { Streams } from '../app/streams.js';
import { Context } from './context.js';

type Options = Record<string, any>;

/** `orgs organizations create …` is `orgs create …`: the group name means nothing more. */
export const GROUP_NAMES: ReadonlySet<string> = new Set(['organizations', 'organization', 'org', 'o']);
/** Global options that take a value, to find the first word of the command after them. */
const GLOBAL_OPTIONS_WITH_VALUE = new Set(['--db', '--output-format']);

/** Where the first word of the command line is, after the global options (-1: none). */
export function firstWord(args: readonly string[]): number {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (GLOBAL_OPTIONS_WITH_VALUE.has(arg)) i++;
    else if (!arg.startsWith('-')) return i;
  }
  return -1;
}

export function withoutGroupName(args: readonly string[]): string[] {
  const at = firstWord(args);
  return at >= 0 && GROUP_NAMES.has(args[at]!) ? [...args.slice(0, at), ...args.slice(at + 1)] : [...args];
}

/**
 * The top-level commands, built on demand: when the command line names one, only that one is
 * built (with its subcommands and their many flags); otherwise all are, for help and suggestions.
 */
export class CommandTree {
  constructor(
    readonly program: Command,
    private readonly only: string | undefined,
    /** The program with every command, for what must know them all (shell completion). */
    readonly everything: () => Command,
  ) {}

  add(usage: string, aliases: string[], configure: (command: Command) => unknown): void {
    const name = usage.split(' ')[0]!;
    if (this.only !== undefined && this.only !== name && !aliases.includes(this.only)) return;
    configure(this.program.command(usage).aliases(aliases));
  }
}

/** The runtime each program (the root of a command tree) runs against. */
const runtimes = new WeakMap<Command, { runtime: Runtime; streams: Streams }>();

export function runProgramIn(program: Command, runtime: Runtime, streams: Streams): void {
  runtimes.set(program, { runtime, streams });
}

/** A new context for `command`, in the runtime its program runs in. */
export function contextOf(command: Command): Context {
  let root = command;
  while (root.parent) root = root.parent;
  const { runtime, streams } = runtimes.get(root)!;
  return new Context(command.optsWithGlobals(), runtime, streams);
}

/**
 * An exit code that is an answer, not a failure, so no error line: Ctrl-C of `orgs console` (130),
 * a check that found something (7, `review --fail-on`).
 */
export class QuietExit extends Error {
  constructor(readonly exitCode: number) {
    super(`exit ${exitCode}`);
  }
}

/**
 * Wraps a command's work: the context it runs in, its positional arguments and options, and the
 * store closed afterwards whatever happens. Errors travel up to main, which reports them.
 */
export function action(
  work: (ctx: Context, args: (string | undefined)[], options: Options) => Promise<void>,
  /** The command's --dry-run is its own (apply's is plan), not the generic report. */
  ownDryRun = false,
) {
  return async (...params: unknown[]): Promise<void> => {
    const command = params[params.length - 1] as Command;
    const ctx = contextOf(command);
    const run = () => work(ctx, command.processedArgs as (string | undefined)[], command.opts());
    try {
      await (command.opts().dryRun && !ownDryRun ? dryRun(ctx, run) : run());
    } finally {
      await ctx.close();
    }
  };
}

export const DRY_RUN = 'run every check and show what would change, access included, but change nothing';

/**
 * --dry-run (ACCESS.md): the command runs with its writes tried and undone (src/core/dry-run.ts),
 * and prints, instead of its result, the result it would have printed and the access it would change.
 */
async function dryRun(ctx: Context, run: () => Promise<void>): Promise<void> {
  const { DryRun } = await import('../core/dry-run.js');
  const trial = new DryRun();
  ctx.tryOnly(trial);
  const result = await ctx.output.holding(run);
  await ctx.output.printReport({ dry_run: true, result: result ?? null, access: trial.view() }, () => trial.rows());
}

/** The examples block at the end of a command's --help. */
export function examples(...lines: string[]): string {
  return `\nExamples:\n${lines.map((line) => `  $ ${line}`).join('\n')}\n`;
}

export const organizationIdOption = () => new Option('--organization-id <id>', 'the organization ID');

/** --limit and --page, as every listing takes them. */
export const pageOptions = (command: Command) =>
  command
    .option('--limit <n>', 'results per page (at most 1000)', integer, 50)
    .option('--page <n>', 'page of results, from 1', integer, 1);

/** --limit, --page and --order; shell completion reads the fields off this description. */
export const pagingOptions = (command: Command, orders: string) =>
  pageOptions(command).option('--order <field>', `order by ${orders}; a leading - reverses`);

export function integer(value: string): number {
  if (!/^\d{1,15}$/.test(value)) throw new InvalidArgumentError('expected a whole number.');
  return Number(value);
}

export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/**
 * `--attributes a=b --attributes c=d` → `{ a: 'b', c: 'd' }`. A pair may be one CSV field, as The
 * Things Stack's CLI reads a value holding `=` or `,` (`"k=a=b"`, a quote doubled inside).
 */
export function keyValues(pairs: string[] | undefined): Record<string, string> | undefined {
  const unquoted = (pair: string) =>
    pair.length >= 2 && pair.startsWith('"') && pair.endsWith('"') ? pair.slice(1, -1).replaceAll('""', '"') : pair;
  return pairs && Object.fromEntries(pairs.map((pair) => validate.keyValue(unquoted(pair))));
}

/** A flag's boolean value as The Things Stack's CLI takes it: `--flag`, `--flag=true`, `--flag=false` (also 1, 0, t, f). */
export function flagBoolean(value: string | undefined): boolean {
  if (value === undefined || /^(1|t|true)$/i.test(value)) return true;
  if (/^(0|f|false)$/i.test(value)) return false;
  throw new InvalidArgumentError('expected true or false.');
}

/** An ID may come as the positional argument or as its flag; both is fine if they agree. */
export function either(positional: string | undefined, flag: string | undefined, what: string): string | undefined {
  if (positional !== undefined && flag !== undefined && positional !== flag) {
    throw invalidArgument('cli', 'conflicting_arguments', `two different ${what}s given: ${positional} and ${flag}`);
  }
  return positional ?? flag;
}

/** Each selectable field and its option (`deleted_at` → `--deleted-at`). */
const FIELD_OPTIONS: Record<OrganizationField, { flag: string; attribute: string }> = {
  name: { flag: '--name', attribute: 'name' },
  description: { flag: '--description', attribute: 'description' },
  attributes: { flag: '--attributes', attribute: 'attributes' },
  administrative_contact: { flag: '--administrative-contact', attribute: 'administrativeContact' },
  technical_contact: { flag: '--technical-contact', attribute: 'technicalContact' },
  deleted_at: { flag: '--deleted-at', attribute: 'deletedAt' },
  fanout_notifications: { flag: '--fanout-notifications', attribute: 'fanoutNotifications' },
};

/** The field selectors of list, search and get, for the fields a record has. */
export function addFieldSelectors(
  command: Command,
  fields: readonly OrganizationField[] = ORGANIZATION_FIELDS,
): Command {
  for (const field of fields) command.option(FIELD_OPTIONS[field].flag, `select the ${field} field`);
  return command.option('--all', 'select all fields');
}

export function selectedFields(
  options: Options,
  fields: readonly OrganizationField[] = ORGANIZATION_FIELDS,
): Set<OrganizationField> {
  return new Set(fields.filter((field) => options.all || options[FIELD_OPTIONS[field].attribute]));
}

/**
 * One `--right-*` flag per right of the application, client, gateway and organization groups, and
 * of the user group (for a user's API keys alone).
 */
const RIGHT_OPTIONS = [...FLAG_RIGHTS, ...USER_RIGHTS].map((right) => ({
  right,
  group: groupOf(right)!,
  option: () => new Option(`--${flagName(right)}`, RIGHT_DESCRIPTIONS[right]),
  attribute: new Option(`--${flagName(right)}`).attributeName(),
}));

/** An organization's collaborators and keys may hold rights of any group, its own first. */
const ORGANIZATION_FIRST: readonly RightGroup[] = [
  'organization',
  ...ENTITY_GROUPS.filter((g) => g !== 'organization'),
];

/**
 * The `--right-*` flags of these groups, in this order (the command's own group first), each
 * group's `…_ALL` last, where it reads as "all of the above".
 */
export function addRightFlags(command: Command, groups: readonly RightGroup[] = ORGANIZATION_FIRST): Command {
  for (const group of groups) {
    const options = RIGHT_OPTIONS.filter((o) => o.group === group);
    const isAll = (o: (typeof options)[number]) => o.right.endsWith('_ALL');
    for (const { option } of [...options.filter((o) => !isAll(o)), ...options.filter(isAll)]) {
      command.addOption(option());
    }
  }
  return command;
}

/** The rights whose flags were given. */
export function rightsFrom(options: Options): string[] {
  return RIGHT_OPTIONS.filter(({ attribute }) => options[attribute]).map(({ right }) => right);
}

/** `--unset name,description`: the fields to clear. */
const UNSETTABLE = ['name', 'description', 'attributes', 'administrative_contact', 'technical_contact'] as const;

/** The fields named, as The Things Stack's CLI reads its paths: `technical-contact` is `technical_contact`. */
export function unsetFields(list: string): Array<(typeof UNSETTABLE)[number]> {
  return list.split(',').map((field) => {
    const known = UNSETTABLE.find((f) => f === field.trim().replaceAll('-', '_'));
    if (!known) {
      throw invalidArgument(
        'cli',
        'invalid_unset',
        `cannot unset ${JSON.stringify(field)}; use ${UNSETTABLE.join(', ')}`,
      );
    }
    return known;
  });
}

/**
 * The Things Stack's flags of the contacts, a user or an organization each
 * (`--administrative-contact.ids.user-ids.user-id`, `--technical-contact.ids.organization-ids.organization-id`).
 */
const CONTACT_FLAGS = CONTACTS.flatMap(({ field, key }) =>
  (['user', 'organization'] as const).map((kind: AccountKind) => {
    const flag = `--${field.replaceAll('_', '-')}.ids.${kind}-ids.${kind}-id`;
    return { key, kind, flag, field, attribute: new Option(`${flag} <id>`).attributeName() };
  }),
);

const contactOptions = (command: Command) => {
  for (const { flag, field, kind } of CONTACT_FLAGS) {
    command.option(`${flag} <id>`, `the ${field.replace('_', ' ')}: ${kind} <id>, a collaborator`);
  }
  return command;
};

/** The contacts the flags gave; a user and an organization for one contact is an error. */
function contactsFrom(options: Options): Contacts {
  const contacts: Contacts = {};
  for (const { key, kind, attribute, field } of CONTACT_FLAGS) {
    if (options[attribute] === undefined) continue;
    if (contacts[key]) {
      throw invalidArgument('cli', 'conflicting_arguments', `give the ${field} as a user or an organization, not both`);
    }
    contacts[key] = { kind, id: options[attribute] };
  }
  return contacts;
}

/** commander's attribute name of a flag: `application-id` → `applicationId`. */
export const attributeOf = (flag: string): string => new Option(`--${flag} <value>`).attributeName();

/** --name, --description, --attributes and the contacts of a new organization or entity. */
export const recordFieldOptions = (command: Command, what: string) =>
  contactOptions(
    command
      .option('--name <name>', `name of the ${what}`)
      .option('--description <text>', `description of the ${what}`)
      .option('--attributes <key=value>', 'an attribute (repeatable)', collect),
  );

/** The fields --name, --description, --attributes and the contact flags gave. */
export const recordFieldsFrom = (options: Options) => ({
  name: options.name as string | undefined,
  description: options.description as string | undefined,
  attributes: keyValues(options.attributes),
  ...contactsFrom(options),
});

/** What `set` changes: --name, --description, --attributes (merged; key= removes one), the contacts; --unset. */
export const changeOptions = (command: Command) =>
  contactOptions(
    command
      .option('--name <name>', 'new name')
      .option('--description <text>', 'new description')
      .option('--attributes <key=value>', 'set an attribute, or remove it with key= (repeatable)', collect),
  ).option('--unset <fields>', `clear fields: ${UNSETTABLE.join(', ')} (comma-separated)`);

export const changeFrom = (options: Options) => ({
  ...recordFieldsFrom(options),
  unset: options.unset === undefined ? undefined : unsetFields(options.unset),
});

/** The substring filters of `search` and --deleted. */
export const searchOptions = (command: Command, plural: string) =>
  command
    .option('--query <text>', 'ID, name or description contains the text')
    .option('--id-contains <text>', 'ID contains the text')
    .option('--name-contains <text>', 'name contains the text')
    .option('--description-contains <text>', 'description contains the text')
    .option('--attributes-contain <key=value>', 'attribute key has a value containing the text (repeatable)', collect)
    .option('--deleted', `search deleted ${plural} instead`);

export const searchFrom = (options: Options) => ({
  query: options.query as string | undefined,
  idContains: options.idContains as string | undefined,
  nameContains: options.nameContains as string | undefined,
  descriptionContains: options.descriptionContains as string | undefined,
  attributesContain: options.attributesContain && Object.entries(keyValues(options.attributesContain)!),
});
