/**
 * The till's connections, as React state: the terminal config from the host, the local database, replication
 * of journal and reference data, the member and catalogue sync in its worker, the scanner's status, and the
 * store, program and staff read live from reference data. The till screen renders from this and never opens
 * any of them itself.
 */
import { couponBatchRefSchema, type CouponBatchRef } from '../../../../shared/coupons';
import { useEffect, useState } from 'react';
import { distinctUntilChanged, map } from 'rxjs';
import { getRxStorageDexie } from 'rxdb/plugins/storage-dexie';
import type { KassaHostApi, ScannerStatus, TerminalConfig, WedgeConfig } from '../../../../shared/ipc';
import { storeConfigSchema, type Staff, type StoreConfig } from '../../../../shared/documents';
import { programSchema, type Program } from '../../../../shared/engine';
import { createTillDatabase, type TillDatabase } from '../../db/database';
import { startReplication, type Replication, type SyncStatus } from '../../db/replication';
import { startMemberSync, type MemberSync, type MemberSyncState, type WorkerLike } from '../../db/member-sync-client';
import { syncReceiptFloor, tillEpoch } from '../../db/sales';
import { activeStaff } from '../../db/staff';
import { t } from '../../ui/strings';

/** Set once the first pull of products and reference data has completed on this database. */
const DOWN_READY_DOC = 'down-ready';

export type Till = {
  config: TerminalConfig | null;
  /** Why there is no config yet (not enrolled, host unreachable). */
  configError: string | null;
  db: TillDatabase | null;
  sync: SyncStatus;
  /** Products and reference data have been pulled once on this database (kept across restarts). */
  ready: boolean;
  memberSync: MemberSync | null;
  /** Only the phase: the counts change several times a second and are shown by MemberDataStatus alone. */
  membersPhase: MemberSyncState['phase'];
  /** The product catalogue: complete once a first pull reached the end (kept across restarts), and its size. */
  catalog: { complete: boolean; count: number };
  scanner: ScannerStatus | null;
  /** Keyboard-scanner thresholds: from the terminal config, changed on the scanner settings screen. */
  wedge: WedgeConfig | null;
  setWedge: (wedge: WedgeConfig) => void;
  store: StoreConfig | null;
  program: Program | null;
  /** The program's single-use coupon batches (shared/coupons.ts). */
  coupons: CouponBatchRef[];
  /** Who may sign in here: the store's active staff (PIN hashes only). */
  staff: Staff[];
};

const NOT_SYNCED: SyncStatus = { online: false, waiting: 0, lastSyncAt: null, pulled: 0, parked: 0, refused: null };

