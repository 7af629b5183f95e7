/**
 * Shell completion. `orgs completion bash|zsh|fish` prints a script; the script asks the hidden
 * `orgs __complete -- <words…>` for the candidates of the last word, which reads them off the
 * commander tree itself (and IDs off the store), so completion never drifts from the commands.
 */
import { homedir } from 'node:os';
import { Argument, type Command, Option } from 'commander';
import { type EntityKindName, KINDS } from '../core/kinds.js';
import type { Transaction } from '../core/store.js';
import { type CommandTree, contextOf, examples, GROUP_NAMES, withoutGroupName } from './command.js';
import { isPostgresUrl } from '../store/location.js';
import { type Place, readConfig, storeLocationOf } from '../app/settings.js';

const SHELLS = ['bash', 'zsh', 'fish'] as const;
type Shell = (typeof SHELLS)[number];

const HIDDEN_COMMAND = '__complete';
/** More candidates than this are no help in a prompt, and cost a slow store read. */
const MAX_IDS = 200;
const PAGE = 1000;

/** Which store IDs an option or argument of that name takes. */
const ID_KINDS: Record<string, IdKind> = {
  'organization-id': 'organizations',
  'user-id': 'users',
  ...Object.fromEntries(KINDS.map((kind) => [kind.idFlag, kind.name])),
};
type IdKind = 'organizations' | 'users' | EntityKindName;

/** The ID a `create` command makes up, where existing IDs are no help: by the name of its parent. */
const CREATED_ID: Record<string, string> = {
  orgs: 'organization-id',
  users: 'user-id',
  ...Object.fromEntries(KINDS.map((kind) => [kind.command, kind.idFlag])),
};

const BASH = `# bash completion for orgs. Load it with: source <(orgs completion bash)
_orgs_completion() {
  local -a words=()
  local i word cur=\${COMP_WORDS[COMP_CWORD]} typed prefix
  # bash splits words at = and : (COMP_WORDBREAKS); orgs wants them whole, as typed.
  for ((i = 1; i <= COMP_CWORD; i++)); do
    word=\${COMP_WORDS[i]}
    if ((i > 1)) && [[ $word == [=:] || \${COMP_WORDS[i - 1]} == [=:] ]]; then
      words[\${#words[@]} - 1]+=$word
    else
      words+=("$word")
    fi
  done
  # bash replaces only the part after the last = or :, so that part is cut off the candidates.
  typed=$cur
  [[ $typed == [=:] ]] && typed=
  prefix=\${words[\${#words[@]} - 1]%"$typed"}
  COMPREPLY=()
  while IFS= read -r word; do
    COMPREPLY+=("\${word#"$prefix"}")
  done < <(orgs ${HIDDEN_COMMAND} -- "\${words[@]}" 2>/dev/null)
}
# -o default: file names where orgs has nothing to offer (--db, backup).
complete -o default -F _orgs_completion orgs
`;

const ZSH = `#compdef orgs
# zsh completion for orgs. Install it with: orgs completion zsh > "\${fpath[1]}/_orgs"
# and start a new shell; or load it into this one (after compinit): source <(orgs completion zsh)
_orgs() {
  local -a candidates
  candidates=(\${(f)"$(orgs ${HIDDEN_COMMAND} -- "\${(@Q)words[2,CURRENT-1]}" "\${(Q)PREFIX}" 2>/dev/null)"})
  if (( \${#candidates} )); then
    compadd -- "\${candidates[@]}"
  else
    # File names where orgs has nothing to offer (--db, backup).
    _files
  fi
}
if [[ \${funcstack[1]} == _orgs ]]; then
  _orgs "$@"
else
  compdef _orgs orgs
fi
`;

const FISH = `# fish completion for orgs. Install it with: orgs completion fish > ~/.config/fish/completions/orgs.fish
function __orgs_complete
    set -l words (commandline -opc)
    set -e words[1]
    set -l current (commandline -ct)
    set -l candidates (orgs ${HIDDEN_COMMAND} -- $words "$current" 2>/dev/null)
    if set -q candidates[1]
        printf '%s\\n' $candidates
    else
        # File names where orgs has nothing to offer (--db, backup).
        __fish_complete_path "$current"
    end
end
complete -c orgs -f -a '(__orgs_complete)'
`;

const SCRIPTS: Record<Shell, string> = { bash: BASH, zsh: ZSH, fish: FISH };

