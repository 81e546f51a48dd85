/**
 * Replication with the central server over the RxDB replication protocol
 * (shared/replication.ts): reference data pulled by server checkpoint with a
 * live Server-Sent-Events stream; the journal pushed, insert-only. (Members
 * and products are pulled by the till's data worker: member-sync.ts,
 * catalog-sync.ts.)
 *
 * The till never waits for this to sell. It reports: online/offline, how many
 * journal documents the server has not acknowledged yet, and the last
 * successful sync.
 *
 * The server's watermark for this database is the truth about what it
 * holds: it is stored from every push reply, and read again (`tillState`)
 * whenever a live stream (re)connects. When it is lower than the mark this
 * till had stored, the server was restored from a backup and no longer has
 * those documents: the till sends its journal again from the server's mark,
 * in tillSeq order (the server stores each document once, so nothing is
 * counted twice). Pushes, RxDB's and these, go one at a time.
 *
 * The journal is compacted while replication runs (journal-compaction.ts:
 * on start, then every hour): acknowledged documents older than the
 * retention period leave the till. RxDB sees those removals as deletions;
 * they are never pushed (the journal is insert-only, the server keeps every
 * document and refuses deleted ones). A server restored to a backup older
 * than the retention period cannot get compacted documents back from here.
 */
import { BehaviorSubject, Subject, combineLatest, type Observable } from 'rxjs';
import { replicateRxCollection, type RxReplicationState } from 'rxdb/plugins/replication';
import type { RxReplicationPullStreamItem } from 'rxdb';
import {
  downDocSchemas,
  pullResponseSchema,
  pushResponseSchema,
  routes,
  streamEventSchema,
  tillStateResponseSchema,
  WIRE_HEADER,
  WIRE_VERSION,
  type Checkpoint,
  type DownCollection,
  type PushResponse,
} from '../../../shared/replication';
import type { JournalRow } from './schemas';
import type { TillDatabase } from './database';
import { tillEpoch } from './sales';
import { readEventStream } from './event-stream';
import { compactJournal, JOURNAL_RETENTION_DAYS } from './journal-compaction';
import { ACK_DOC, readAckedTillSeq, readParked } from './journal-ack';

export { ACK_DOC, readAckedTillSeq };
/** The server sends a heartbeat every 15 s on a live stream; three missed ones end the connection. */
const STREAM_SILENCE_MS = 45_000;
/** Journal documents per push when sending again after a server restore (RxDB's own pushes use the same). */
const PUSH_BATCH = 100;
/** Journal compaction runs when replication starts and then this often while the till runs. */
const COMPACT_EVERY_MS = 60 * 60 * 1000;

/** What the wire carries: documents with RxDB's deleted flag. */
type WireDoc = { _deleted: boolean };

/**
 * `parked`: documents of this till the server kept for review instead of applying (its reply lists them).
 * `refused`: why the server refuses this till (revoked, token no longer valid), for the cashier to see; null otherwise.
 */
export type SyncStatus = {
  online: boolean;
  waiting: number;
  lastSyncAt: string | null;
  pulled: number;
  parked: number;
  refused: string | null;
};

export type Replication = {
  status$: Observable<SyncStatus>;
  states: Array<RxReplicationState<unknown, unknown>>;
  /** Resolves when the first pull of every down collection has finished. */
  awaitInitial: () => Promise<void>;
  /** Resolves when the server has acknowledged every journal document. */
  awaitDrained: () => Promise<void>;
  /** Resolves when every collection has caught up with the server and the journal is drained. */
  awaitInSync: () => Promise<void>;
  stop: () => Promise<void>;
};

/**
 * `compaction`: the retention of acknowledged journal documents and how often compaction runs (tests shorten
 * both); `false` turns it off.
 */
type Options = {
  serverUrl: string;
  token: string;
  tillId: string;
  fetch?: typeof fetch;
  retryMs?: number;
  compaction?: { retentionDays?: number; everyMs?: number; now?: () => Date } | false;
};

/**
 * The replication identifier (and so the checkpoint) of a down collection. It names the collection's schema
 * version from version 1 on: a till whose local schema was migrated pulls that collection again from the
 * start, because documents migrated locally may lack what the new version needs (members migrated to
 * version 1 have no phone hash until the server sends it). Version 0 keeps the identifier it always had.
 */
export function pullIdentifier(collection: DownCollection, schemaVersion: number, serverUrl: string): string {
  return schemaVersion === 0
    ? `kassa-${collection}-${serverUrl}`
    : `kassa-${collection}-v${schemaVersion}-${serverUrl}`;
}

