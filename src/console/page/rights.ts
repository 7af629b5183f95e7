/**
 * The rights catalogue (src/core/rights.ts, bundled): the groups an organization and the entities
 * use, in words, as tags and in a picker.
 */

import { CATALOGUE, compactRights } from '../../core/rights.js';
import { capital, type Child, h } from './dom.js';

export type GroupName = 'organization' | 'application' | 'gateway' | 'client';

/** Each group's rights, in the catalogue's order (`…_ALL` last): the core's own catalogue. */
const groupRights = (group: GroupName) => CATALOGUE.filter((right) => right.group === group).map((right) => right.name);
const RIGHTS: Record<GroupName, readonly string[]> = {
  organization: groupRights('organization'),
  application: groupRights('application'),
  gateway: groupRights('gateway'),
  client: groupRights('client'),
};

const GROUP_TITLES: Record<GroupName, string> = {
  organization: 'Organization rights',
  application: 'Application rights',
  gateway: 'Gateway rights',
  client: 'OAuth client rights',
};

/** The rights an organization's collaborators and API keys may hold: its own and its entities'. */
export const ORGANIZATION_GROUPS: readonly GroupName[] = ['organization', 'application', 'gateway', 'client'];

/** `RIGHT_ORGANIZATION_SETTINGS_API_KEYS` → `Settings API keys` (within its group). */
function rightLabel(right: string): string {
  const group = (Object.keys(RIGHTS) as GroupName[]).find((g) => RIGHTS[g].includes(right));
  const rest = group ? right.slice(`RIGHT_${group.toUpperCase()}_`.length) : right.replace(/^RIGHT_/, '');
  if (rest === 'ALL') return group ? `All ${group === 'client' ? 'OAuth client' : group} rights` : 'All rights';
  const words = rest
    .toLowerCase()
    .split('_')
    .map((word) => (word === 'api' ? 'API' : word));
  const text = words.join(' ');
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** Rights as the CLI's table prints them, one entry per group: `Organization: info, settings-members`. */
export const groupedRights = (rights: readonly string[]) =>
  compactRights(rights).map((entry) =>
    entry === 'all' ? 'All rights' : capital(entry.replace(/^client:/, 'OAuth client:')),
  );

/** Rights in a sentence: `Organization: info; Gateway: all`. */
export const rightsInWords = (rights: readonly string[]) => groupedRights(rights).join('; ');

/** Rights as small tags, one per group; the exact names in the tooltip. */
export function rightTags(rights: readonly string[] | undefined): Child {
  if (rights === undefined) return h('span', { class: 'muted' }, 'not shown');
  if (rights.length === 0) return h('span', { class: 'muted' }, 'none');
  return h(
    'ul',
    { class: 'tags', title: rights.join(', ') },
    ...groupedRights(rights).map((entry) => h('li', {}, entry)),
  );
}

interface RightsPicker {
  element: HTMLElement;
  value(): string[];
}

/**
 * The rights as grouped checkboxes, those given checked. A group's `…_ALL` ("All organization
 * rights": every present and future right) is a choice of its own that disables the group's
 * single boxes, as in The Things Stack's Console. Rights held outside the groups (such as
 * RIGHT_ALL) appear under "Other rights", so that saving keeps them unless unchecked.
 */
export function rightsPicker(groups: readonly GroupName[], selected: readonly string[] = []): RightsPicker {
  const chosen = new Set(selected);
  const boxes: HTMLInputElement[] = [];
  const checkbox = (right: string) => {
    const input = h('input', { type: 'checkbox', name: 'rights', value: right });
    input.checked = chosen.has(right);
    boxes.push(input);
    return h('label', { class: 'check' }, input, h('span', {}, rightLabel(right), ' ', h('code', {}, right)));
  };
  const fieldset = (title: string, rights: readonly string[], hiddenLegend = false) => {
    const all = rights.find((right) => /^RIGHT_[A-Z]+_ALL$/.test(right));
    const singles = rights.filter((right) => right !== all);
    const checks = h('div', { class: 'checks' }, ...singles.map(checkbox));
    const allChoice = all ? checkbox(all) : null;
    if (allChoice) {
      const allBox = allChoice.querySelector('input')!;
      allChoice.classList.add('check-all');
      allChoice.append(h('span', { class: 'hint' }, 'Every present and future right of the group'));
      const follow = () => {
        for (const box of checks.querySelectorAll('input')) box.disabled = allBox.checked;
      };
      allBox.addEventListener('change', follow);
      follow();
    }
    return h(
      'fieldset',
      { class: 'right-group' },
      h('legend', hiddenLegend ? { class: 'visually-hidden' } : null, title),
      allChoice,
      checks,
    );
  };
  const parts: Child[] = groups.map((group, index) => {
    if (groups.length === 1 || index === 0) return fieldset(GROUP_TITLES[group], RIGHTS[group]);
    // The entity groups of an organization's rights fold away until needed.
    const count = RIGHTS[group].filter((right) => chosen.has(right)).length;
    return h(
      'details',
      { class: 'right-details', open: count > 0 },
      h('summary', {}, GROUP_TITLES[group], count > 0 ? ` (${count} selected)` : ''),
      fieldset(GROUP_TITLES[group], RIGHTS[group], true),
    );
  });
  const known = new Set(groups.flatMap((group) => RIGHTS[group]));
  const others = selected.filter((right) => !known.has(right));
  if (others.length > 0) parts.push(fieldset('Other rights held', others));
  const element = h('div', { class: 'rights', role: 'group', 'aria-label': 'Rights' }, parts);
  // A box disabled by its group's "All" is not sent: the "All" stands for it.
  return { element, value: () => boxes.filter((box) => box.checked && !box.disabled).map((box) => box.value) };
}
