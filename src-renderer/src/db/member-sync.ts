/**
 * Keeps the till's member store (member-store.ts) in step with the central
 * server: bootstrap from the member snapshot, then the checkpoint pull and
 * its live stream. Runs in the member worker (member-worker.ts) on the till,
 * and in-process in Node tests and where a worker cannot start; the code is
 * the same.
 *
 * 1. Bootstrap. With no complete snapshot stored, read the manifest (seq S,
 *    member count) and store every page from where the store stopped: the
 *    key pages by id, then by phone hash, then the member rows by card (this
 *    order is what keeps the store's key tables whole: member-store.ts). A
 *    restart resumes at the last stored page. One page is fetched ahead while
 *    the previous one is checked and stored. A page whose checksum does not
 *    match is refused (SNAPSHOT_PAGE_DAMAGED) and fetched again; a snapshot
 *    the server no longer has (SNAPSHOT_GONE, after a restore) starts over.
 * 2. Catch-up: the generic pull from the store's checkpoint, for this till
 *    database's epoch, until a short page. A till offline for a week pulls
 *    its week of changes, not the chain again. A page that goes back below
 *    the checkpoint means the server was restored from an older backup: the
 *    store starts over.
 * 3. Live: the server's change stream; every event (and every reconnect)
 *    runs the catch-up again. The stream is asked for checkpoints only
 *    (`events=checkpoint`): documents arrive one way, by the pull, and the
 *    server reads and sends each change once.
 *
 * Status (phase, counts, rate, time left) is reported at most every 500 ms
 * and whenever the phase changes; changed member ids after every write.
 */
import { memberSchema, type Member } from '../../../shared/documents';
import { KassaError } from '../../../shared/errors';
import {
  memberRecord,
  parseKeysPage,
  parseRowsPage,
  snapshotManifestSchema,
  snapshotRoutes,
  splitSnapshotPage,
  snapshotRowText,
  SNAPSHOT_KEYS_PAGE_SIZE,
  SNAPSHOT_PAGE_SIZE,
  type SnapshotKeyOrder,
  type SnapshotKeysPage,
  type SnapshotPageHeader,
  type SnapshotRowsPage,
} from '../../../shared/member-snapshot';
import { pullResponseSchema, routes, type PullResponse } from '../../../shared/replication';
import { readEventStream } from './event-stream';
import type { MemberStore, MemberStoreState } from './member-store';

export type MemberSyncStatus = {
  phase: MemberStoreState['phase'];
  loaded: number;
  total: number;
  /** Key entries stored (the first step of a bootstrap, phase `keys`), of `indexTotal`. */
  indexed: number;
  indexTotal: number;
  /** Members stored per second in this bootstrap run, 0 before the first page. */
  rate: number;
  /** Estimated seconds until the bootstrap is complete; null when unknown or done. */
  secondsLeft: number | null;
  online: boolean;
  /**
   * The till holds its region's members only (its store's member scope, shared/member-scope.ts): every other member
   * is looked up on the server, also once the bootstrap is complete.
   */
  partial: boolean;
  /** The last failure, for the status line; null while all is well. */
  error: string | null;
};

export type MemberSyncOptions = {
  store: MemberStore;
  serverUrl: string;
  token: string;
  epoch: string;
  fetch?: typeof fetch;
  retryMs?: number;
  pageSize?: number;
  keysPageSize?: number;
  onStatus: (status: MemberSyncStatus) => void;
  /** Ids of members that changed; '*' after a bootstrap completed (everything may have). */
  onChanges: (ids: string[] | '*') => void;
  /** Resolves when the till is not committing a sale (`holdGate`); the catch-up waits for it between writes. */
  unheld?: () => Promise<void>;
};

/** How long a hold lasts at most: a page that never lets go (it crashed mid-sale) must not stop the sync. */
export const HOLD_LIMIT_MS = 3000;

/**
 * While the till commits a sale it holds the member sync (`set(true)`, then `set(false)`): the catch-up stores
 * no further change until then, so the sale's IndexedDB writes wait for at most the one transaction in flight.
 */
