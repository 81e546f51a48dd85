/**
 * The page's side of the till's data worker: starts the worker (or, where
 * no worker can run — Node tests, a page whose policy refuses workers — the
 * same syncs in-process), which keeps the member store (member-sync.ts) and
 * the product catalogue (catalog-sync.ts) in step with the server, and gives
 * the page read connections to both, their status and the ids that changed.
 *
 * While the bootstrap is incomplete, a member the store does not hold yet is
 * looked up online (`onlineLookup`); the cashier is told the member list is
 * still loading, never "Card not found", when that is not possible. A till
 * that holds its region's members only (partial) looks every other member up
 * online for good, and says so when the server cannot be reached.
 */
import { BehaviorSubject, Subject, type Observable } from 'rxjs';
import { memberLookupResponseSchema, parseMemberRecord, snapshotRoutes } from '../../../shared/member-snapshot';
import type { MemberRecord } from '../../../shared/member-snapshot';
import { memberStoreName, openMemberStore, type IndexedDbFactory, type MemberStore } from './member-store';
import { holdGate, runMemberSync, type MemberSyncStatus } from './member-sync';
import { catalogName, openCatalog, type Catalog } from './catalog';
import { runCatalogSync, type CatalogSyncStatus } from './catalog-sync';

export type WorkerIn =
  | { type: 'start'; storeName: string; catalogName: string; serverUrl: string; token: string; epoch: string }
  | { type: 'hold'; held: boolean }
  | { type: 'stop' };
export type WorkerOut =
  | { type: 'status'; status: MemberSyncStatus }
  | { type: 'changes'; ids: string[] | '*' }
  | { type: 'catalog-status'; status: CatalogSyncStatus }
  | { type: 'catalog-changes'; ids: string[] }
  | { type: 'stopped' };

export type OnlineQuery = { card: string } | { id: string } | { phoneHash: string };
/** Members matching the query (possibly several for a phone), or 'unreachable' when the server cannot answer. */
export type OnlineLookup = (query: OnlineQuery) => Promise<MemberRecord[] | 'unreachable'>;

/** The sync's status, and where it runs: 'worker' on the till, 'page' where no worker could start. */
export type MemberSyncState = MemberSyncStatus & { runsIn: 'worker' | 'page' };

export type MemberSync = {
  store: MemberStore;
  status$: Observable<MemberSyncState>;
  status: () => MemberSyncState;
  changes$: Observable<string[] | '*'>;
  /** The product catalogue: products by EAN or id. */
  catalog: Catalog;
  catalogStatus$: Observable<CatalogSyncStatus>;
  catalogStatus: () => CatalogSyncStatus;
  catalogChanges$: Observable<string[]>;
  /** Looks a member up on the server (for members the store does not hold yet). */
  onlineLookup: OnlineLookup;
  /** Holds the member catch-up's writes while the till commits a sale (`true`), and lets go (`false`). */
  hold: (held: boolean) => void;
  stop: () => Promise<void>;
};

export type MemberSyncOptions = {
  tillDatabaseName: string;
  serverUrl: string;
  token: string;
  epoch: string;
  /** Node tests: fake-indexeddb, and no worker. */
  indexedDb?: IndexedDbFactory;
  fetch?: typeof fetch;
  retryMs?: number;
  pageSize?: number;
  keysPageSize?: number;
  /** Makes the member worker (the page passes `new Worker(…)`); without it the sync runs in-process. */
  createWorker?: () => WorkerLike;
};

/**
 * The server lookup a member the store lacks goes to: while the bootstrap is incomplete, and always on a till that
 * holds its region's members only (partial); null once the store holds every member.
 */
export function lookupFallback(sync: Pick<MemberSync, 'status' | 'onlineLookup'>): OnlineLookup | null {
  const status = sync.status();
  return status.phase === 'ready' && !status.partial ? null : sync.onlineLookup;
}

/** The store is complete but holds its region's members only: a member it lacks is elsewhere, not still loading. */
export function holdsRegionOnly(sync: Pick<MemberSync, 'status'>): boolean {
  const status = sync.status();
  return status.phase === 'ready' && status.partial;
}

/** How long stop() waits for the in-process syncs to end after aborting them. */
const STOP_WAIT_MS = 5000;

const INITIAL: MemberSyncState = {
  phase: 'empty',
  loaded: 0,
  total: 0,
  indexed: 0,
  indexTotal: 0,
  rate: 0,
  secondsLeft: null,
  online: false,
  partial: false,
  error: null,
  runsIn: 'worker',
};

/** What the sync needs of a worker (the DOM's Worker, typed here so Node tests compile this module). */
export type WorkerLike = {
  postMessage: (message: WorkerIn) => void;
  terminate: () => void;
  onmessage: ((e: { data: WorkerOut }) => void) | null;
  onerror: (() => void) | null;
};

