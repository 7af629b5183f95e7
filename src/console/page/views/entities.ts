/**
 * Applications, gateways and OAuth clients: lists, add, overview, collaborators, effective rights,
 * delete.
 */

import { ApiError, call, caller, describeCaller, get, listing, qs, seg } from '../api.js';
import { capital, type Child, field, h, select, textArea, textInput } from '../dom.js';
import { go, heading, route } from '../frame.js';
import { type EntityKind, kindOf, ORGANIZATIONS, recordHref } from '../kinds.js';
import { createOrExplain, listPage, suggestions } from '../lists.js';
import {
  actions,
  breadcrumbs,
  confirmButton,
  form,
  idInput,
  idOf,
  linkButton,
  pageNumber,
  pager,
  pageSize,
  showFieldError,
  submitButton,
  table,
} from '../parts.js';
import { accessPanel, collaboratorForm, collaboratorPath, deletePage, overview, shell } from '../record.js';
import { rightTags } from '../rights.js';

const ENTITY = '(applications|gateways|clients)';

function entityShell(kind: EntityKind, id: string, active: string, crumbs: string[], content: Child[]): Child[] {
  return shell(
    kind,
    id,
    active,
    [
      ['overview', 'Overview'],
      ['collaborators', 'Collaborators'],
      ['access', 'Who has access'],
      ['rights', 'Effective rights'],
      ['delete', 'Delete'],
    ],
    crumbs,
    content,
  );
}

route(new RegExp(`^/${ENTITY}$`), ({ params: [plural], query }) => listPage(kindOf(plural!), query));

route(new RegExp(`^/${ENTITY}/add$`), async ({ params: [plural] }) => {
  const kind = kindOf(plural!);
  const id = idInput('id', () => 'entity');
  const name = textInput('name');
  const description = textArea('description');
  const ownerType = select('owner-type', [
    ['user', 'User'],
    ['organization', 'Organization'],
  ]);
  const ownerKind = () => ownerType.value as 'user' | 'organization';
  // The owner defaults to the signed-in user.
  const owner = idInput('owner-id', ownerKind, caller?.user_id ?? '');
  const known = suggestions(owner, ownerKind);
  ownerType.addEventListener('change', () => {
    owner.value = ownerKind() === 'user' ? (caller?.user_id ?? '') : '';
    showFieldError(owner, undefined);
    void known.refill();
  });
  return [
    breadcrumbs([kind.title, `#/${kind.plural}`], [`Create ${kind.noun}`]),
    heading(`Create ${kind.noun}`),
    form(
      { class: 'card narrow' },
      [
        field(kind.idLabel, id, 'Lowercase letters, digits and dashes; it stays reserved even after deletion.'),
        field('Name', name),
        field('Description', description),
        field('Owner type', ownerType),
        field('Owner ID', owner, 'The user or organization that becomes its collaborator with all rights.'),
        known,
        actions(submitButton(`Create ${kind.noun}`), h('a', { href: `#/${kind.plural}` }, 'Cancel')),
      ],
      async () => {
        const newId = idOf(id, 'entity');
        const ownerId = idOf(owner, ownerKind());
        const record: Record<string, unknown> = { ids: { [kind.idKey]: newId } };
        if (name.value.trim()) record.name = name.value.trim();
        if (description.value.trim()) record.description = description.value.trim();
        const ownerPath = ownerKind() === 'user' ? 'users' : 'organizations';
        await createOrExplain(kind, newId, id, async () => {
          await call<any>('POST', `/${ownerPath}/${seg(ownerId)}/${kind.plural}`, { [kind.name]: record });
          go(recordHref(kind, newId), `${capital(kind.noun)} ${newId} created.`);
        });
      },
      (name) =>
        name === `invalid_${kind.idKey}`
          ? id
          : ['invalid_user_id', 'invalid_organization_id', 'user_not_found', 'organization_not_found'].includes(name)
            ? owner
            : undefined,
    ),
  ];
});

route(new RegExp(`^/${ENTITY}/([^/]+)(?:/overview)?$`), async ({ params: [plural, id] }) => {
  const kind = kindOf(plural!);
  const extra = [h('p', {}, h('a', { href: `#/activity?${kind.name}_id=${seg(id!)}` }, `Activity of ${id}`))];
  return entityShell(kind, id!, 'overview', [], await overview(kind, id!, extra, false));
});

/** `{ids: {user_ids: {user_id}}}` → ['user', 'user1']. */
function collaboratorOf(item: any): ['user' | 'organization', string] {
  if (item.ids?.organization_ids) return ['organization', item.ids.organization_ids.organization_id];
  return ['user', item.ids?.user_ids?.user_id];
}

const collaboratorIds = (type: 'user' | 'organization', account: string) =>
  type === 'user' ? { user_ids: { user_id: account } } : { organization_ids: { organization_id: account } };