export function holdGate(limitMs = HOLD_LIMIT_MS): { set: (held: boolean) => void; unheld: () => Promise<void> } {
  let release: (() => void) | null = null;
  let until: Promise<void> = Promise.resolve();
  let timer: ReturnType<typeof setTimeout> | null = null;
  const open = () => {
    if (timer) clearTimeout(timer);
    timer = null;
    release?.();
    release = null;
    until = Promise.resolve();
  };
  return {
    set: (held) => {
      if (!held) return open();
      if (release) return;
      until = new Promise((r) => (release = r));
      timer = setTimeout(open, limitMs);
    },
    unheld: () => until,
  };
}

const PULL_LIMIT = 2000;
const STREAM_SILENCE_MS = 45_000;
const STATUS_EVERY_MS = 500;

async function sha256Hex(bytes: Uint8Array<ArrayBuffer>): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', bytes);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

/** Runs until `signal` aborts; never throws (failures are reported in the status and retried). */
export async function runMemberSync(options: MemberSyncOptions, signal: AbortSignal): Promise<void> {
  const doFetch = options.fetch ?? ((input, init) => fetch(input, init));
  const retryMs = options.retryMs ?? 2000;
  const auth = { authorization: `Bearer ${options.token}`, 'accept-encoding': 'gzip' };
  const url = (path: string) => new URL(path, options.serverUrl).toString();
  const { store } = options;

  let online = false;
  let error: string | null = null;
  let runStart = 0;
  let runLoaded = 0;
  let lastStatusAt = 0;
  let lastPhase: MemberStoreState['phase'] | null = null;
  // A report held back by the rate limit goes out when the window closes: a bootstrap then waiting on the network
  // (the next page slow to come) must not show a count from before its last page.
  let trailing: { timer: ReturnType<typeof setTimeout>; state: MemberStoreState } | null = null;
  const report = (state: MemberStoreState, force = false) => {
    const now = Date.now();
    if (!force && state.phase === lastPhase && now - lastStatusAt < STATUS_EVERY_MS) {
      if (trailing) trailing.state = state;
      else
        trailing = {
          state,
          timer: setTimeout(
            () => {
              const last = trailing?.state;
              trailing = null;
              if (last && !signal.aborted) report(last, true);
            },
            STATUS_EVERY_MS - (now - lastStatusAt),
          ),
        };
      return;
    }
    if (trailing) clearTimeout(trailing.timer);
    trailing = null;
    lastStatusAt = now;
    lastPhase = state.phase;
    const elapsed = (now - runStart) / 1000;
    const rate = runLoaded > 0 && elapsed > 0 ? runLoaded / elapsed : 0;
    const left = Math.max(0, state.total - state.count);
    options.onStatus({
      phase: state.phase,
      loaded: state.count,
      total: state.phase === 'ready' ? state.count : state.total,
      indexed: state.keyCount,
      indexTotal: state.keyTotal,
      rate: Math.round(rate),
      secondsLeft: state.phase === 'loading' && rate > 0 ? Math.ceil(left / rate) : null,
      online,
      partial: (state.scope ?? '') !== '',
      error,
    });
  };

  const failure = (status: number, body: unknown) => {
    const e = (body as { error?: { code?: string; message?: string } } | null)?.error;
    const code = e?.code === 'SNAPSHOT_GONE' || e?.code === 'MEMBER_SCOPE_CHANGED' ? e.code : 'BAD_REQUEST';
    return new KassaError(code, e?.message ?? `Server answered ${status}`);
  };

  const getJson = async (path: string): Promise<unknown> => {
    const res = await doFetch(url(path), { headers: auth, signal });
    const body: unknown = await res.json().catch(() => null);
    online = true;
    if (!res.ok) throw failure(res.status, body);
    return body;
  };

  /** A snapshot page, its digest checked over the bytes as received; a page cut short or damaged is refused. */
  const getPage = async <P>(path: string, parse: (header: SnapshotPageHeader, body: string) => P): Promise<P> => {
    const res = await doFetch(url(path), { headers: auth, signal });
    online = true;
    if (!res.ok) throw failure(res.status, await res.json().catch(() => null));
    const bytes = new Uint8Array(await res.arrayBuffer());
    try {
      const { header, body } = splitSnapshotPage(bytes);
      if ((await sha256Hex(body)) !== header.sha256) throw new Error('digest mismatch');
      return parse(header, new TextDecoder().decode(body));
    } catch (e) {
      throw new KassaError(
        'SNAPSHOT_PAGE_DAMAGED',
        `A member page arrived damaged (${e instanceof Error ? e.message : String(e)}); fetching it again`,
      );
    }
  };

  const bootstrap = async (state: MemberStoreState): Promise<MemberStoreState> => {
    let current = state;
    if (current.phase === 'empty') {
      const manifest = snapshotManifestSchema.parse(await getJson(snapshotRoutes.manifest));
      await store.beginSnapshot(manifest.seq, manifest.total, manifest.phones, manifest.scope);
      current = await store.state();
    }
    runStart = Date.now();
    runLoaded = 0;
    report(current, true);
    const keysLimit = options.keysPageSize ?? SNAPSHOT_KEYS_PAGE_SIZE;
    const fetchKeys = (order: SnapshotKeyOrder, after: string): Promise<SnapshotKeysPage> => {
      const query = new URLSearchParams({
        seq: String(current.snapshotSeq),
        order,
        after,
        limit: String(keysLimit),
        scope: current.scope ?? '',
      });
      return getPage(`${snapshotRoutes.keys}?${query.toString()}`, parseKeysPage);
    };
    while (current.phase === 'keys' && !signal.aborted) {
      const order = current.keyOrder;
      let ahead: Promise<SnapshotKeysPage> | null = fetchKeys(order, current.keyAfter);
      while (ahead && !signal.aborted) {
        const page: SnapshotKeysPage = await ahead;
        ahead = page.next === null ? null : fetchKeys(order, page.next);
        // A failure of the page fetched ahead is met when it is awaited (or never, if this page fails first).
        ahead?.catch(() => undefined);
        current = await store.writeKeys(order, page.keys, page.cards, page.next);
        report(current, current.phase !== 'keys');
      }
    }
    const limit = options.pageSize ?? SNAPSHOT_PAGE_SIZE;
    const fetchPage = (after: string): Promise<SnapshotRowsPage> => {
      const query = new URLSearchParams({
        seq: String(current.snapshotSeq),
        after,
        limit: String(limit),
        epoch: options.epoch,
        scope: current.scope ?? '',
      });
      return getPage(`${snapshotRoutes.page}?${query.toString()}`, parseRowsPage);
    };
    // One page is fetched (and checked) ahead while the last one is stored, so the server and this worker both work.
    let ahead: Promise<SnapshotRowsPage> | null = current.phase === 'loading' ? fetchPage(current.after) : null;
    while (ahead && !signal.aborted) {
      const page: SnapshotRowsPage = await ahead;
      ahead = page.next === null ? null : fetchPage(page.next);
      ahead?.catch(() => undefined);
      current = await store.writePage(page);
      runLoaded += page.rows.length;
      report(current, current.phase === 'ready');
    }
    if (current.phase === 'ready') options.onChanges('*');
    return current;
  };

  const pullPage = async (seq: number, scope: string): Promise<PullResponse<Member>> => {
    const query = new URLSearchParams({ seq: String(seq), limit: String(PULL_LIMIT), epoch: options.epoch, scope });
    return pullResponseSchema(memberSchema).parse(await getJson(`${routes.pull('members')}?${query.toString()}`));
  };

  /**
   * Pulls every change above the checkpoint. Returns false when the store must start over. The next page is
   * fetched while this one is stored, so the server and this worker both work.
   */
  const catchUp = async (): Promise<boolean> => {
    const stored = await store.state();
    const scope = stored.scope ?? '';
    let from = stored.checkpoint;
    let ahead: Promise<PullResponse<Member>> | null = pullPage(from, scope);
    while (ahead) {
      const body: PullResponse<Member> = await ahead;
      if (body.documents.some((d) => d.seq <= from)) return false;
      const full = body.documents.length >= PULL_LIMIT;
      ahead = full ? pullPage(body.checkpoint.seq, scope) : null;
      // A failure of the page fetched ahead is met when it is awaited (or never, if this page fails first).
      ahead?.catch(() => undefined);
      if (body.documents.length === 0) {
        // A partial till's page of none of its members may still have looked further (the server's bound).
        if (body.checkpoint.seq > from) await store.applyChanges([], [], body.checkpoint.seq, options.unheld);
        return true;
      }
      const rows = body.documents
        .filter((d) => !d._deleted)
        .map((d) => {
          const record = memberRecord(d, options.epoch);
          // Stored as the snapshot stores rows: the keys beside the text, the state compacted.
          return { text: snapshotRowText(record), record };
        });
      const erased = body.documents.filter((d) => d._deleted).map((d) => d.id);
      await options.unheld?.();
      const changed = await store.applyChanges(rows, erased, body.checkpoint.seq, options.unheld);
      if (changed.length > 0) options.onChanges(changed);
      from = body.checkpoint.seq;
    }
    return true;
  };

  /** Follows the live stream until it breaks; each event pulls what is new. */
  const follow = async (): Promise<void> => {
    const running: { pulling: Promise<boolean> | null } = { pulling: null };
    let again = false;
    let startOver = false;
    const scope: { changed: KassaError | null } = { changed: null };
    const pull = () => {
      if (running.pulling) {
        again = true;
        return;
      }
      running.pulling = (async () => {
        do {
          again = false;
          if (!(await catchUp())) startOver = true;
        } while (again && !startOver);
        return true;
      })()
        .catch((e: unknown) => {
          // The store's member scope changed: leave the stream, the store loads its members again.
          if (e instanceof KassaError && e.code === 'MEMBER_SCOPE_CHANGED') {
            scope.changed = e;
            startOver = true;
          }
          return false;
        })
        .finally(() => {
          running.pulling = null;
          // Restored from an older backup: leave the stream, the store starts over.
          if (startOver) stop.abort();
        });
    };
    // Events only wake the pull: they need not carry the documents the pull reads anyway.
    const query = new URLSearchParams({ epoch: options.epoch, events: 'checkpoint' });
    const stop = new AbortController();
    const onAbort = () => stop.abort();
    signal.addEventListener('abort', onAbort);
    if (signal.aborted) stop.abort();
    try {
      await readEventStream({
        fetch: doFetch,
        url: url(`${routes.stream('members')}?${query.toString()}`),
        headers: auth,
        signal: stop.signal,
        silenceMs: STREAM_SILENCE_MS,
        onOpen: () => {
          online = true;
        },
        onEvent: pull,
      });
    } finally {
      signal.removeEventListener('abort', onAbort);
      await running.pulling;
    }
    if (scope.changed) throw scope.changed;
    if (startOver)
      throw new KassaError('SNAPSHOT_GONE', 'The server was restored from a backup: loading members again');
  };

  while (!signal.aborted) {
    try {
      let state = await store.state();
      if (state.epoch !== options.epoch) {
        await store.reset(options.epoch);
        state = await store.state();
      }
      report(state, true);
      if (state.phase !== 'ready') state = await bootstrap(state);
      if (state.phase !== 'ready') continue;
      if (!(await catchUp())) {
        await store.reset(options.epoch);
        continue;
      }
      error = null;
      report(await store.state(), true);
      await follow();
      // The stream ended (server stopping, proxy closing): connect again after a pause.
      online = false;
    } catch (e) {
      if (signal.aborted) return;
      const code = e instanceof KassaError ? e.code : null;
      if (code === 'SNAPSHOT_GONE' || code === 'MEMBER_SCOPE_CHANGED') {
        await store.reset(options.epoch).catch(() => undefined);
        error = null;
        continue;
      }
      if (code === null) online = false;
      error = e instanceof Error ? e.message : String(e);
      const state = await store.state().catch(() => null);
      if (state) report(state, true);
    }
    await new Promise((r) => setTimeout(r, retryMs));
  }
}
