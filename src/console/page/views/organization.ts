/** An organization: overview, collaborators, API keys, delete. */

import { call, get, listing, qs, seg } from '../api.js';
import { capital, type Child, field, h, textInput, uid, when } from '../dom.js';
import { askBeforeLeaving, go, heading, route } from '../frame.js';
import { ENTITY_KINDS, ORGANIZATIONS, recordHref } from '../kinds.js';
import {
  actions,
  button,
  confirmButton,
  FieldError,
  form,
  linkButton,
  pageNumber,
  pager,
  pageSize,
  submitButton,
  table,
} from '../parts.js';
import { accessPanel, collaboratorForm, collaboratorPath, deletePage, overview, shell } from '../record.js';
import { ORGANIZATION_GROUPS, rightsPicker, rightTags } from '../rights.js';

type OrganizationPage = 'overview' | 'collaborators' | 'reach' | 'api-keys' | 'delete';

/** An organization's page: its breadcrumbs, the left-hand menu and the page's content. */
function organizationShell(id: string, active: OrganizationPage, crumbs: string[], content: Child[]): Child[] {
  const items: Array<[OrganizationPage, string]> = [
    ['overview', 'Overview'],
    ['collaborators', 'Collaborators'],
    ['reach', 'Collaborates on'],
    ['api-keys', 'API keys'],
    ['delete', 'Delete'],
  ];
  return shell(ORGANIZATIONS, id, active, items, crumbs, content);
}

route(/^\/organizations\/([^/]+)(?:\/overview)?$/, async ({ params: [id] }) => {
  const rights = await get<{ rights?: string[] }>(`/organizations/${seg(id!)}/rights`).then(
    (answer) => answer.rights ?? [],
    () => undefined,
  );
  const extra: Child[] = [
    h(
      'section',
      { class: 'card' },
      h('h2', {}, 'Your rights here'),
      rights === undefined
        ? h('p', { class: 'muted' }, 'Not available.')
        : h(
            'details',
            {},
            h('summary', {}, `${rights.length} right${rights.length === 1 ? '' : 's'} (expanded)`),
            rightTags(rights),
          ),
      h('p', {}, h('a', { href: `#/activity?organization_id=${seg(id!)}` }, `Activity of ${id}`)),
    ),
  ];
  return organizationShell(id!, 'overview', [], await overview(ORGANIZATIONS, id!, extra, true));
});

// Collaborators of an organization

route(/^\/organizations\/([^/]+)\/collaborators$/, async ({ params: [id], query }) => {
  const page = pageNumber(query);
  const { items, nextPage } = await listing(
    `/organizations/${seg(id!)}/collaborators${qs({ limit: pageSize(query), page })}`,
    'collaborators',
  );
  const base = recordHref(ORGANIZATIONS, id!, 'collaborators');
  const access = accessPanel();
  const rows = items.map((item) => {
    const user: string = item.ids.user_ids.user_id;
    return [
      h('code', {}, user),
      rightTags(item.rights),
      h(
        'div',
        { class: 'row-actions' },
        h('a', { href: `${base}/user/${seg(user)}`, 'aria-label': `Edit ${user}` }, 'Edit'),
        confirmButton('Remove', `Remove ${user}?`, async () => {
          const removal = `/organizations/${seg(id!)}/collaborators/user/${seg(user)}`;
          if (await access.change('DELETE', removal)) go(base, `Collaborator ${user} removed.`);
        }),
      ),
    ];
  });
  return organizationShell(
    id!,
    'collaborators',
    [],
    [
      h('div', { class: 'page-head' }, heading('Collaborators'), linkButton(`${base}/add`, 'Add collaborator')),
      access.element,
      items.length === 0
        ? h('p', { class: 'empty' }, 'No collaborators.')
        : table(['User ID', 'Rights', 'Actions'], rows, `Collaborators of ${id}`),
      items.length > 0 || page > 1 ? pager(base, query, page, nextPage) : null,
    ],
  );
});

route(/^\/organizations\/([^/]+)\/collaborators\/add$/, async ({ params: [id] }) => {
  const base = recordHref(ORGANIZATIONS, id!, 'collaborators');
  return organizationShell(
    id!,
    'collaborators',
    ['Add'],
    [
      heading('Add collaborator'),
      collaboratorForm({
        record: `/organizations/${seg(id!)}`,
        groups: ORGANIZATION_GROUPS,
        types: ['user'],
        cancel: base,
        save: async (_type, user, rights, added, change) => {
          const edit = [
            'PUT',
            `/organizations/${seg(id!)}/collaborators`,
            { collaborator: { ids: { user_ids: { user_id: user } }, rights } },
          ] as const;
          if (await change(...edit)) go(base, added ? `Collaborator ${user} added.` : `Rights of ${user} saved.`);
        },
      }),
    ],
  );
});

