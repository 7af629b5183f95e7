/**
 * A plan's changes in words, one line each (REGISTRY.md, `--output-format table`): `+ organization
 * org3`, `~ member user2 of org1: +application-info`, `- collaborator org2 of app1`. Pure and
 * small: the CLI prints the lines, the Console's page (bundled) shows the same parts in a table.
 */
import type { Change } from './changes.js';

/** A change's sign, what it changes and how (empty when the sign says it all). */
export interface ChangeSummary {
  sign: '+' | '~' | '-';
  what: string;
  detail: string;
}

const SIGNS: Record<Change['action'], ChangeSummary['sign']> = { create: '+', restore: '+', update: '~', delete: '-' };

/** `RIGHT_APPLICATION_INFO` → `application-info`. */
export const shortRight = (right: string) =>
  right
    .replace(/^RIGHT_/, '')
    .toLowerCase()
    .replaceAll('_', '-');

export function changeSummary(change: Change): ChangeSummary {
  const [first, second] = Object.values(change.ids);
  const kind = change.kind.replace('_', ' ');
  const what = second === undefined ? `${kind} ${first}` : `${kind} ${second} of ${first}`;
  return { sign: SIGNS[change.action], what, detail: detail(change) };
}

/** `+ organization org3 (restored)`, `~ member user2 of org1: +application-info`. */
export function changeLine(change: Change): string {
  const { sign, what, detail } = changeSummary(change);
  const separator = change.action === 'restore' ? ' ' : ': ';
  return `${sign} ${what}${detail === '' ? '' : `${separator}${detail}`}\n`;
}

function detail(change: Change): string {
  if (change.action === 'restore') return '(restored)';
  if (change.kind === 'member' || change.kind === 'collaborator') {
    if (change.action === 'delete') return '';
    const before = new Set(Array.isArray(change.before) ? change.before : []);
    const after = new Set(change.after ?? []);
    const added = [...after].filter((r) => !before.has(r)).map((r) => `+${shortRight(r)}`);
    const removed = [...before].filter((r) => !after.has(r)).map((r) => `-${shortRight(r)}`);
    return [...added, ...removed].join(' ');
  }
  const fields = Object.keys(change.fields ?? {});
  return change.action === 'update' ? fields.join(', ') : '';
}