/** Starts the worker; null where none can start. `onFailed` runs if it cannot load after all (e.g. a policy). */
function startWorker(
  create: () => WorkerLike,
  message: WorkerIn,
  onMessage: (m: WorkerOut) => void,
  onFailed: () => void,
): WorkerLike | null {
  try {
    const worker = create();
    let heard = false;
    worker.onmessage = (e) => {
      heard = true;
      onMessage(e.data);
    };
    worker.onerror = () => {
      if (heard) return;
      worker.terminate();
      onFailed();
    };
    worker.postMessage(message);
    return worker;
  } catch {
    return null;
  }
}

export function onlineMemberLookup(
  options: Pick<MemberSyncOptions, 'serverUrl' | 'token' | 'epoch' | 'fetch'>,
): OnlineLookup {
  const doFetch = options.fetch ?? ((input, init) => fetch(input, init));
  return async (query) => {
    const params = new URLSearchParams({ ...query, epoch: options.epoch });
    try {
      const res = await doFetch(
        new URL(`${snapshotRoutes.lookup}?${params.toString()}`, options.serverUrl).toString(),
        {
          headers: { authorization: `Bearer ${options.token}` },
          signal: AbortSignal.timeout(5000),
        },
      );
      if (res.status === 404) return [];
      if (!res.ok) return 'unreachable';
      return memberLookupResponseSchema.parse(await res.json()).members.map((row) => parseMemberRecord(row));
    } catch {
      return 'unreachable';
    }
  };
}

export async function startMemberSync(options: MemberSyncOptions): Promise<MemberSync> {
  const storeName = memberStoreName(options.tillDatabaseName);
  const store = await openMemberStore(storeName, options.indexedDb);
  const products = catalogName(options.tillDatabaseName);
  const catalog = await openCatalog(products, options.indexedDb);
  const status$ = new BehaviorSubject<MemberSyncState>(INITIAL);
  const changes$ = new Subject<string[] | '*'>();
  const stored = await catalog.state();
  const catalogStatus$ = new BehaviorSubject<CatalogSyncStatus>({
    complete: stored.complete,
    count: stored.count,
    online: false,
  });
  const catalogChanges$ = new Subject<string[]>();
  const onMessage = (m: WorkerOut) => {
    if (m.type === 'status') status$.next({ ...m.status, runsIn: 'worker' });
    else if (m.type === 'changes') changes$.next(m.ids);
    else if (m.type === 'catalog-status') catalogStatus$.next(m.status);
    else if (m.type === 'catalog-changes') catalogChanges$.next(m.ids);
  };
  const start: WorkerIn = {
    type: 'start',
    storeName,
    catalogName: products,
    serverUrl: options.serverUrl,
    token: options.token,
    epoch: options.epoch,
  };
  let stopInProcess: (() => Promise<void>) | null = null;
  const gate = holdGate();
  const runHere = () => {
    status$.next({ ...status$.value, runsIn: 'page' });
    const abort = new AbortController();
    const fetchOption = options.fetch ? { fetch: options.fetch } : {};
    const retryOption = options.retryMs !== undefined ? { retryMs: options.retryMs } : {};
    const catalogDone = runCatalogSync(
      {
        catalog,
        serverUrl: options.serverUrl,
        token: options.token,
        ...fetchOption,
        ...retryOption,
        onStatus: (status) => catalogStatus$.next(status),
        onChanges: (ids) => catalogChanges$.next(ids),
      },
      abort.signal,
    );
    const done = runMemberSync(
      {
        store,
        serverUrl: options.serverUrl,
        token: options.token,
        epoch: options.epoch,
        ...fetchOption,
        ...retryOption,
        ...(options.pageSize !== undefined ? { pageSize: options.pageSize } : {}),
        ...(options.keysPageSize !== undefined ? { keysPageSize: options.keysPageSize } : {}),
        onStatus: (status) => status$.next({ ...status, runsIn: 'page' }),
        onChanges: (ids) => changes$.next(ids),
        unheld: gate.unheld,
      },
      abort.signal,
    );
    stopInProcess = async () => {
      abort.abort();
      // Aborted, the syncs end at their next await; a storage call that never settles must not hold stop() for ever.
      await Promise.race([Promise.all([done, catalogDone]), new Promise((r) => setTimeout(r, STOP_WAIT_MS))]);
    };
  };
  const worker = options.createWorker ? startWorker(options.createWorker, start, onMessage, runHere) : null;
  if (!worker) runHere();
  return {
    store,
    status$: status$.asObservable(),
    status: () => status$.value,
    changes$: changes$.asObservable(),
    catalog,
    catalogStatus$: catalogStatus$.asObservable(),
    catalogStatus: () => catalogStatus$.value,
    catalogChanges$: catalogChanges$.asObservable(),
    onlineLookup: onlineMemberLookup(options),
    hold: (held) => {
      if (worker) worker.postMessage({ type: 'hold', held } satisfies WorkerIn);
      else gate.set(held);
    },
    stop: async () => {
      if (worker) {
        worker.postMessage({ type: 'stop' } satisfies WorkerIn);
        worker.terminate();
      }
      await stopInProcess?.();
      store.close();
      catalog.close();
    },
  };
}
