/**
 * The pages of one record, an organization or an entity: its menu, overview, collaborator form and
 * deletion.
 */

import { ApiError, call, get, seg } from './api.js';
import { append, capital, type Child, field, h, select, textArea, textInput, uid, when } from './dom.js';
import { go, heading, showStatus } from './frame.js';
import { type Kind, recordHref } from './kinds.js';
import { suggestions } from './lists.js';
import {
  actions,
  attributesEditor,
  breadcrumbs,
  confirmButton,
  FieldError,
  form,
  idInput,
  idOf,
  submitButton,
  table,
  updateBody,
} from './parts.js';
import { type GroupName, rightsPicker, rightTags } from './rights.js';

export function shell(
  kind: Kind,
  id: string,
  active: string,
  items: ReadonlyArray<readonly [string, string]>,
  crumbs: string[],
  content: Child[],
): Child[] {
  const trail: Array<readonly [string, string?]> = [
    [kind.title, `#/${kind.plural}`],
    [id, recordHref(kind, id)],
  ];
  items.forEach(([page, label]) => {
    if (page === active && page !== 'overview') trail.push([label, recordHref(kind, id, page)]);
  });
  for (const crumb of crumbs) trail.push([crumb]);
  return [
    breadcrumbs(...trail),
    h(
      'div',
      { class: 'record' },
      h(
        'nav',
        { class: 'side-menu', 'aria-label': `${capital(kind.noun)} ${id}` },
        h('p', { class: 'side-title' }, h('span', { class: 'kind' }, capital(kind.noun)), h('code', {}, id)),
        h(
          'ul',
          {},
          ...items.map(([page, label]) =>
            h(
              'li',
              {},
              h(
                'a',
                {
                  href: page === 'overview' ? recordHref(kind, id) : recordHref(kind, id, page),
                  'aria-current': page === active ? 'page' : undefined,
                  class: page === 'delete' ? 'danger-link' : undefined,
                },
                label,
              ),
            ),
          ),
        ),
      ),
      h('div', { class: 'record-content' }, content),
    ),
  ];
}

/** The overview of an organization or entity: its facts and the form that edits them. */
export async function overview(kind: Kind, id: string, extra: Child[], fanout: boolean): Promise<Child[]> {
  const path = `/${kind.plural}/${seg(id)}`;
  const record = await get<any>(`${path}?field_mask=all`);
  const name = textInput('name', record.name ?? '');
  const description = textArea('description', record.description ?? '');
  const attributes = attributesEditor(record.attributes ?? {});
  const fanoutBox = h('input', { type: 'checkbox', name: 'fanout-notifications', id: uid() });
  fanoutBox.checked = record.fanout_notifications === true;
  return [
    heading(record.name ? record.name : id),
    record.name ? h('p', { class: 'subtitle' }, h('code', {}, id)) : null,
    h(
      'dl',
      { class: 'facts' },
      h('dt', {}, kind.idLabel),
      h('dd', {}, h('code', {}, id)),
      h('dt', {}, 'Created'),
      h('dd', {}, when(record.created_at)),
      h('dt', {}, 'Updated'),
      h('dd', {}, when(record.updated_at)),
    ),
    form(
      { class: 'card' },
      [
        h('h2', {}, 'General settings'),
        field('Name', name),
        field('Description', description),
        attributes.element,
        fanout
          ? h(
              'div',
              { class: 'field' },
              h(
                'label',
                { class: 'check', for: fanoutBox.id },
                fanoutBox,
                h('span', {}, 'Fan out notifications to the members'),
              ),
            )
          : null,
        actions(submitButton('Save changes')),
      ],
      async () => {
        const wasFanout = record.fanout_notifications === true;
        const { body, paths } = updateBody(
          kind.name,
          record,
          { name: name.value, description: description.value, attributes: attributes.changes() },
          fanout && fanoutBox.checked !== wasFanout ? { fanout_notifications: fanoutBox.checked } : {},
        );
        if (paths.length === 0) {
          showStatus('Nothing changed.');
          return;
        }
        await call('PUT', path, body);
        go(location.hash, `${capital(kind.noun)} ${id} updated (${paths.join(', ')}).`);
      },
    ),
    extra,
  ];
}

type AccountType = 'user' | 'organization';

/** The path of one collaborator: `/organizations/org1/collaborator/user/bob`. */
export const collaboratorPath = (record: string, type: AccountType, account: string) =>
  `${record}/collaborator/${type}/${seg(account)}`;