export const startReplication = async (db: TillDatabase, options: Options): Promise<Replication> => {
  const doFetch = options.fetch ?? ((input, init) => fetch(input, init));
  const auth = { authorization: `Bearer ${options.token}` };
  const url = (path: string) => new URL(path, options.serverUrl).toString();
  const retryTime = options.retryMs ?? 2000;

  const online$ = new BehaviorSubject(false);
  const lastSyncAt$ = new BehaviorSubject<string | null>(null);
  const pulled$ = new BehaviorSubject(0);
  const acked$ = new BehaviorSubject(await readAckedTillSeq(db));
  const parked$ = new BehaviorSubject(await readParked(db));
  const refused$ = new BehaviorSubject<string | null>(null);
  const waiting$ = new BehaviorSubject(0);
  const epoch = await tillEpoch(db);
  const succeeded = () => {
    online$.next(true);
    lastSyncAt$.next(new Date().toISOString());
  };

  const request = async (path: string, init?: RequestInit): Promise<unknown> => {
    let res: Response;
    try {
      res = await doFetch(url(path), init);
    } catch (e) {
      online$.next(false);
      throw e;
    }
    const body: unknown = await res.json().catch(() => null);
    if (!res.ok) {
      if (res.status >= 500) online$.next(false);
      // A till the server no longer accepts keeps selling offline, and says why.
      if (res.status === 401) {
        online$.next(false);
        const message = (body as { error?: { message?: unknown } } | null)?.error?.message;
        refused$.next(typeof message === 'string' ? message : 'The central server no longer accepts this till');
      }
      throw new Error(`Server answered ${res.status}: ${JSON.stringify(body)}`);
    }
    succeeded();
    if (refused$.value !== null) refused$.next(null);
    return body;
  };

  const abort = new AbortController();
  const streams: Array<() => void> = [];

  /** Stores the server's watermark from a reply: it only goes down when the server was restored from a backup. */
  const noteAck = async (serverMark: number, newlyParked: number) => {
    const parked = parked$.value + newlyParked;
    if (serverMark === acked$.value && parked === parked$.value) return;
    await db.journal.upsertLocal(ACK_DOC, { tillSeq: serverMark, parked });
    acked$.next(serverMark);
    parked$.next(parked);
  };

  // One push at a time (RxDB's and re-sends), so marks are stored in the order the server gave them.
  let pushQueue: Promise<unknown> = Promise.resolve();
  const pushRows = (rows: unknown[]): Promise<PushResponse> => {
    const run = pushQueue.then(async () => {
      const raw = await request(routes.push, {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json', [WIRE_HEADER]: String(WIRE_VERSION) },
        body: JSON.stringify({ epoch, sentAt: new Date().toISOString(), rows }),
      });
      const body = pushResponseSchema.parse(raw);
      // Pushes go in tillSeq order: everything up to the server's mark is taken (applied, or parked for review).
      await noteAck(body.ackedTillSeq, body.parked.length);
      return body;
    });
    pushQueue = run.catch(() => undefined);
    return run;
  };

  /** Sends the journal again from the server's mark, in tillSeq order, until the server has all of it. */
  let resending: Promise<void> | null = null;
  const resendFrom = (serverMark: number): Promise<void> => {
    resending ??= (async () => {
      try {
        let mark = serverMark;
        for (;;) {
          const docs = await db.journal
            .find({ selector: { tillSeq: { $gt: mark } }, sort: [{ tillSeq: 'asc' }], limit: PUSH_BATCH })
            .exec();
          if (docs.length === 0) return;
          const body = await pushRows(
            docs.map((d) => ({ newDocumentState: { ...d.toJSON(), _deleted: false }, assumedMasterState: null })),
          );
          // No progress: the server waits for a document this database does not have; nothing more to send.
          if (body.ackedTillSeq <= mark) return;
          mark = body.ackedTillSeq;
        }
      } finally {
        resending = null;
      }
    })();
    return resending;
  };

  let checking = false;
  const checkServerMark = async () => {
    if (checking) return;
    checking = true;
    try {
      // Read in the push queue, so no push of ours is half-way while the two marks are compared.
      const read = pushQueue.then(async () => ({
        state: tillStateResponseSchema.parse(await request(routes.tillState, { headers: auth })),
        mine: acked$.value,
      }));
      pushQueue = read.catch(() => undefined);
      const { state, mine } = await read;
      const serverMark = state.epochs.find((e) => e.epoch === epoch)?.ackedTillSeq ?? 0;
      if (serverMark < mine) await resendFrom(serverMark);
    } catch {
      // Offline, refused or a push failed: the next reconnect checks again.
    } finally {
      checking = false;
    }
  };

  const liveStream = (collection: DownCollection): Observable<RxReplicationPullStreamItem<WireDoc, Checkpoint>> => {
    const subject = new Subject<RxReplicationPullStreamItem<WireDoc, Checkpoint>>();
    let stopped = false;
    const connect = async (): Promise<void> => {
      while (!stopped) {
        try {
          await readEventStream({
            fetch: doFetch,
            url: url(routes.stream(collection)),
            headers: auth,
            signal: abort.signal,
            silenceMs: STREAM_SILENCE_MS,
            // A (re)connect may be to a server restored from a backup: compare its watermark with ours.
            onOpen: () => void checkServerMark(),
            onEvent: (raw) => {
              const data = streamEventSchema.parse(JSON.parse(raw));
              if (data === 'RESYNC') subject.next('RESYNC');
              else subject.next(pullResponseSchema(downDocSchemas[collection]).parse(data));
              succeeded();
            },
          });
        } catch {
          // Network gone, server stopped or the connection went silent: fall through to the retry below.
        }
        if (stopped) return;
        online$.next(false);
        await new Promise((r) => setTimeout(r, retryTime));
      }
    };
    void connect();
    streams.push(() => {
      stopped = true;
    });
    return subject.asObservable();
  };

  // Members and products are not here: the till's data worker pulls them (member-sync.ts, catalog-sync.ts).
  const down = (['refdata'] as const).map((collection) =>
    replicateRxCollection<WireDoc, Checkpoint>({
      replicationIdentifier: pullIdentifier(collection, db[collection].schema.version, options.serverUrl),
      collection: db[collection] as never,
      live: true,
      retryTime,
      waitForLeadership: false,
      pull: {
        batchSize: 1000,
        handler: async (checkpoint, batchSize) => {
          const seq = checkpoint?.seq ?? 0;
          const raw = await request(`${routes.pull(collection)}?seq=${seq}&limit=${batchSize}`, { headers: auth });
          const body = pullResponseSchema(downDocSchemas[collection]).parse(raw) as {
            documents: WireDoc[];
            checkpoint: Checkpoint;
          };
          pulled$.next(pulled$.value + body.documents.length);
          return body;
        },
        stream$: liveStream(collection),
      },
    }),
  );

  const up = replicateRxCollection<JournalRow, unknown>({
    replicationIdentifier: `kassa-journal-${options.serverUrl}`,
    collection: db.journal,
    live: true,
    retryTime,
    waitForLeadership: false,
    push: {
      batchSize: PUSH_BATCH,
      handler: async (rows) => {
        // Removed documents (journal compaction) are not news to the server: it keeps them, and refuses deletions.
        const inserts = rows.filter((r) => !r.newDocumentState._deleted);
        if (inserts.length === 0) return [];
        const before = acked$.value;
        const body = await pushRows(inserts);
        // The server no longer has documents it had acknowledged (restored from a backup): send them again.
        if (body.ackedTillSeq < before) await resendFrom(body.ackedTillSeq);
        return body.conflicts.map((c) => ({ ...c, _deleted: false }));
      },
    },
  });

  // Waiting = this till's journal documents above the acknowledged mark (indexed count).
  const recount = async () => {
    waiting$.next(await db.journal.count({ selector: { tillSeq: { $gt: acked$.value } } }).exec());
  };
  const journalSub = db.journal.$.subscribe(() => void recount());
  const ackSub = acked$.subscribe(() => void recount());

  const status$ = new BehaviorSubject<SyncStatus>({
    online: false,
    waiting: 0,
    lastSyncAt: null,
    pulled: 0,
    parked: parked$.value,
    refused: null,
  });
  const statusSub = combineLatest([online$, waiting$, lastSyncAt$, pulled$, parked$, refused$]).subscribe(
    ([online, waiting, lastSyncAt, pulled, parked, refused]) =>
      status$.next({ online, waiting, lastSyncAt, pulled, parked, refused }),
  );

  const compaction = options.compaction === false ? null : (options.compaction ?? {});
  let compacting: Promise<unknown> = Promise.resolve();
  const compact = () => {
    if (!compaction) return;
    compacting = compacting
      .then(() =>
        compactJournal(db, {
          retentionDays: compaction.retentionDays ?? JOURNAL_RETENTION_DAYS,
          ...(compaction.now ? { now: compaction.now() } : {}),
        }),
      )
      // The journal only stays larger until the next run; selling is never affected.
      .catch((e: unknown) => console.warn('Journal compaction failed', e));
  };
  compact();
  const compactTimer = compaction ? setInterval(compact, compaction.everyMs ?? COMPACT_EVERY_MS) : null;

  const states = [...down, up] as Array<RxReplicationState<unknown, unknown>>;
  const awaitDrained = async () => {
    await recount();
    if (waiting$.value === 0) return;
    await new Promise<void>((resolve) => {
      const sub = waiting$.subscribe((n) => {
        if (n === 0) {
          queueMicrotask(() => sub.unsubscribe());
          resolve();
        }
      });
    });
  };
  return {
    status$: status$.asObservable(),
    states,
    awaitInitial: async () => {
      await Promise.all(down.map((s) => s.awaitInitialReplication()));
    },
    awaitDrained,
    awaitInSync: async () => {
      await Promise.all(states.map((s) => s.awaitInSync()));
      await awaitDrained();
    },
    stop: async () => {
      if (compactTimer) clearInterval(compactTimer);
      await compacting;
      for (const s of streams) s();
      abort.abort();
      journalSub.unsubscribe();
      ackSub.unsubscribe();
      statusSub.unsubscribe();
      await Promise.all(states.map((s) => s.cancel()));
    },
  };
};