export function addCompletionCommands(tree: CommandTree): void {
  tree.add('completion', [], (command) =>
    command
      .summary('print a shell completion script (bash, zsh or fish)')
      .description('Print a completion script for the shell; it asks orgs itself for commands, flags and IDs.')
      .addArgument(new Argument('<shell>', 'the shell to complete in').choices(SHELLS))
      .addHelpText(
        'after',
        examples(
          'source <(orgs completion bash)',
          'orgs completion zsh > "${fpath[1]}/_orgs"',
          'orgs completion fish > ~/.config/fish/completions/orgs.fish',
        ),
      )
      .action((shell: Shell, _options, self: Command) => contextOf(self).stdout.write(SCRIPTS[shell])),
  );

  tree.add(`${HIDDEN_COMMAND} [words...]`, [], (command) => {
    command
      .description('print the candidates for the last word of an orgs command line, one a line')
      .allowUnknownOption()
      .allowExcessArguments()
      .action(async (words: string[], _options, self: Command) => {
        const ctx = contextOf(self);
        try {
          const lines = await candidates(tree.everything(), words.length > 0 ? words : [''], ctx.runtime);
          if (lines.length > 0) await ctx.stdout.write(`${lines.join('\n')}\n`);
        } catch {
          // Whatever fails, nothing may reach the user's prompt: no candidates, exit 0.
        }
      });
    // CommandTree.add cannot hide a command: take it back and add it again, hidden from --help.
    const commands = tree.program.commands as Command[];
    commands.splice(commands.indexOf(command), 1);
    tree.program.addCommand(command, { hidden: true });
  });
}

/** Where the words before the last one leave the command line. */
interface Position {
  command: Command;
  /** Positional arguments given to `command`. */
  positionals: number;
  /** Attribute names of the options given to `command` or its parents. */
  given: Set<string>;
  /** The option whose value the next word is. */
  pending?: Option;
  afterDashDash: boolean;
  db?: string;
  /** Where the store and configuration are looked for. */
  place: Place;
}

/** The candidates for the last of `words` (the command line after `orgs`), filtered by it. */
async function candidates(program: Command, words: string[], place: Place): Promise<string[]> {
  const prior = words.slice(0, -1);
  const current = words[words.length - 1]!;
  const withoutGroup = withoutGroupName(prior);
  const at = walk(program, withoutGroup, place);
  if (!at) return [];
  const { command, pending } = at;
  const matching = (values: string[], prefix = '') =>
    unique(values.filter((value) => value.startsWith(current.slice(prefix.length))).map((value) => prefix + value));

  if (pending) return matching(await valuesOf(pending, at, current));

  if (!at.afterDashDash && current.startsWith('-')) {
    const equals = current.indexOf('=');
    if (equals > 0 && current.startsWith('--')) {
      const option = findOption(command, current.slice(0, equals));
      if (!option || !takesValue(option)) return [];
      const prefix = current.slice(0, equals + 1);
      return matching(await valuesOf(option, at, current.slice(prefix.length)), prefix);
    }
    return matching(flagsOf(at));
  }

  if (at.positionals === 0 && !at.afterDashDash && command.commands.length > 0) {
    const names = subcommands(command).flatMap((sub) => [sub.name(), ...sub.aliases()]);
    // A group name is dropped once, before the first word only.
    const groups =
      command === program && withoutGroup.length === prior.length
        ? [...GROUP_NAMES].filter((name) => withoutGroupName([...prior, name]).length === prior.length)
        : [];
    return matching([...names, ...groups]);
  }

  const registered = command.registeredArguments;
  const last = registered[registered.length - 1];
  const argument = registered[at.positionals] ?? (last?.variadic ? last : undefined);
  if (argument) return matching(await valuesOf(argument, at, current));
  // Nothing positional is left to give: the flags are what may follow.
  return current === '' ? flagsOf(at) : [];
}

/** Follows the words through the tree; undefined when they leave it (an unknown command). */
function walk(program: Command, words: string[], place: Place): Position | undefined {
  const at: Position = { command: program, positionals: 0, given: new Set(), afterDashDash: false, place };
  for (const word of words) {
    if (at.pending) {
      if (at.pending.long === '--db') at.db = word;
      at.pending = undefined;
    } else if (!at.afterDashDash && word === '--') {
      at.afterDashDash = true;
    } else if (!at.afterDashDash && word.startsWith('-') && word.length > 1) {
      const equals = word.startsWith('--') ? word.indexOf('=') : -1;
      const option = findOption(at.command, equals > 0 ? word.slice(0, equals) : word);
      if (!option) continue;
      at.given.add(option.attributeName());
      if (equals > 0) {
        if (option.long === '--db') at.db = word.slice(equals + 1);
      } else if (takesValue(option)) {
        at.pending = option;
      }
    } else if (at.positionals === 0 && !at.afterDashDash && at.command.commands.length > 0) {
      const sub = subcommands(at.command).find((c) => c.name() === word || c.aliases().includes(word));
      if (!sub) return undefined;
      at.command = sub;
    } else {
      at.positionals++;
    }
  }
  return at;
}

/** The subcommands shown in help: neither the hidden ones nor `help`. */
function subcommands(command: Command): Command[] {
  return command
    .createHelp()
    .visibleCommands(command)
    .filter((sub) => sub.name() !== 'help');
}

/** An option of the command, or of a parent (commander takes `--db` after the command too). */
function findOption(command: Command, flag: string): Option | undefined {
  for (let c: Command | null = command; c; c = c.parent) {
    const option = c.options.find((o) => o.long === flag || o.short === flag);
    if (option) return option;
  }
  return undefined;
}