route(new RegExp(`^/${ENTITY}/([^/]+)/collaborators$`), async ({ params: [plural, id], query }) => {
  const kind = kindOf(plural!);
  const page = pageNumber(query);
  const path = `/${kind.plural}/${seg(id!)}`;
  const { items, nextPage } = await listing(
    `${path}/collaborators${qs({ limit: pageSize(query), page })}`,
    'collaborators',
  );
  const base = recordHref(kind, id!, 'collaborators');
  const access = accessPanel();
  const rows = items.map((item) => {
    const [type, account] = collaboratorOf(item);
    return [
      type === 'user' ? 'User' : 'Organization',
      h('code', {}, account),
      rightTags(item.rights),
      h(
        'div',
        { class: 'row-actions' },
        h('a', { href: `${base}/${type}/${seg(account)}`, 'aria-label': `Edit ${account}` }, 'Edit'),
        confirmButton('Remove', `Remove ${account}?`, async () => {
          const removal = `${path}/collaborators/${type}/${seg(account)}`;
          if (await access.change('DELETE', removal)) go(base, `Collaborator ${account} removed.`);
        }),
      ),
    ];
  });
  return entityShell(
    kind,
    id!,
    'collaborators',
    [],
    [
      h('div', { class: 'page-head' }, heading('Collaborators'), linkButton(`${base}/add`, 'Add collaborator')),
      access.element,
      items.length === 0
        ? h('p', { class: 'empty' }, 'No collaborators.')
        : table(['Type', 'ID', 'Rights', 'Actions'], rows, `Collaborators of ${id}`),
      items.length > 0 || page > 1 ? pager(base, query, page, nextPage) : null,
    ],
  );
});

route(new RegExp(`^/${ENTITY}/([^/]+)/collaborators/add$`), async ({ params: [plural, id] }) => {
  const kind = kindOf(plural!);
  const base = recordHref(kind, id!, 'collaborators');
  return entityShell(
    kind,
    id!,
    'collaborators',
    ['Add'],
    [
      heading('Add collaborator'),
      collaboratorForm({
        record: `/${kind.plural}/${seg(id!)}`,
        groups: [kind.group],
        types: ['user', 'organization'],
        cancel: base,
        save: async (type, account, rights, added, change) => {
          const edit = [
            'PUT',
            `/${kind.plural}/${seg(id!)}/collaborators`,
            { collaborator: { ids: collaboratorIds(type, account), rights } },
          ] as const;
          if (await change(...edit)) go(base, added ? `Collaborator ${account} added.` : `Rights of ${account} saved.`);
        },
      }),
    ],
  );
});

route(new RegExp(`^/${ENTITY}/([^/]+)/collaborators/(user|organization)/([^/]+)$`), async ({ params }) => {
  const [plural, id, type, account] = params as [string, string, 'user' | 'organization', string];
  const kind = kindOf(plural);
  const base = recordHref(kind, id, 'collaborators');
  const path = `/${kind.plural}/${seg(id)}`;
  const collaborator = await get<any>(collaboratorPath(path, type, account));
  return entityShell(
    kind,
    id,
    'collaborators',
    [account],
    [
      heading(`Edit ${account}`),
      collaboratorForm({
        record: path,
        groups: [kind.group],
        types: ['user', 'organization'],
        existing: { type, id: account, rights: collaborator.rights ?? [] },
        cancel: base,
        save: async (chosen, name, rights, _added, change) => {
          const edit = [
            'PUT',
            `${path}/collaborators`,
            { collaborator: { ids: collaboratorIds(chosen, name), rights } },
          ] as const;
          if (await change(...edit)) go(base, `Rights of ${name} saved.`);
        },
        remove: async (change) => {
          const removal = `${path}/collaborators/${type}/${seg(account)}`;
          if (await change('DELETE', removal)) go(base, `Collaborator ${account} removed.`);
        },
      }),
    ],
  );
});

/** One path of `rights?explain=true`: how rights reach the subject. */
function rightsPath(path: any): HTMLElement {
  let title: Child;
  const parts: Child[] = [];
  if (path.via === 'administrator') title = 'As an administrator';
  else if (path.via === 'direct') title = 'Directly, as a collaborator';
  else if (path.via?.organization_ids) {
    const org: string = path.via.organization_ids.organization_id;
    title = ['Through organization ', h('a', { href: recordHref(ORGANIZATIONS, org) }, h('code', {}, org))];
    parts.push(
      h('dt', {}, 'Member rights in the organization'),
      h('dd', {}, rightTags(path.member_rights)),
      h('dt', {}, "The organization's rights here"),
      h('dd', {}, rightTags(path.organization_rights)),
    );
  } else if (path.via?.api_key_id) {
    title = ['Through API key ', h('code', {}, path.via.api_key_id)];
    parts.push(
      h('dt', {}, "The key's rights"),
      h('dd', {}, rightTags(path.key_rights)),
      h('dt', {}, "Its organization's rights here"),
      h('dd', {}, rightTags(path.organization_rights)),
    );
  } else title = JSON.stringify(path.via);
  parts.push(h('dt', {}, 'Rights this path gives'), h('dd', {}, rightTags(path.rights)));
  return h('li', { class: 'card path' }, h('h3', {}, title), h('dl', { class: 'facts' }, parts));
}