/** A collaborator's rights, or undefined when the account is not a collaborator. */
async function rightsOfCollaborator(record: string, type: AccountType, account: string): Promise<string[] | undefined> {
  try {
    return (await get<any>(collaboratorPath(record, type, account))).rights ?? [];
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) return undefined;
    throw error;
  }
}

/** Makes a change of access once its effect on access is confirmed (accessPanel); whether it made it. */
export type ChangeAccess = (method: string, path: string, body?: unknown) => Promise<boolean>;

/** A report of `--dry-run` (ACCESS.md): who would gain or lose what, where; the hidden ones a count. */
interface AccessReport {
  /** What the change would answer. */
  result?: any;
  access: Array<{ subject?: any; target?: any; gained?: string[]; lost?: string[]; hidden?: number }>;
}

/** `{user_ids: {user_id: "u1"}}` → `user u1`; a key → `API key ID (org1)`. */
function idsText(ids: any): string {
  if (ids.api_key_id) return `API key ${ids.api_key_id} (${ids.organization_ids.organization_id})`;
  const [kind, value] = Object.entries(ids)[0] as [string, Record<string, string>];
  return `${kind.replace(/_ids$/, '')} ${Object.values(value)[0]}`;
}

/**
 * Where a change of access shows, before it is made, what it does to whose access: `change` asks
 * for the change's dry run and, when it changes anyone's access, shows that and makes nothing;
 * asked again for the same change (the person has seen it and confirms), or for one that changes
 * no one's access, it makes it. Whether it made it. `describe`, when given, says what the dry
 * run's result would change (a registry file's plan), or undefined for nothing: what it describes
 * is shown, and asked for again, whether or not access changes. `reset` forgets what was shown.
 */
export function accessPanel(describe?: (result: any) => Child[] | undefined): {
  element: HTMLElement;
  change: ChangeAccess;
  reset(): void;
} {
  const element = h('section', { class: 'card warning access-changes', hidden: true, tabindex: -1 });
  let shown: string | undefined;
  return {
    element,
    async change(method, path, body) {
      const key = JSON.stringify([method, path, body]);
      if (shown !== key) {
        const report = (await call<AccessReport>(method, `${path}?dry_run=true`, body)).body;
        const described = describe?.(report.result);
        if (report.access.length > 0 || described) {
          show(report, described);
          shown = key;
          return false;
        }
      }
      await call(method, path, body);
      return true;
    },
    reset() {
      shown = undefined;
      element.hidden = true;
    },
  };

  function show(report: AccessReport, described: Child[] | undefined): void {
    const pairs = report.access.filter((pair) => pair.hidden === undefined);
    const hidden = report.access.find((pair) => pair.hidden !== undefined)?.hidden;
    element.replaceChildren();
    append(element, [
      described,
      ...(report.access.length === 0
        ? [h('p', {}, 'No one gains or loses rights.')]
        : [
            h('h2', {}, 'This changes who can do what'),
            table(
              ['Who', 'Where', 'Gains', 'Loses'],
              pairs.map((pair) => [
                idsText(pair.subject),
                idsText(pair.target),
                rightTags(pair.gained ?? []),
                rightTags(pair.lost ?? []),
              ]),
              'What this change does to access',
            ),
            ...(hidden ? [h('p', {}, `And ${hidden} more that you may not see.`)] : []),
          ]),
      h('p', {}, 'Do it again to confirm.'),
    ]);
    element.hidden = false;
    element.focus();
  }
}

/** What saving `after` in place of `before` gives and takes away, in words. */
function rightsChange(before: readonly string[], after: readonly string[]): HTMLElement {
  const gained = after.filter((right) => !before.includes(right));
  const lost = before.filter((right) => !after.includes(right));
  return h(
    'dl',
    { class: 'facts change' },
    h('dt', {}, 'Now'),
    h('dd', {}, rightTags(before)),
    h('dt', {}, 'Gained'),
    h('dd', { class: 'gained' }, rightTags(gained)),
    h('dt', {}, 'Lost'),
    h('dd', { class: 'lost' }, rightTags(lost)),
  );
}

/**
 * The form that adds a collaborator or changes one's rights (organization or entity). Adding
 * an account that already is a collaborator switches to editing it: what would be gained and
 * lost is shown, and saving asks to be clicked again (never a silent replacement).
 */