const takesValue = (option: Option) => option.required || option.optional;

/**
 * The command's flags (with --help) not given yet, and its parents' flags that take a value
 * (--db): those apply to any command, unlike the program's --version.
 */
function flagsOf(at: Position): string[] {
  const own = at.command.createHelp().visibleOptions(at.command);
  const inherited: Option[] = [];
  for (let c = at.command.parent; c; c = c.parent)
    inherited.push(...c.options.filter((o) => !o.hidden && takesValue(o)));
  return [...own, ...inherited]
    .filter((option) => option.long && !at.given.has(option.attributeName()))
    .map((option) => option.long!);
}

/** The values an option or positional argument takes, or [] when they are free text. */
async function valuesOf(what: Option | Argument, at: Position, prefix: string): Promise<string[]> {
  if (what.argChoices) return what.argChoices;
  const name = what.name();
  if (name === 'order' && what instanceof Option) {
    // pagingOptions describes it as "order by a, b, c; a leading - reverses".
    const fields =
      /order by ([^;]+)/
        .exec(what.description)?.[1]
        ?.split(',')
        .map((field) => field.trim()) ?? [];
    return [...fields, ...fields.map((field) => `-${field}`)];
  }
  const kind = ID_KINDS[name];
  if (!kind) return [];
  const { command } = at;
  if (command.name() === 'create' && CREATED_ID[command.parent?.name() ?? ''] === name) return [];
  // A positional ID after its flag (or the other way round) would only conflict.
  const flag = findOption(command, `--${name}`);
  if (what instanceof Argument && flag && at.given.has(flag.attributeName())) return [];
  const deleted = command.name() === 'restore' ? 'deleted' : command.name() === 'purge' ? 'both' : 'live';
  return storeIds(kind, prefix, deleted, at.place, at.db);
}

/**
 * IDs from the store every command would use, read without changing it: never created,
 * migrated or written, and nothing left beside it.
 */
async function storeIds(kind: IdKind, prefix: string, deleted: 'live' | 'deleted' | 'both', place: Place, db?: string) {
  const path = storeLocationOf({ db: db === undefined ? undefined : shellPath(db, place) }, place, readConfig(place));
  // A Tab press does not wait on a network: IDs come from a local store only.
  if (isPostgresUrl(path)) return [];
  const { peekSqliteStore } = await import('../store/sqlite.js');
  const store = await peekSqliteStore(path);
  if (!store) return [];
  try {
    return await store.read(async (tx) => {
      if (kind === 'users') return userIds(tx, prefix);
      const ids = kind === 'organizations' ? organizationIds : entityIds(kind);
      const live = deleted === 'deleted' ? [] : await ids(tx, prefix, false);
      const gone = deleted === 'live' ? [] : await ids(tx, prefix, true);
      return [...live, ...gone].sort().slice(0, MAX_IDS);
    });
  } finally {
    await store.close();
  }
}

async function organizationIds(tx: Transaction, prefix: string, deleted: boolean): Promise<string[]> {
  return collectIds(prefix, (offset) =>
    tx.listOrganizations({
      deleted,
      idContains: prefix === '' ? undefined : prefix,
      order: { field: 'organization_id', direction: 'asc' },
      limit: PAGE,
      offset,
    }),
  );
}

const entityIds = (kind: EntityKindName) => (tx: Transaction, prefix: string, deleted: boolean) =>
  collectIds(prefix, (offset) =>
    tx.listEntities({
      kind,
      deleted,
      idContains: prefix === '' ? undefined : prefix,
      order: { field: 'id', direction: 'asc' },
      limit: PAGE,
      offset,
    }),
  );

async function userIds(tx: Transaction, prefix: string): Promise<string[]> {
  return collectIds(prefix, (offset) => tx.listUsers({ limit: PAGE, offset }));
}

/** Up to MAX_IDS IDs starting with `prefix`, from pages in ID order. */
async function collectIds(prefix: string, page: (offset: number) => Promise<{ id: string }[]>): Promise<string[]> {
  const ids: string[] = [];
  for (let offset = 0; ; offset += PAGE) {
    const items = await page(offset);
    for (const { id } of items) {
      if (id.startsWith(prefix)) ids.push(id);
      // In ID order, once past the prefix nothing further can start with it.
      else if (id > prefix) return ids;
      if (ids.length >= MAX_IDS) return ids;
    }
    if (items.length < PAGE) return ids;
  }
}

/** A --db word as the shell would pass it: without its quotes, with ~ expanded. */
function shellPath(word: string, { env }: Place): string {
  const unquoted = /^(["'])(.*)\1$/.exec(word)?.[2] ?? word;
  return unquoted === '~' || unquoted.startsWith('~/') ? (env.HOME || homedir()) + unquoted.slice(1) : unquoted;
}

const unique = (values: string[]) => [...new Set(values)];