route(/^\/organizations\/([^/]+)\/collaborators\/user\/([^/]+)$/, async ({ params: [id, user] }) => {
  const base = recordHref(ORGANIZATIONS, id!, 'collaborators');
  const collaborator = await get<any>(collaboratorPath(`/organizations/${seg(id!)}`, 'user', user!));
  return organizationShell(
    id!,
    'collaborators',
    [user!],
    [
      heading(`Edit ${user}`),
      collaboratorForm({
        record: `/organizations/${seg(id!)}`,
        groups: ORGANIZATION_GROUPS,
        types: ['user'],
        existing: { type: 'user', id: user!, rights: collaborator.rights ?? [] },
        cancel: base,
        save: async (_type, account, rights, _added, change) => {
          const edit = [
            'PUT',
            `/organizations/${seg(id!)}/collaborators`,
            { collaborator: { ids: { user_ids: { user_id: account } }, rights } },
          ] as const;
          if (await change(...edit)) go(base, `Rights of ${account} saved.`);
        },
        remove: async (change) => {
          const removal = `/organizations/${seg(id!)}/collaborators/user/${seg(user!)}`;
          if (await change('DELETE', removal)) go(base, `Collaborator ${user} removed.`);
        },
      }),
    ],
  );
});

/** What the organization collaborates on, with its rights there (ACCESS.md `reach`); each links to the organization's paths there. */
route(/^\/organizations\/([^/]+)\/reach$/, async ({ params: [id] }) => {
  const items = await get<any[]>(`/organizations/${seg(id!)}/reach`);
  const rows = items.map((item) => {
    const [key, value] = Object.entries(item.ids)[0] as [string, Record<string, string>];
    const kind = ENTITY_KINDS.find((k) => `${k.name}_ids` === key)!;
    const entity = Object.values(value)[0]!;
    return [
      capital(kind.noun),
      h('a', { href: `${recordHref(kind, entity, 'rights')}?organization_id=${seg(id!)}` }, entity),
      rightTags(item.rights),
    ];
  });
  return organizationShell(
    id!,
    'reach',
    [],
    [
      heading('Collaborates on'),
      h(
        'p',
        {},
        `The applications, gateways and clients ${id} collaborates on, with its rights on each; its members hold there what they hold in ${id} within these.`,
      ),
      items.length === 0
        ? h('p', { class: 'empty' }, 'Nothing you may list.')
        : table(['Kind', 'ID', 'Rights'], rows, `What ${id} collaborates on`),
    ],
  );
});

// API keys of an organization

route(/^\/organizations\/([^/]+)\/api-keys$/, async ({ params: [id], query }) => {
  const page = pageNumber(query);
  const { items: keys, nextPage } = await listing(
    `/organizations/${seg(id!)}/api-keys${qs({ limit: pageSize(query), page })}`,
    'api_keys',
  );
  const base = recordHref(ORGANIZATIONS, id!, 'api-keys');
  return organizationShell(
    id!,
    'api-keys',
    [],
    [
      h('div', { class: 'page-head' }, heading('API keys'), linkButton(`${base}/add`, 'Add API key')),
      keys.length === 0
        ? h('p', { class: 'empty' }, 'No API keys.')
        : table(
            ['ID', 'Name', 'Rights', 'Expires', 'Actions'],
            keys.map((key) => [
              h('code', {}, key.id),
              key.name ?? '',
              rightTags(key.rights),
              key.expires_at ? when(key.expires_at, true) : 'never',
              h(
                'div',
                { class: 'row-actions' },
                h('a', { href: `${base}/${seg(key.id)}`, 'aria-label': `Edit API key ${key.id}` }, 'Edit'),
                confirmButton('Delete', `Delete key ${key.id}?`, async () => {
                  await call('DELETE', `/organizations/${seg(id!)}/api-keys/${seg(key.id)}`);
                  go(base, `API key ${key.id} deleted.`);
                }),
              ),
            ]),
            `API keys of ${id}`,
          ),
      keys.length > 0 || page > 1 ? pager(base, query, page, nextPage) : null,
    ],
  );
});

/** `2030-01-31` (a date input's value) → the expiry The Things Stack takes: that day, 00:00 UTC. */
const expiryOf = (date: string) => `${date}T00:00:00Z`;

route(/^\/organizations\/([^/]+)\/api-keys\/add$/, async ({ params: [id] }) => {
  const base = recordHref(ORGANIZATIONS, id!, 'api-keys');
  const name = textInput('name');
  const expiry = h('input', { type: 'date', name: 'expiry' });
  const picker = rightsPicker(ORGANIZATION_GROUPS);
  const holder = h('div', { class: 'key-flow' });
  holder.append(
    heading('Add API key'),
    form(
      { class: 'card' },
      [
        field('Name', name),
        field('Expiry date', expiry, 'Optional: the key stops working on this day (00:00 UTC).'),
        h('h2', {}, 'Rights'),
        picker.element,
        actions(submitButton('Create API key'), h('a', { href: base }, 'Cancel')),
      ],
      async () => {
        const created = (
          await call<any>('POST', `/organizations/${seg(id!)}/api-keys`, {
            name: name.value.trim() || undefined,
            rights: picker.value(),
            expires_at: expiry.value ? expiryOf(expiry.value) : undefined,
          })
        ).body;
        holder.replaceChildren(...keyShownOnce(base, created));
        askBeforeLeaving('Leave without copying the key? It is shown only once: it cannot be shown again.');
        holder.querySelector('h1')?.focus();
        document.title = 'Copy your new API key · orgs Console';
      },
    ),
  );
  return organizationShell(id!, 'api-keys', ['Add'], [holder]);
});

