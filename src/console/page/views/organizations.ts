/** Organizations: the list (with the registry's Export) and the form that adds one. */

import { call, caller, seg } from '../api.js';
import { field, h, textArea, textInput } from '../dom.js';
import { go, heading, route } from '../frame.js';
import { ORGANIZATIONS, recordHref } from '../kinds.js';
import { createOrExplain, listPage, suggestions } from '../lists.js';
import { actions, breadcrumbs, form, idInput, idOf, linkButton, submitButton } from '../parts.js';

route(/^\/organizations$/, ({ query }) =>
  listPage(ORGANIZATIONS, query, [
    // A download (Content-Disposition: attachment): the page stays.
    h(
      'a',
      {
        class: 'button secondary',
        href: '/api/v3/registry/export',
        download: 'registry.yaml',
        title: 'Download the registry you may see as a YAML file, as orgs export writes it',
      },
      'Export',
    ),
    linkButton('#/registry', 'Plan and apply a file', 'secondary'),
  ]),
);

route(/^\/organizations\/add$/, async () => {
  const id = idInput('organization-id', () => 'organization');
  const name = textInput('name');
  const description = textArea('description');
  // The owner defaults to the signed-in user.
  const owner = idInput('owner-user-id', () => 'user', caller?.user_id ?? '');
  return [
    breadcrumbs(['Organizations', '#/organizations'], ['Create organization']),
    heading('Create organization'),
    form(
      { class: 'card narrow' },
      [
        field('Organization ID', id, 'Lowercase letters, digits and dashes; it stays reserved even after deletion.'),
        field('Name', name),
        field('Description', description),
        field('Owner user ID', owner, 'The user who becomes its collaborator with all rights.'),
        suggestions(owner, () => 'user'),
        actions(submitButton('Create organization'), h('a', { href: '#/organizations' }, 'Cancel')),
      ],
      async () => {
        const newId = idOf(id, 'organization');
        const user = idOf(owner, 'user');
        const organization: Record<string, unknown> = { ids: { organization_id: newId } };
        if (name.value.trim()) organization.name = name.value.trim();
        if (description.value.trim()) organization.description = description.value.trim();
        await createOrExplain(ORGANIZATIONS, newId, id, async () => {
          await call<any>('POST', `/users/${seg(user)}/organizations`, { organization });
          go(recordHref(ORGANIZATIONS, newId), `Organization ${newId} created.`);
        });
      },
      (name) =>
        name === 'invalid_organization_id'
          ? id
          : ['invalid_user_id', 'user_not_found', 'caller_is_organization'].includes(name)
            ? owner
            : undefined,
    ),
  ];
});