export function collaboratorForm(options: {
  /** `/organizations/org1`: where its collaborators are. */
  record: string;
  groups: readonly GroupName[];
  types: readonly AccountType[];
  existing?: { type: AccountType; id: string; rights: string[] };
  /** Saves through `change`, which first shows what it does to access and asks again (accessPanel). */
  save: (type: AccountType, account: string, rights: string[], added: boolean, change: ChangeAccess) => Promise<void>;
  remove?: (change: ChangeAccess) => Promise<void>;
  cancel: string;
}): HTMLElement {
  let existing = options.existing;
  const type = select(
    'collaborator-type',
    options.types.map((t) => [t, t === 'user' ? 'User' : 'Organization'] as const),
    existing?.type,
  );
  const typeOf = (): AccountType =>
    existing?.type ?? (options.types.length > 1 ? (type.value as AccountType) : options.types[0]!);
  const account = idInput('collaborator-id', typeOf, existing?.id ?? '', { readonly: existing !== undefined });
  const known = existing ? null : suggestions(account, typeOf);
  type.addEventListener('change', () => void known?.refill());
  const picker = rightsPicker(options.groups, existing?.rights ?? []);
  const typeField = options.types.length > 1 && !existing ? field('Collaborator type', type) : null;
  const accountLabel =
    options.types.length > 1 ? 'User or organization ID' : options.types[0] === 'user' ? 'User ID' : 'Organization ID';
  const change = h('section', { class: 'card warning change-panel', hidden: true, tabindex: -1 });
  const access = accessPanel();
  const submit = submitButton(existing ? 'Save rights' : 'Add collaborator');
  const showChange = () => {
    if (!existing || change.hidden) return;
    change.replaceChildren(
      h('h2', {}, `${existing.id} is already a collaborator`),
      h('p', {}, `Saving replaces the rights ${existing.id} holds now:`),
      rightsChange(existing.rights, picker.value()),
    );
  };
  picker.element.addEventListener('change', showChange);
  return form(
    { class: 'card' },
    [
      typeField,
      field(
        existing ? (existing.type === 'user' ? 'User ID' : 'Organization ID') : accountLabel,
        account,
        existing ? undefined : 'A user that does not exist yet is registered.',
      ),
      known,
      h('h2', {}, 'Rights'),
      picker.element,
      change,
      access.element,
      actions(
        submit,
        h('a', { href: options.cancel }, 'Cancel'),
        options.remove
          ? confirmButton('Remove collaborator', `Remove ${existing?.id}?`, () => options.remove!(access.change))
          : null,
      ),
    ],
    async () => {
      const chosen = typeOf();
      const id = idOf(account, chosen);
      const rights = picker.value();
      if (rights.length === 0) throw new FieldError(picker.element, 'Choose at least one right.');
      if (!existing) {
        const held = await rightsOfCollaborator(options.record, chosen, id);
        if (held !== undefined) {
          // Already a collaborator: edit it, after showing what would change.
          existing = { type: chosen, id, rights: held };
          account.readOnly = true;
          typeField?.remove();
          document.querySelector('h1')!.textContent = `Edit ${id}`;
          submit.textContent = `Save ${id}'s rights`;
          change.hidden = false;
          showChange();
          change.focus();
          return;
        }
        return options.save(chosen, id, rights, true, access.change);
      }
      await options.save(chosen, id, rights, false, access.change);
    },
    (name) =>
      name === 'no_collaborator_rights' ? picker.element : /_id$|not_found$|^nested/.test(name) ? account : undefined,
  );
}

/** Deletion, confirmed by typing the ID (organization or entity), and again after seeing what it does to access. */
export function deletePage(kind: Kind, id: string, consequences: string): Child[] {
  const confirmInput = textInput('confirm-id', '', { autocapitalize: 'off' });
  const access = accessPanel();
  return [
    heading(`Delete ${kind.noun}`),
    form(
      { class: 'card danger-zone' },
      [
        h('p', {}, `Deleting ${kind.noun} `, h('code', {}, id), `: ${consequences}`),
        field(`Type the ${kind.noun} ID (${id}) to confirm`, confirmInput),
        access.element,
        actions(submitButton(`Delete ${kind.noun}`, 'danger'), h('a', { href: recordHref(kind, id) }, 'Cancel')),
      ],
      async () => {
        if (confirmInput.value.trim() !== id) throw new FieldError(confirmInput, `Type ${id} to confirm the deletion.`);
        if (!(await access.change('DELETE', `/${kind.plural}/${seg(id)}`))) return;
        go(
          `#/${kind.plural}?deleted=true`,
          `${capital(kind.noun)} ${id} deleted. It can be restored from this list for a while.`,
        );
      },
    ),
  ];
}