/** Everyone with a right on the entity, by any path (ACCESS.md `access`); each user links to their paths. */
route(new RegExp(`^/${ENTITY}/([^/]+)/access$`), async ({ params: [plural, id], query }) => {
  const kind = kindOf(plural!);
  const page = pageNumber(query);
  const { body: items, nextPage } = await call<any[]>(
    'GET',
    `/${kind.plural}/${seg(id!)}/access${qs({ limit: pageSize(query), page })}`,
  );
  const rights = recordHref(kind, id!, 'rights');
  const rows = items.map((item) => {
    const ids = item.ids;
    const who = ids.api_key_id
      ? ['API key', h('code', {}, ids.api_key_id), `of ${ids.organization_ids.organization_id}`]
      : ids.user_ids
        ? ['User', h('a', { href: `${rights}?user_id=${seg(ids.user_ids.user_id)}` }, ids.user_ids.user_id)]
        : [
            'Organization',
            h(
              'a',
              { href: `${rights}?organization_id=${seg(ids.organization_ids.organization_id)}` },
              ids.organization_ids.organization_id,
            ),
            ` (${item.members_hidden} members you may not list)`,
          ];
    return [who[0], h('span', {}, ...who.slice(1)), rightTags(item.rights)];
  });
  return entityShell(
    kind,
    id!,
    'access',
    [],
    [
      heading('Who has access'),
      h(
        'p',
        {},
        `Everyone who holds a right on ${id}: its collaborators, the members and API keys of the organizations that collaborate on it, and the administrators.`,
      ),
      items.length === 0
        ? h('p', { class: 'empty' }, 'Nobody you may see.')
        : table(['Type', 'Who', 'Rights'], rows, `Who has access to ${id}`),
      items.length > 0 || page > 1 ? pager(recordHref(kind, id!, 'access'), query, page, nextPage) : null,
    ],
  );
});

route(new RegExp(`^/${ENTITY}/([^/]+)/rights$`), async ({ params: [plural, id], query }) => {
  const kind = kindOf(plural!);
  const base = recordHref(kind, id!, 'rights');
  const userId = query.get('user_id') ?? '';
  const organizationId = query.get('organization_id') ?? '';
  const subject = userId ? 'user' : organizationId ? 'organization' : 'caller';
  // A failed lookup (an unknown or malformed ID) is said under the field; the form stays.
  let failure: string | undefined;
  const answer = await get<any>(
    `/${kind.plural}/${seg(id!)}/rights${qs({ explain: 'true', user_id: userId || undefined, organization_id: organizationId || undefined })}`,
  ).catch((error: unknown) => {
    // The record itself missing, or the Console not answering, is the page's failure, not the field's.
    const fieldsFault =
      error instanceof ApiError && [400, 404].includes(error.status) && error.errorName !== `${kind.name}_not_found`;
    if (!fieldsFault) throw error;
    failure = error.message;
    return undefined;
  });
  const whose = select(
    'subject',
    [
      ['caller', `Mine (${describeCaller(caller)})`],
      ['user', 'A user'],
      ['organization', 'An organization'],
    ],
    subject,
  );
  const subjectKind = () => (whose.value === 'organization' ? 'organization' : 'user');
  const account = idInput('subject-id', subjectKind, userId || organizationId);
  const known = suggestions(account, subjectKind);
  const accountField = field('User or organization ID', account);
  accountField.append(known);
  if (failure) showFieldError(subject === 'caller' ? whose : account, failure);
  accountField.hidden = subject === 'caller';
  whose.addEventListener('change', () => {
    accountField.hidden = whose.value === 'caller';
    void known.refill();
  });
  const who = subject === 'caller' ? 'you have' : `${subject} ${userId || organizationId} has`;
  const paths: any[] = answer?.paths ?? [];
  return entityShell(
    kind,
    id!,
    'rights',
    [],
    [
      heading('Effective rights'),
      form(
        { class: 'card inline-form' },
        [field('Whose rights', whose), accountField, actions(submitButton('Show rights', 'secondary'))],
        async () => {
          if (whose.value === 'caller') return go(base);
          const target = idOf(account, whose.value === 'user' ? 'user' : 'organization');
          go(`${base}?${whose.value === 'user' ? 'user_id' : 'organization_id'}=${seg(target)}`);
        },
      ),
      answer
        ? [
            h('h2', {}, `The rights ${who} on ${id}`),
            rightTags(answer.rights ?? []),
            h('h2', {}, 'Why: the paths they take'),
            paths.length === 0
              ? h('p', { class: 'empty' }, 'No path reaches it: no rights.')
              : h('ol', { class: 'paths' }, ...paths.map(rightsPath)),
          ]
        : null,
    ],
  );
});

route(new RegExp(`^/${ENTITY}/([^/]+)/delete$`), async ({ params: [plural, id] }) => {
  const kind = kindOf(plural!);
  return entityShell(
    kind,
    id!,
    'delete',
    [],
    [
      ...deletePage(
        kind,
        id!,
        'its collaborators lose it. Its ID stays reserved: nothing new can take it. It can be restored within the restore window.',
      ),
    ],
  );
});