/** The one screen that shows a new key's secret, with Copy and "I have copied the key". */
function keyShownOnce(base: string, key: any): Node[] {
  const value = h('textarea', { readonly: true, id: uid('api-key'), class: 'secret', spellcheck: 'false', rows: 2 });
  value.value = key.key;
  const feedback = h('p', { class: 'copy-feedback', role: 'status' });
  const copy = button(
    'Copy',
    async () => {
      try {
        if (!navigator.clipboard) throw new Error('no clipboard');
        await navigator.clipboard.writeText(key.key);
        feedback.textContent = 'Copied to the clipboard.';
      } catch {
        value.focus();
        value.select();
        feedback.textContent = 'The browser did not allow copying: the key is selected, press Ctrl+C (⌘C) to copy it.';
      }
    },
    'secondary',
  );
  return [
    heading('Copy your new API key'),
    h(
      'div',
      { class: 'card warning' },
      h(
        'p',
        {},
        h('strong', {}, 'This is the only time the key is shown. '),
        'Copy it and keep it somewhere safe: it cannot be shown again. If you lose it, create a new one.',
      ),
      h(
        'div',
        { class: 'field' },
        h('label', { for: value.id }, 'API key'),
        h('div', { class: 'secret-row' }, value, copy),
      ),
      feedback,
      h(
        'dl',
        { class: 'facts' },
        h('dt', {}, 'ID'),
        h('dd', {}, h('code', {}, key.id)),
        key.name ? [h('dt', {}, 'Name'), h('dd', {}, key.name)] : null,
        h('dt', {}, 'Expires'),
        h('dd', {}, key.expires_at ? when(key.expires_at, true) : 'never'),
        h('dt', {}, 'Rights'),
        h('dd', {}, rightTags(key.rights)),
      ),
      actions(
        button(
          'I have copied the key',
          () => {
            askBeforeLeaving(undefined);
            go(base, `API key ${key.id} created.`);
          },
          'primary',
        ),
      ),
    ),
  ];
}

route(/^\/organizations\/([^/]+)\/api-keys\/([^/]+)$/, async ({ params: [id, keyId] }) => {
  const base = recordHref(ORGANIZATIONS, id!, 'api-keys');
  const path = `/organizations/${seg(id!)}/api-keys/${seg(keyId!)}`;
  const key = await get<any>(path);
  const name = textInput('name', key.name ?? '');
  const before = key.expires_at ? String(key.expires_at).slice(0, 10) : '';
  const expiry = h('input', { type: 'date', name: 'expiry' });
  expiry.value = before;
  const picker = rightsPicker(ORGANIZATION_GROUPS, key.rights ?? []);
  return organizationShell(
    id!,
    'api-keys',
    [keyId!],
    [
      heading(key.name ? `API key ${key.name}` : `API key ${keyId}`),
      h(
        'dl',
        { class: 'facts' },
        h('dt', {}, 'ID'),
        h('dd', {}, h('code', {}, key.id)),
        h('dt', {}, 'Created'),
        h('dd', {}, when(key.created_at)),
        h('dt', {}, 'Updated'),
        h('dd', {}, when(key.updated_at)),
      ),
      form(
        { class: 'card' },
        [
          field('Name', name),
          field(
            'Expiry date',
            expiry,
            'The key stops working on this day (00:00 UTC). An expiry can be moved, not removed.',
          ),
          h('h2', {}, 'Rights'),
          picker.element,
          actions(
            submitButton('Save changes'),
            h('a', { href: base }, 'Cancel'),
            confirmButton('Delete API key', `Delete key ${key.id}?`, async () => {
              await call('DELETE', path);
              go(base, `API key ${key.id} deleted.`);
            }),
          ),
        ],
        async () => {
          const change: Record<string, unknown> = { name: name.value.trim(), rights: picker.value() };
          // No rights would delete the key (The Things Stack's UpdateAPIKey): here it is asked for.
          if (picker.value().length === 0) throw new FieldError(picker.element, 'Choose at least one right.');
          if (expiry.value && expiry.value !== before) change.expires_at = expiryOf(expiry.value);
          await call('PUT', path, { api_key: change, field_mask: { paths: Object.keys(change) } });
          go(base, `API key ${key.id} saved.`);
        },
      ),
    ],
  );
});

route(/^\/organizations\/([^/]+)\/delete$/, async ({ params: [id] }) =>
  organizationShell(
    id!,
    'delete',
    [],
    [
      ...deletePage(
        ORGANIZATIONS,
        id!,
        'its collaborators and API keys stop working with it. Its ID stays reserved: no new organization can take it. It can be restored within the restore window.',
      ),
    ],
  ),
);
