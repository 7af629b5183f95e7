/**
 * The one write path of creates (organizations and entities alike): a batch of requests, checked
 * one by one by the kind's own rules, written together. `create` is a batch of one; bulk create,
 * `apply` and the API's create go through here too. A refused request costs only itself.
 */
import { OrgsError } from './errors.js';
import { recordEvents } from './events.js';
import type { NewEvent } from './model.js';
import type { Scope } from './session.js';

/**
 * Records a batch holds at most before it writes them: enough for multi-row statements to pay,
 * few enough that what is held for them stays small.
 */
const HELD = 256;

/** A refusal of one request, or (a failure of the store, a bug) the end of the batch: thrown on. */
export function refusal(error: unknown): OrgsError {
  if (!(error instanceof OrgsError) || error.errorClass === 'internal') throw error;
  return error;
}

/** The one result of a batch of one, its refusal thrown. */
export function onlyResult<R>(results: ReadonlyArray<R | OrgsError>): R {
  const result = results[0]!;
  if (result instanceof OrgsError) throw result;
  return result;
}

/**
 * What a batch writes, held until the batch (or the part of it before an ID it writes is asked
 * about again) is written: the records, the grants to their first collaborators, their events.
 */
export class CreateBatch<R, G> {
  private records: R[] = [];
  private grants: G[] = [];
  private events: NewEvent[] = [];
  /** IDs of the records held. */
  private ids = new Set<string>();
  private readonly done = new Map<string, Promise<unknown>>();

  constructor(
    private readonly scope: Scope,
    private readonly write: (records: R[], grants: G[]) => Promise<void>,
  ) {}

  /**
   * Before a request asks about these IDs: if the batch holds a record of one, what it holds is
   * written first, so that the request finds it as it would have one at a time.
   */
  asking(ids: readonly string[]): Promise<void> | undefined {
    for (const id of ids) if (this.ids.has(id)) return this.flush();
    return undefined;
  }

  /** `work` once per key in the batch (registering a collaborator): each request gets its outcome. */
  once(key: string, work: () => Promise<unknown>): Promise<unknown> {
    let outcome = this.done.get(key);
    if (outcome === undefined) this.done.set(key, (outcome = work()));
    return outcome;
  }

  /** Whether the batch holds as much as it should before writing it. */
  get full(): boolean {
    return this.records.length >= HELD;
  }

  add(id: string, record: R, grant: G, event: NewEvent): void {
    this.ids.add(id);
    this.records.push(record);
    this.grants.push(grant);
    this.events.push(event);
  }

  /** Writes what the batch holds: rows, then events, each in multi-row inserts. */
  async flush(): Promise<void> {
    if (this.records.length === 0) return;
    const { records, grants, events } = this;
    this.records = [];
    this.grants = [];
    this.events = [];
    this.ids = new Set();
    await this.write(records, grants);
    await recordEvents(this.scope, events);
  }
}

/**
 * Creates what `requests` ask for, in order, in the open write transaction: each request's record,
 * or the refusal of it. `prefetch` looks up at once what the checks will ask about; `create` checks
 * one request (every check before it adds to the batch) and adds its writes; `write` writes what
 * the batch holds.
 */
export async function createAll<Q, R, G>(
  scope: Scope,
  requests: readonly Q[],
  prefetch: () => Promise<void>,
  create: (request: Q, batch: CreateBatch<R, G>) => Promise<R>,
  write: (records: R[], grants: G[]) => Promise<void>,
): Promise<Array<R | OrgsError>> {
  await prefetch();
  const batch = new CreateBatch<R, G>(scope, write);
  const results: Array<R | OrgsError> = [];
  for (const request of requests) {
    try {
      results.push(await create(request, batch));
    } catch (error) {
      results.push(refusal(error));
    }
    if (batch.full) await batch.flush();
  }
  await batch.flush();
  return results;
}
