/**
 * Keeps the till's member store (member-store.ts) in step with the central
 * server: bootstrap from the member snapshot, then the checkpoint pull and
 * its live stream. Runs in the member worker (member-worker.ts) on the till,
 * and in-process in Node tests and where a worker cannot start; the code is
 * the same.
 *
 * 1. Bootstrap. With no complete snapshot stored, read the manifest (seq S,
 *    member count) and store every page from where the store stopped: a
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
 *    runs the catch-up again. The stream's own documents are not used, so
 *    there is one way documents arrive.
 *
 * Status (phase, counts, rate, time left) is reported at most every 500 ms
 * and whenever the phase changes; changed member ids after every write.
 */
import { memberSchema } from '../../../shared/documents';
import { KassaError } from '../../../shared/errors';
import {
  memberRecord,
  pageDigestText,
  parseMemberRecord,
  snapshotManifestSchema,
  snapshotPageSchema,
  snapshotRoutes,
  SNAPSHOT_PAGE_SIZE,
  type SnapshotPage,
} from '../../../shared/member-snapshot';
import { pullResponseSchema, routes } from '../../../shared/replication';
import { readEventStream } from './event-stream';
import type { MemberStore, MemberStoreState, StoredRow } from './member-store';

export type MemberSyncStatus = {
  phase: MemberStoreState['phase'];
  loaded: number;
  total: number;
  /** Members stored per second in this bootstrap run, 0 before the first page. */
  rate: number;
  /** Estimated seconds until the bootstrap is complete; null when unknown or done. */
  secondsLeft: number | null;
  online: boolean;
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
  onStatus: (status: MemberSyncStatus) => void;
  /** Ids of members that changed; '*' after a bootstrap completed (everything may have). */
  onChanges: (ids: string[] | '*') => void;
};

const PULL_LIMIT = 1000;
const STREAM_SILENCE_MS = 45_000;
const STATUS_EVERY_MS = 500;

async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

/** Rows of a verified page, parsed once for their keys. */
function storedRows(rows: readonly string[]): StoredRow[] {
  return rows.map((text) => ({ text, record: parseMemberRecord(text) }));
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
  const report = (state: MemberStoreState, force = false) => {
    const now = Date.now();
    if (!force && state.phase === lastPhase && now - lastStatusAt < STATUS_EVERY_MS) return;
    lastStatusAt = now;
    lastPhase = state.phase;
    const elapsed = (now - runStart) / 1000;
    const rate = runLoaded > 0 && elapsed > 0 ? runLoaded / elapsed : 0;
    const left = Math.max(0, state.total - state.count);
    options.onStatus({
      phase: state.phase,
      loaded: state.count,
      total: state.phase === 'ready' ? state.count : state.total,
      rate: Math.round(rate),
      secondsLeft: state.phase === 'loading' && rate > 0 ? Math.ceil(left / rate) : null,
      online,
      error,
    });
  };

  const getJson = async (path: string): Promise<unknown> => {
    const res = await doFetch(url(path), { headers: auth, signal });
    const body: unknown = await res.json().catch(() => null);
    online = true;
    if (!res.ok) {
      const e = (body as { error?: { code?: string; message?: string } } | null)?.error;
      throw new KassaError(
        e?.code === 'SNAPSHOT_GONE' ? 'SNAPSHOT_GONE' : 'BAD_REQUEST',
        e?.message ?? `Server answered ${res.status}`,
      );
    }
    return body;
  };

  const bootstrap = async (state: MemberStoreState): Promise<MemberStoreState> => {
    let current = state;
    if (current.phase === 'empty') {
      const manifest = snapshotManifestSchema.parse(await getJson(snapshotRoutes.manifest));
      await store.beginSnapshot(manifest.seq, manifest.total);
      current = await store.state();
    }
    runStart = Date.now();
    runLoaded = 0;
    report(current, true);
    const limit = options.pageSize ?? SNAPSHOT_PAGE_SIZE;
    const fetchPage = async (after: string): Promise<SnapshotPage> => {
      const query = new URLSearchParams({
        seq: String(current.snapshotSeq),
        after,
        limit: String(limit),
        epoch: options.epoch,
      });
      return snapshotPageSchema.parse(await getJson(`${snapshotRoutes.page}?${query.toString()}`));
    };
    // One page is fetched ahead while the last one is checked and stored, so the server and this worker both work.
    let ahead: Promise<SnapshotPage> | null = current.phase === 'loading' ? fetchPage(current.after) : null;
    while (ahead && !signal.aborted) {
      const page = await ahead;
      ahead = page.next === null ? null : fetchPage(page.next);
      // A failure of the page fetched ahead is met when it is awaited (or never, if this page fails first).
      ahead?.catch(() => undefined);
      if ((await sha256Hex(pageDigestText(page.rows))) !== page.sha256)
        throw new KassaError('SNAPSHOT_PAGE_DAMAGED', 'A member page arrived damaged; fetching it again');
      current = await store.writePage(storedRows(page.rows), page.next);
      runLoaded += page.rows.length;
      report(current, current.phase === 'ready');
    }
    if (current.phase === 'ready') options.onChanges('*');
    return current;
  };

  /** Pulls every change above the checkpoint. Returns false when the store must start over. */
  const catchUp = async (): Promise<boolean> => {
    for (;;) {
      const { checkpoint } = await store.state();
      const query = new URLSearchParams({ seq: String(checkpoint), limit: String(PULL_LIMIT), epoch: options.epoch });
      const body = pullResponseSchema(memberSchema).parse(
        await getJson(`${routes.pull('members')}?${query.toString()}`),
      );
      if (body.documents.some((d) => d.seq <= checkpoint)) return false;
      if (body.documents.length === 0) return true;
      const live = body.documents.filter((d) => !d._deleted);
      const rows = live.map((d) => {
        const record = memberRecord(d, options.epoch);
        return { text: JSON.stringify(record), record };
      });
      const erased = body.documents.filter((d) => d._deleted).map((d) => d.id);
      const changed = await store.applyChanges(rows, erased, body.checkpoint.seq);
      if (changed.length > 0) options.onChanges(changed);
      if (body.documents.length < PULL_LIMIT) return true;
    }
  };

  /** Follows the live stream until it breaks; each event pulls what is new. */
  const follow = async (): Promise<void> => {
    const running: { pulling: Promise<boolean> | null } = { pulling: null };
    let again = false;
    let startOver = false;
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
        .catch(() => false)
        .finally(() => {
          running.pulling = null;
          // Restored from an older backup: leave the stream, the store starts over.
          if (startOver) stop.abort();
        });
    };
    const query = new URLSearchParams({ epoch: options.epoch });
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
      if (code === 'SNAPSHOT_GONE') {
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
