/** The API (/api/v3/): calls, its errors in plain words, and the caller it answers for. */

import { capital } from './dom.js';
import { rightsInWords } from './rights.js';

const csrfToken = document.querySelector<HTMLMetaElement>('meta[name="csrf-token"]')?.content ?? '';

/** An answer of the API that is not a success: its `message` is what the person reads. */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    /** The error's name (`id_taken`): what a form looks at to show it under the right field. */
    readonly errorName = '',
  ) {
    super(message);
  }
}

/** What the person reads for the API's errors: plain sentences, not the CLI's codes and flags. */
const PLAIN_ERRORS: Record<string, string> = {
  no_collaborator_rights: 'Choose at least one right.',
  no_api_key_rights: 'Choose at least one right.',
  id_taken: 'This ID is already taken.',
  invalid_organization_id: 'Use 3 to 36 lowercase letters, digits and single dashes inside, such as radio-team.',
  invalid_application_id: 'Use 3 to 36 lowercase letters, digits and single dashes inside, such as soil-sensors.',
  invalid_gateway_id: 'Use 3 to 36 lowercase letters, digits and single dashes inside, such as roof-gateway.',
  invalid_client_id: 'Use 3 to 36 lowercase letters, digits and single dashes inside, such as my-client.',
  invalid_user_id: 'Use 2 to 36 lowercase letters, digits and single dashes inside, such as alice.',
  user_not_found: 'There is no user with this ID.',
  caller_is_organization: 'This ID is an organization, not a user.',
  nested_organizations: 'An organization cannot be a member of an organization: name a user.',
  invalid_names:
    'This is not a filter of event names: give exact names separated by commas, or one /regular expression/.',
  purge_needs_admin: 'Only an administrator can purge.',
  restore_window_expired: 'It was deleted too long ago to be restored; an administrator can purge it.',
  unauthenticated: 'The Console no longer knows this browser: run orgs console again and open the link it prints.',
};

/**
 * `error:auth:insufficient_rights (the caller lacks RIGHT_X on …)` → a sentence: the table's, or
 * the API's message without its code, rights named as the lists name them and no CLI flags.
 */
function plainMessage(name: string, message: string): string {
  if (PLAIN_ERRORS[name]) return PLAIN_ERRORS[name];
  const detail = (/^error:[^:\s]+:[^\s]+ \(([\s\S]*)\)$/.exec(message)?.[1] ?? message)
    .replace(/\bRIGHT_[A-Z_]+(?:, RIGHT_[A-Z_]+)*/g, (names) => rightsInWords(names.split(', ')))
    .replace(/(?:at least one )?--right-\* flags?/g, 'rights')
    .replace(/--([a-z]+(?:-[a-z]+)*)/g, (_, flag: string) => flag.replaceAll('-', ' '))
    .replace(/\bthe caller lacks\b/g, 'you lack')
    .replace(/\bthe caller has\b/g, 'you have')
    .replace(/\brights it does not hold\b/g, 'rights you do not hold')
    .replace(/\bthe caller\b/g, 'you');
  return capital(detail.endsWith('.') ? detail : `${detail}.`);
}

interface Answer<T> {
  body: T;
  /** The X-Total-Count header: how many results a listing has on all its pages. */
  total?: number;
  /** The x-next-page header: the next page of a listing, when there is one. */
  nextPage?: number;
}

export async function call<T = any>(method: string, path: string, body?: unknown): Promise<Answer<T>> {
  let response: Response;
  try {
    response = await fetch(`/api/v3${path}`, {
      method,
      headers: {
        accept: 'application/json',
        'x-csrf-token': csrfToken,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'same-origin',
      cache: 'no-store',
    });
  } catch {
    throw new ApiError('The Console does not answer: is orgs console still running?', 0);
  }
  const text = await response.text();
  let value: any;
  try {
    value = text ? JSON.parse(text) : undefined;
  } catch {
    value = undefined;
  }
  if (!response.ok) {
    // The Things Stack's error body: the error's name in its details.
    const name = typeof value?.details?.[0]?.name === 'string' ? value.details[0].name : '';
    const message = typeof value?.message === 'string' ? value.message : `${response.status} ${response.statusText}`;
    throw new ApiError(plainMessage(name, message), response.status, name);
  }
  const next = response.headers.get('x-next-page');
  const total = response.headers.get('x-total-count');
  return { body: value as T, nextPage: next ? Number(next) : undefined, total: total ? Number(total) : undefined };
}

/** A list as The Things Stack answers it, `{"<field>": […]}` (`{}` when empty): its items, the next page. */
export async function listing<T = any>(path: string, field: string): Promise<{ items: T[]; nextPage?: number }> {
  const { body, nextPage } = await call<Record<string, T[] | undefined>>('GET', path);
  return { items: body[field] ?? [], nextPage };
}

export const get = async <T = any>(path: string): Promise<T> => (await call<T>('GET', path)).body;

/** `?a=1&b=x` of the defined values (or '' when none). */
export function qs(values: Record<string, string | number | undefined>): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(values))
    if (value !== undefined && value !== '') params.set(name, `${value}`);
  const text = params.toString();
  return text ? `?${text}` : '';
}

export const seg = (id: string) => encodeURIComponent(id);

interface Caller {
  user_id?: string;
  admin?: boolean;
  local_administrator?: boolean;
  api_key_id?: string;
  organization_id?: string;
  /** How long a deleted record can be restored (`orgs config set restore-window`). */
  restore_window_ms?: number;
}

export let caller: Caller | undefined;

/** Asks the API who the page acts for (The Things Stack's auth_info), and the Console's settings. */
export async function signIn(): Promise<void> {
  const [info, settings] = await Promise.all([get<any>('/auth_info'), get<any>('/console/settings')]);
  const key = info.api_key;
  caller = {
    ...(key
      ? { api_key_id: key.api_key.id, organization_id: key.entity_ids.organization_ids?.organization_id }
      : info.user_session
        ? { user_id: info.user_session.user_ids.user_id, admin: info.is_admin === true }
        : { local_administrator: true, admin: true }),
    restore_window_ms: settings.restore_window_ms,
  };
}

export function describeCaller(who: Caller | undefined): string {
  if (!who) return 'unknown caller';
  if (who.local_administrator) return 'local administrator';
  if (who.user_id) return who.admin ? `${who.user_id} (administrator)` : who.user_id;
  if (who.api_key_id) return `API key ${who.api_key_id} of ${who.organization_id ?? '?'}`;
  return 'unknown caller';
}
