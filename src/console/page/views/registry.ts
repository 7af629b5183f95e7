/**
 * A registry file (REGISTRY.md), as `orgs plan` and `orgs apply` take it: chosen or pasted, its
 * plan shown (the changes and what they do to access, in the access panel), applied on a second
 * click. The file stays on the page: its plan again is empty once applied.
 */

import type { Change } from '../../../core/registry/changes.js';
import { changeSummary } from '../../../core/registry/summary.js';
import { ApiError } from '../api.js';
import { type Child, field, h, uid } from '../dom.js';
import { heading, route, showStatus } from '../frame.js';
import { accessPanel } from '../record.js';
import { actions, breadcrumbs, FieldError, form, submitButton, table } from '../parts.js';

const SIGN_WORDS = { '+': 'adds', '~': 'changes', '-': 'removes' } as const;

const count = (n: number) => `${n} change${n === 1 ? '' : 's'}`;

/** The plan's changes, one row each in its `+ ~ -` form: `+ | member user2 of org2 | +application-info`. */
function planTable(changes: readonly Change[]): Child[] {
  return [
    h('h2', {}, `This file makes ${count(changes.length)}`),
    table(
      ['Change', 'Record', 'Details'],
      changes.map((change) => {
        const { sign, what, detail } = changeSummary(change);
        return [h('span', { class: 'plan-sign', title: SIGN_WORDS[sign] }, sign), what, detail];
      }),
      'The changes of the plan, in the order they are applied',
    ),
  ];
}

/**
 * An error that points into the file (`team.yaml:4:5: …`: a fault, or a refused step naming its
 * record) under the text, which is selected there; a file too large under it too.
 */
function inTheText(error: unknown, text: HTMLTextAreaElement): unknown {
  if (!(error instanceof ApiError)) return error;
  if (error.errorName === 'body_too_large') return new FieldError(text, error.message);
  const at = /^.*?:(\d+):(\d+): ([\s\S]*)$/.exec(error.message);
  if (!at) return error;
  const [line, column] = [Number(at[1]), Number(at[2])];
  const offset = text.value
    .split('\n')
    .slice(0, line - 1)
    .reduce((sum, previous) => sum + previous.length + 1, column - 1);
  text.setSelectionRange(offset, offset);
  return new FieldError(text, `Line ${line}, column ${column}: ${at[3]}`);
}

route(/^\/registry$/, async () => {
  const chooser = h('input', {
    type: 'file',
    name: 'registry-file',
    accept: '.yaml,.yml,.json,application/yaml,application/json',
  });
  const text = h('textarea', { name: 'registry-text', rows: 14, spellcheck: 'false', class: 'file-text' });
  const prune = h('input', { type: 'checkbox', name: 'prune', id: uid() });
  const submit = submitButton('Plan');
  /** The chosen file's name, for the errors that point into it. */
  let fileName: string | undefined;
  let planned = 0;
  const panel = accessPanel((result: { changes: Change[] }) => {
    planned = result.changes.length;
    return planned > 0 ? planTable(result.changes) : undefined;
  });
  const edited = () => {
    panel.reset();
    submit.textContent = 'Plan';
  };
  chooser.addEventListener('change', async () => {
    const chosen = chooser.files?.[0];
    if (!chosen) return;
    text.value = await chosen.text();
    fileName = chosen.name;
    edited();
  });
  text.addEventListener('input', edited);
  prune.addEventListener('change', edited);
  return [
    breadcrumbs(['Organizations', '#/organizations'], ['Plan and apply a file']),
    heading('Plan and apply a registry file'),
    h(
      'p',
      {},
      'A file as Export downloads it, edited: its plan shows what applying it changes and who gains or loses ' +
        'which rights; applying it makes all of that, or nothing.',
    ),
    form(
      { class: 'card' },
      [
        field('Registry file', chooser, 'YAML or JSON, as Export writes it. Choosing one shows it below.'),
        field('Its text', text, 'Or paste the file here.'),
        h(
          'div',
          { class: 'field' },
          h(
            'label',
            { class: 'check', for: prune.id },
            prune,
            h(
              'span',
              {},
              'Prune: remove the members, collaborators and API keys the file does not list from the records it names',
            ),
          ),
        ),
        panel.element,
        actions(submit, h('a', { href: '#/organizations' }, 'Cancel')),
      ],
      async () => {
        if (text.value.trim() === '') throw new FieldError(text, 'Choose a file or paste one.');
        const body = { file: text.value, prune: prune.checked, ...(fileName ? { file_name: fileName } : {}) };
        let made: boolean;
        try {
          made = await panel.change('POST', '/registry/apply', body);
        } catch (error) {
          throw inTheText(error, text);
        }
        if (!made) {
          submit.textContent = `Apply ${count(planned)}`;
          return;
        }
        edited();
        showStatus(
          planned === 0
            ? 'Nothing to change: the store holds what this file says.'
            : `Applied ${count(planned)}. Its plan is now empty.`,
        );
      },
    ),
  ];
});