export function useTill(host: KassaHostApi): Till {
  const [config, setConfig] = useState<TerminalConfig | null>(null);
  const [configError, setConfigError] = useState<string | null>(null);
  const [db, setDb] = useState<TillDatabase | null>(null);
  const [sync, setSync] = useState<SyncStatus>(NOT_SYNCED);
  const [ready, setReady] = useState(false);
  const [memberSync, setMemberSync] = useState<MemberSync | null>(null);
  const [membersPhase, setMembersPhase] = useState<MemberSyncState['phase']>('empty');
  const [catalog, setCatalog] = useState({ complete: false, count: 0 });
  const [scanner, setScanner] = useState<ScannerStatus | null>(null);
  const [wedge, setWedge] = useState<WedgeConfig | null>(null);
  const [store, setStore] = useState<StoreConfig | null>(null);
  const [program, setProgram] = useState<Program | null>(null);
  const [staff, setStaff] = useState<Staff[]>([]);
  const [coupons, setCoupons] = useState<CouponBatchRef[]>([]);

  // Terminal config from the host; retried until the till is enrolled.
  useEffect(() => {
    let cancelled = false;
    const load = async () => {
      while (!cancelled) {
        try {
          const c = await host.invoke('terminal:get-config', null);
          if (!cancelled) {
            setConfig(c);
            setWedge(c.wedge);
          }
          return;
        } catch (e) {
          setConfigError(e instanceof Error ? e.message : t.notEnrolled);
          await new Promise((r) => setTimeout(r, 2000));
        }
      }
    };
    void load();
    void host.invoke('scanner:get-status', null).then(setScanner, () => undefined);
    const off = host.on('scanner-status', setScanner);
    return () => {
      cancelled = true;
      off();
    };
  }, [host]);

  // Database and replication.
  useEffect(() => {
    if (!config) return;
    let replication: Replication | null = null;
    let database: TillDatabase | null = null;
    let members: MemberSync | null = null;
    let cancelled = false;
    void (async () => {
      const name = `kassa-${config.tillId}`;
      database = await createTillDatabase({ name, storage: getRxStorageDexie() });
      if (cancelled) return void database.close();
      setDb(database);
      // Members bootstrap in the member worker, beside the products' pull: the till sells from the first minute.
      members = await startMemberSync({
        tillDatabaseName: name,
        serverUrl: config.serverUrl,
        token: config.token,
        epoch: await tillEpoch(database),
        // A DOM Worker is a WorkerLike whose handlers take fuller events than the sync reads.
        createWorker: () =>
          new Worker(new URL('../../db/member-worker.ts', import.meta.url), {
            type: 'module',
          }) as unknown as WorkerLike,
      });
      if (cancelled) return void members.stop();
      setMemberSync(members);
      members.status$
        .pipe(
          map((s) => s.phase),
          distinctUntilChanged(),
        )
        .subscribe(setMembersPhase);
      members.catalogStatus$.subscribe(({ complete, count }) => setCatalog({ complete, count }));
      replication = await startReplication(database, {
        serverUrl: config.serverUrl,
        token: config.token,
        tillId: config.tillId,
      });
      replication.status$.subscribe(setSync);
      // Ready only once a first pull completed on this database, never because some products exist.
      if (await database.journal.getLocal(DOWN_READY_DOC)) setReady(true);
      await replication.awaitInitial();
      // A wiped database goes on numbering receipts from the server's last one (tried until it answers).
      for (let wait = 500; !cancelled; wait = Math.min(wait * 2, 10_000)) {
        try {
          await syncReceiptFloor(database, config);
          break;
        } catch {
          await new Promise((r) => setTimeout(r, wait));
        }
      }
      if (cancelled) return;
      await database.journal.upsertLocal(DOWN_READY_DOC, { at: new Date().toISOString() });
      setReady(true);
    })();
    return () => {
      cancelled = true;
      void replication?.stop();
      void members?.stop();
      void database?.close();
    };
  }, [config]);

  // Store and program from reference data, live.
  useEffect(() => {
    if (!db || !config) return;
    const sub = db.refdata.find({ selector: { kind: { $in: ['store', 'program'] } } }).$.subscribe((docs) => {
      const storeDoc = docs.find((d) => d.id === `store:${config.storeId}`);
      const s = storeDoc ? storeConfigSchema.safeParse(storeDoc.data) : null;
      if (s?.success) {
        setStore(s.data);
        const programDoc = docs.find((d) => d.id === `program:${s.data.programId}`);
        const p = programDoc ? programSchema.safeParse(programDoc.data) : null;
        if (p?.success) setProgram(p.data);
      }
    });
    return () => sub.unsubscribe();
  }, [db, config]);

  // The program's single-use coupon batches, live (the server re-publishes a batch as its codes are used).
  useEffect(() => {
    if (!db || !program) return;
    const sub = db.refdata.find({ selector: { kind: 'coupons' } }).$.subscribe((docs) => {
      setCoupons(
        docs.flatMap((d) => {
          const parsed = couponBatchRefSchema.safeParse(d.data);
          return parsed.success && parsed.data.programId === program.id ? [parsed.data] : [];
        }),
      );
    });
    return () => sub.unsubscribe();
  }, [db, program]);

  // The store's active staff, live.
  useEffect(() => {
    if (!db || !config) return;
    const sub = db.refdata.find({ selector: { kind: 'cashier' } }).$.subscribe(() => {
      void activeStaff(db, config.storeId).then(setStaff);
    });
    return () => sub.unsubscribe();
  }, [db, config]);

  return {
    config,
    configError,
    db,
    sync,
    ready,
    memberSync,
    membersPhase,
    catalog,
    scanner,
    wedge,
    setWedge,
    store,
    program,
    coupons,
    staff,
  };
}
