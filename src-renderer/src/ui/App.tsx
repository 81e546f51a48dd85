/**
 * The till screen: status bar, member panel, basket with the engine's quote,
 * and the pay dialog. Every scan — HID from the host or keyboard wedge —
 * goes through `handleScan`, classified before use. Bad input shows a
 * message and changes nothing.
 */
import { useCallback, useEffect, useMemo, useReducer, useRef, useState } from 'react';
import { distinctUntilChanged, map } from 'rxjs';
import { getRxStorageDexie } from 'rxdb/plugins/storage-dexie';
import type { KassaHostApi, ScannerStatus, ScanRejected, TerminalConfig, WedgeConfig } from '../../../shared/ipc';
import { classifyScan } from '../../../shared/scan';
import { storeConfigSchema, type Staff, type StoreConfig } from '../../../shared/documents';
import { isKassaError } from '../../../shared/errors';
import { needsSupervisor } from '../../../shared/staff/till-events';
import { currentTier, programSchema, quote, type Program, type Quote, type QuoteInput } from '../../../shared/engine';
import { memberStateSchema, type MemberState } from '../../../shared/engine/member-state';
import { formatMoney } from '../../../shared/money';
import { createTillDatabase, type TillDatabase } from '../db/database';
import { startReplication, type Replication, type SyncStatus } from '../db/replication';
import { lookupMember, memberById } from '../db/members';
import { startMemberSync, type MemberSync, type MemberSyncState, type WorkerLike } from '../db/member-sync-client';
import { memberViewOf, recordSale, tillEpoch } from '../db/sales';
import type { ProductRow } from '../db/schemas';
import { activeStaff, checkPin, recordEvent } from '../db/staff';
import { installWedge } from '../wedge';
import { catalogKey, pickedLine, scannedLine, type ScannedLine } from '../features/sale/scanned-line';
import { newSession, saleSession, scanRefusal, tenderSummary, type Tender } from '../features/sale/session';
import { PayDialog } from './PayDialog';
import { ProductSearch } from './ProductSearch';
import { PinDialog, type PinAnswer } from './PinDialog';
import { ScannerSettings } from './ScannerSettings';
import { ReturnDialog } from './ReturnDialog';
import { serverSaleLookup, type ReceiptKey } from '../db/returns';
import { t } from './strings';

type Message = { kind: 'error' | 'info'; text: string } | null;
type Receipt = {
  saleId: string;
  receiptNo: number;
  at: string;
  cashier: string;
  tenders: Tender[];
  changeMinor: number;
  lines: Array<{ lineId: string; name: string; quantity: number; grams: number | null; totalMinor: number }>;
  totalMinor: number;
  currency: string;
  pointsEarned: number;
  pointsRedeemed: number;
  balanceAfter: number | null;
};

const money = (minor: number, currency: string) => formatMoney({ minor, currency });
/** A receipt's number as printed: the till, then the number on it (`till-1-000042`). */
function receiptLabel(tillId: string, receiptNo: number): string {
  return `${tillId}-${String(receiptNo).padStart(6, '0')}`;
}
/** Date and time in the store's time zone (the till's own zone until the store is known). */
function storeTime(iso: string, timeZone: string | undefined): string {
  return new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short', timeZone }).format(
    new Date(iso),
  );
}
/** Set once the first pull of products and reference data has completed on this database. */
const DOWN_READY_DOC = 'down-ready';

/** Marks a scan, so the screen can measure scan → rendered (performance entries `kassa:scan-to-*`). */
type PendingScan = { kind: 'panel' | 'line'; code: string; start: number };
const time = (iso: string | null) => (iso ? new Date(iso).toLocaleTimeString() : null);

export const App = ({ host }: { host: KassaHostApi }) => {
  const [config, setConfig] = useState<TerminalConfig | null>(null);
  const [configError, setConfigError] = useState<string | null>(null);
  const [db, setDb] = useState<TillDatabase | null>(null);
  const [sync, setSync] = useState<SyncStatus>({
    online: false,
    waiting: 0,
    lastSyncAt: null,
    pulled: 0,
    parked: 0,
    refused: null,
  });
  /** Products and reference data have been pulled once on this database (kept across restarts). */
  const [ready, setReady] = useState(false);
  const [memberSync, setMemberSync] = useState<MemberSync | null>(null);
  /** Only the phase: the counts change several times a second and are shown by MemberDataStatus alone. */
  const [membersPhase, setMembersPhase] = useState<MemberSyncState['phase']>('empty');
  /** The product catalogue: complete once a first pull reached the end (kept across restarts), and its size. */
  const [catalog, setCatalog] = useState({ complete: false, count: 0 });
  const [scanner, setScanner] = useState<ScannerStatus | null>(null);
  /** Keyboard-scanner thresholds: from the terminal config, changed on the scanner settings screen. */
  const [wedge, setWedge] = useState<WedgeConfig | null>(null);
  /** A keyboard burst that was not read cleanly: shown with what was read until used or dismissed. */
  const [rejected, setRejected] = useState<ScanRejected | null>(null);
  const [store, setStore] = useState<StoreConfig | null>(null);
  const [program, setProgram] = useState<Program | null>(null);
  /** This customer's sale: basket, member, reward choice, payment (features/sale/session.ts). */
  const [session, dispatch] = useReducer(saleSession, undefined, () => newSession());
  const { member, lines, redeem } = session;
  const paying = session.phase === 'paying';
  const [view, setView] = useState<{
    memberId: string;
    accountId: string;
    state: MemberState;
    /** Versions of the snapshots the view was computed from: the sale names them for the server's re-check. */
    memberSeq: number;
    accountSeq: number | null;
  } | null>(null);
  const [message, setMessage] = useState<Message>(null);
  const [explain, setExplain] = useState(false);
  /** A sale being committed: the pay dialog takes no more tenders. */
  const [committing, setCommitting] = useState(false);
  const [settings, setSettings] = useState(false);
  const [lookup, setLookup] = useState('');
  const [pointsInput, setPointsInput] = useState('');
  const [receipt, setReceipt] = useState<Receipt | null>(null);
  /** The last sale's receipt, kept for a reprint after the next customer's sale has begun. */
  const [lastReceipt, setLastReceipt] = useState<Receipt | null>(null);
  const [staff, setStaff] = useState<Staff[]>([]);
  const [cashier, setCashier] = useState<Staff | null>(null);
  const [lastCashierId, setLastCashierId] = useState<string | null>(null);
  const [voiding, setVoiding] = useState(false);
  // Returns: the dialog open (with the receipt scanned, if one was), and the server to ask while online.
  const [returning, setReturning] = useState<{ scanned: ReceiptKey | null; n: number } | null>(null);
  const returnLookup = useMemo(() => (config && sync.online ? serverSaleLookup(config) : null), [config, sync.online]);
  const pendingScan = useRef<PendingScan | null>(null);

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
    let sync: MemberSync | null = null;
    let cancelled = false;
    void (async () => {
      const name = `kassa-${config.tillId}`;
      database = await createTillDatabase({ name, storage: getRxStorageDexie() });
      if (cancelled) return void database.close();
      setDb(database);
      // Members bootstrap in the member worker, beside the products' pull: the till sells from the first minute.
      sync = await startMemberSync({
        tillDatabaseName: name,
        serverUrl: config.serverUrl,
        token: config.token,
        epoch: await tillEpoch(database),
        // A DOM Worker is a WorkerLike whose handlers take fuller events than the sync reads.
        createWorker: () =>
          new Worker(new URL('../db/member-worker.ts', import.meta.url), { type: 'module' }) as unknown as WorkerLike,
      });
      if (cancelled) return void sync.stop();
      setMemberSync(sync);
      sync.status$
        .pipe(
          map((s) => s.phase),
          distinctUntilChanged(),
        )
        .subscribe(setMembersPhase);
      sync.catalogStatus$.subscribe(({ complete, count }) => setCatalog({ complete, count }));
      replication = await startReplication(database, {
        serverUrl: config.serverUrl,
        token: config.token,
        tillId: config.tillId,
      });
      replication.status$.subscribe(setSync);
      // Ready only once a first pull completed on this database, never because some products exist.
      if (await database.journal.getLocal(DOWN_READY_DOC)) setReady(true);
      await replication.awaitInitial();
      if (cancelled) return;
      await database.journal.upsertLocal(DOWN_READY_DOC, { at: new Date().toISOString() });
      setReady(true);
    })();
    return () => {
      cancelled = true;
      void replication?.stop();
      void sync?.stop();
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

  // Who may sign in here: the store's active staff (PIN hashes only), live.
  useEffect(() => {
    if (!db || !config) return;
    const sub = db.refdata.find({ selector: { kind: 'cashier' } }).$.subscribe(() => {
      void activeStaff(db, config.storeId).then((list) => {
        setStaff(list);
        // A cashier deactivated by head office (or given a new PIN) is signed out as soon as the till hears of it.
        setCashier((c) => (c && !list.some((s) => s.id === c.id && s.pinHash === c.pinHash) ? null : c));
      });
    });
    return () => sub.unsubscribe();
  }, [db, config]);

  // The member's view (snapshot + this till's unconfirmed journal, through the shared projection), live.
  useEffect(() => {
    if (!db || !config || !member || !store || !memberSync) return;
    let accountId: string | null = null;
    // The first view is of the record just found; later ones read it again (it may have changed).
    let fresh = true;
    const refresh = () => {
      void (async () => {
        // While the member list loads, a member the store lacks is read from the server.
        const online = memberSync.status().phase === 'ready' ? null : memberSync.onlineLookup;
        const row = fresh ? member : ((await memberById(memberSync.store, member.id, online)) ?? member);
        fresh = false;
        // A household shares one account: its points are the account member's, the rest is the member's own.
        accountId = memberStateSchema.parse(row.state).householdId ?? row.id;
        const account = accountId === row.id ? null : await memberById(memberSync.store, accountId, online);
        const v = await memberViewOf(db, row, account, store.timeZone);
        setView({ ...v, memberSeq: row.seq, accountSeq: account?.seq ?? null });
      })();
    };
    refresh();
    const a = db.journal.$.subscribe(refresh);
    const b = memberSync.changes$.subscribe((ids) => {
      if (ids === '*' || ids.includes(member.id) || (accountId !== null && ids.includes(accountId))) refresh();
    });
    return () => {
      a.unsubscribe();
      b.unsubscribe();
    };
  }, [db, config, member, store, memberSync]);

  const memberState = member && view?.memberId === member.id ? view.state : null;

  // Scan → rendered, for the benchmarks: a measure once the scanned member's panel or product's line is on screen.
  useEffect(() => {
    const p = pendingScan.current;
    if (p?.kind !== 'panel' || !member || !memberState || member.cardNumber !== p.code) return;
    pendingScan.current = null;
    performance.measure('kassa:scan-to-panel', { start: p.start, detail: p.code });
  }, [member, memberState]);
  useEffect(() => {
    const p = pendingScan.current;
    if (p?.kind !== 'line' || lines.length === 0) return;
    pendingScan.current = null;
    performance.measure('kassa:scan-to-line', { start: p.start, detail: p.code });
  }, [lines]);

  // The line the last scan changed is kept in view in a long basket.
  useEffect(() => {
    if (session.lastLineId) document.querySelector('.basket tr.last')?.scrollIntoView({ block: 'nearest' });
  }, [session.lastLineId, lines.length]);

  /** Everything the engine needs for this basket, but the time (taken when quoting and when paying). */
  const quoteInput = useMemo((): Omit<QuoteInput, 'at'> | null => {
    if (!program || !store || lines.length === 0) return null;
    return {
      program,
      member: member && memberState && view ? { id: member.id, accountId: view.accountId, state: memberState } : null,
      basket: lines,
      timeZone: store.timeZone,
      redeem,
      offline: !sync.online,
    };
  }, [program, store, lines, member, memberState, view, redeem, sync.online]);

  const q: Quote | null = useMemo(
    () => (quoteInput ? quote({ ...quoteInput, at: new Date().toISOString() }) : null),
    [quoteInput],
  );

  const addProduct = useCallback((product: ProductRow, scanned: ScannedLine) => {
    setReceipt(null);
    dispatch({ type: 'add-product', product, scanned });
  }, []);

  /** Quantity of an item line; never below 1 (remove the line instead). */
  const changeQuantity = (lineId: string, delta: number) => dispatch({ type: 'change-quantity', lineId, delta });

  const findMember = useCallback(
    async (text: string): Promise<boolean> => {
      if (!db || !memberSync) return false;
      const code = text.trim();
      // Typed phone numbers are found by their keyed hash: the till holds no phone numbers.
      const loading = memberSync.status().phase !== 'ready';
      const found = await lookupMember(memberSync.store, code, store, loading ? memberSync.onlineLookup : null);
      if (found.kind !== 'found') {
        const error =
          found.kind === 'ambiguous'
            ? t.phoneAmbiguous(code)
            : found.kind === 'still-loading'
              ? t.membersStillLoading(code)
              : found.asPhone
                ? t.memberNotFound(code)
                : t.cardNotFound(code);
        setMessage({ kind: 'error', text: error });
        return false;
      }
      dispatch({ type: 'attach-member', member: found.member });
      setMessage(found.online ? { kind: 'info', text: t.foundOnline } : null);
      return true;
    },
    [db, store, memberSync],
  );

  const handleScan = useCallback(
    async (raw: string) => {
      if (!db || !config) return;
      if (!cashier) {
        setMessage({ kind: 'error', text: t.signInFirst });
        return;
      }
      setRejected(null);
      // While paying, the basket and member are fixed: the amount due never changes under the cashier.
      if (scanRefusal(session)) {
        setMessage({ kind: 'error', text: t.scanDuringPayment });
        return;
      }
      const scan = classifyScan(raw, config.scan);
      // A receipt scan opens the return (or looks up another receipt in it); nothing else is taken meanwhile.
      if (scan.kind === 'receipt' || returning) {
        if (scan.kind === 'receipt') setReturning({ scanned: { kind: 'sale', saleId: scan.saleId }, n: Date.now() });
        else setMessage({ kind: 'error', text: t.returnScanRefused });
        return;
      }
      switch (scan.kind) {
        case 'member-card':
          pendingScan.current = { kind: 'panel', code: scan.cardNumber, start: performance.now() };
          await findMember(scan.cardNumber);
          return;
        case 'product':
        case 'weighed-product':
        case 'priced-product': {
          const key = catalogKey(scan);
          pendingScan.current = { kind: 'line', code: key, start: performance.now() };
          const product = memberSync ? await memberSync.catalog.byEan(key) : null;
          if (!product) {
            setMessage({ kind: 'error', text: t.productNotFound(raw.trim()) });
            return;
          }
          const scanned = scannedLine(product, scan);
          if (!scanned.ok) {
            setMessage({ kind: 'error', text: t.badScan(scanned.reason) });
            return;
          }
          addProduct(product, scanned.value);
          setMessage(null);
          return;
        }
        case 'unknown':
          setMessage({ kind: 'error', text: t.badScan(scan.reason) });
          return;
        default:
          setMessage({ kind: 'error', text: t.badScan(`${scan.kind} scans are not handled at this screen`) });
      }
    },
    [db, config, cashier, session, findMember, addProduct, memberSync, returning],
  );

  // Keyboard shortcuts on the sale screen (their keys are shown beside what they do): F3 the member field, F4 the
  // product search, F12 pay. Not while a dialog is open: the dialog owns the keyboard.
  const dialogOpen = paying || voiding || settings || !cashier || returning !== null;
  const canPay = q !== null && !dialogOpen;
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (dialogOpen) return;
      const focus = (id: string) => {
        e.preventDefault();
        document.getElementById(id)?.focus();
      };
      if (e.key === 'F3') focus('lookup');
      else if (e.key === 'F4') focus('product-search');
      else if (e.key === 'F9') {
        e.preventDefault();
        setReturning({ scanned: null, n: Date.now() });
      } else if (e.key === 'F12' && canPay) {
        e.preventDefault();
        setMessage(null);
        dispatch({ type: 'open-pay' });
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [dialogOpen, canPay]);

  /** The receipt on screen through the system print dialog (the print stylesheet prints only the receipt, 80 mm). */
  const printReceipt = async () => {
    if (config?.mode !== 'electron') return window.print();
    try {
      await host.invoke('receipt:print', null);
    } catch (e) {
      setMessage({ kind: 'error', text: e instanceof Error ? e.message : String(e) });
    }
  };

  /** The lookup field: a product code typed by hand goes in the basket; anything else finds a member. */
  const lookupTyped = async (text: string): Promise<boolean> => {
    if (!config || !memberSync) return false;
    const scan = classifyScan(text, config.scan);
    if (scan.kind === 'product' || scan.kind === 'weighed-product' || scan.kind === 'priced-product') {
      // A phone number can look like a short product code: only a code the catalogue knows is taken as one.
      if (await memberSync.catalog.byEan(catalogKey(scan))) {
        await handleScan(text);
        return true;
      }
    }
    return findMember(text);
  };

  // HID scans from the host and keyboard-wedge scans take the same path.
  const scanRef = useRef(handleScan);
  const scannerRef = useRef(scanner);
  useEffect(() => {
    scanRef.current = handleScan;
    scannerRef.current = scanner;
  });
  useEffect(() => host.on('scan', (s) => void scanRef.current(s.data)), [host]);
  useEffect(() => host.on('scan-rejected', setRejected), [host]);
  useEffect(() => {
    if (!wedge) return;
    return installWedge(wedge, {
      onScan: (data) => void scanRef.current(data),
      onRejected: (data, reason) => setRejected({ data, reason, source: 'keyboard-wedge' }),
      suppressed: () => scannerRef.current?.ownsKeyboardScanner === true,
    });
  }, [wedge]);

  /** A tender taken in the pay dialog; once the tenders cover the total, the sale is committed. */
  const tender = async (taken: Tender) => {
    if (!db || !config || !quoteInput || !q || !cashier || committing) return;
    const tenders = [...session.tenders, taken];
    if (!tenderSummary(q.totalMinor, tenders).covered) {
      dispatch({ type: 'add-tender', tender: taken });
      return;
    }
    setCommitting(true);
    // The member catch-up waits while the sale commits: the two would share IndexedDB's backend.
    memberSync?.hold(true);
    try {
      const started = performance.now();
      const sale = await recordSale(
        db,
        { ...quoteInput, at: new Date().toISOString() },
        {
          tillId: config.tillId,
          storeId: config.storeId,
          cashierId: cashier.id,
          memberSeq: member && view ? view.memberSeq : null,
          accountSeq: member && view ? view.accountSeq : null,
          tenders,
        },
      );
      // For the benchmarks: Pay → the sale and its entries committed to the journal.
      performance.measure('kassa:sale-commit', { start: started, detail: sale.saleId });
      const byId = new Map(sale.quote.lines.map((l) => [l.lineId, l]));
      const changeMinor = tenderSummary(sale.quote.totalMinor, tenders).changeMinor;
      const done: Receipt = {
        saleId: sale.saleId,
        receiptNo: sale.receiptNo,
        at: sale.at,
        cashier: cashier.name,
        tenders,
        changeMinor,
        lines: lines.map((l) => ({
          lineId: l.lineId,
          name: l.name,
          quantity: l.quantity,
          grams: l.grams,
          totalMinor: byId.get(l.lineId)?.totalMinor ?? 0,
        })),
        totalMinor: sale.quote.totalMinor,
        currency: sale.quote.currency,
        pointsEarned: sale.quote.pointsEarned,
        pointsRedeemed: sale.quote.pointsRedeemed,
        balanceAfter: member ? sale.quote.balanceAfter : null,
      };
      setReceipt(done);
      setLastReceipt(done);
      // The next customer starts with no member: nobody earns for, or spends, someone else's points.
      dispatch({ type: 'completed' });
      setPointsInput('');
      setMessage({
        kind: 'info',
        text: t.saleDone(money(sale.quote.totalMinor, sale.quote.currency), sale.quote.pointsEarned),
      });
    } catch (e) {
      setMessage({ kind: 'error', text: e instanceof Error ? e.message : String(e) });
    } finally {
      setCommitting(false);
      memberSync?.hold(false);
    }
  };

  /** A PIN check's outcome as the dialog shows it. */
  const pinAnswer = (e: unknown): PinAnswer => {
    if (isKassaError(e) && e.code === 'PIN_LOCKED') {
      const until = (e.details as { until?: string } | undefined)?.until ?? null;
      return { ok: false, message: t.pinLocked(e.message.replace(/ is locked out$/, ''), time(until) ?? '') };
    }
    if (isKassaError(e) && e.code === 'PIN_WRONG') return { ok: false, message: t.pinWrong };
    return { ok: false, message: e instanceof Error ? e.message : String(e) };
  };

  const signIn = async (who: Staff, pin: string): Promise<PinAnswer> => {
    if (!db || !config) return { ok: false, message: t.notEnrolled };
    const ctx = { tillId: config.tillId, storeId: config.storeId };
    try {
      await checkPin(db, ctx, who, pin, 'sign-in');
      await recordEvent(db, ctx, { type: 'sign-in', cashierId: who.id, action: 'pin' });
      setCashier(who);
      setLastCashierId(who.id);
      setMessage(null);
      return { ok: true };
    } catch (e) {
      return pinAnswer(e);
    }
  };

  const signOut = async () => {
    if (!db || !config || !cashier) return;
    await recordEvent(db, config, { type: 'sign-out', cashierId: cashier.id, action: 'button' });
    setCashier(null);
  };

  const clearBasket = () => {
    dispatch({ type: 'void' });
    setPointsInput('');
  };

  /** Voiding the basket: a supervisor approves it above the threshold, and the override is audited. */
  const voidSale = async () => {
    if (!db || !config || !cashier || !q) return;
    // Below the threshold anyone voids; above it a supervisor does, and it is audited as their override.
    if (!needsSupervisor('cashier', 'void-basket', q.totalMinor)) {
      clearBasket();
      setMessage({ kind: 'info', text: t.voided });
      return;
    }
    if (!needsSupervisor(cashier.role, 'void-basket', q.totalMinor)) {
      await recordEvent(db, config, {
        type: 'override',
        cashierId: cashier.id,
        supervisorId: cashier.id,
        action: 'void-basket',
        details: { totalMinor: q.totalMinor, lines: lines.length },
      });
      clearBasket();
      setMessage({ kind: 'info', text: t.voided });
      return;
    }
    setVoiding(true);
  };

  const approveVoid = async (supervisor: Staff, pin: string, reason: string): Promise<PinAnswer> => {
    if (!db || !config || !cashier || !q) return { ok: false, message: t.notEnrolled };
    if (!reason) return { ok: false, message: t.reasonNeeded };
    try {
      await checkPin(db, config, supervisor, pin, 'void-basket');
      await recordEvent(db, config, {
        type: 'override',
        cashierId: cashier.id,
        supervisorId: supervisor.id,
        action: 'void-basket',
        reason,
        details: { totalMinor: q.totalMinor, lines: lines.length },
      });
      clearBasket();
      setVoiding(false);
      setMessage({ kind: 'info', text: t.voided });
      return { ok: true };
    } catch (e) {
      return pinAnswer(e);
    }
  };

  if (!config) {
    return (
      <main className="center" data-testid="not-enrolled">
        <h1>{t.appName}</h1>
        <p>{configError ?? t.notEnrolled}</p>
      </main>
    );
  }

  const currency = program?.currency ?? store?.currency ?? 'EUR';
  // Never "All synced" while this till's member list or products are still loading.
  const allLoaded = ready && catalog.complete && membersPhase === 'ready';
  return (
    <div className="till">
      <header className="status" data-testid="status-bar">
        <strong>{t.appName}</strong>
        {store && <span>{store.name}</span>}
        {config.mode === 'browser' && <span className="pill muted">{t.browserMode}</span>}
        <span className={`pill ${sync.online ? 'ok' : 'bad'}`} data-testid="online-badge">
          {sync.online ? t.online : t.offline}
        </span>
        <span
          className={`pill ${sync.waiting > 0 || !allLoaded ? 'warn' : 'ok'}`}
          data-testid="waiting-badge"
          data-waiting={sync.waiting}
        >
          {sync.waiting > 0 ? t.waiting(sync.waiting) : allLoaded ? t.allSynced : t.membersNotReady}
        </span>
        {sync.parked > 0 && (
          <span className="pill warn" data-testid="parked-badge" data-parked={sync.parked}>
            {t.parked(sync.parked)}
          </span>
        )}
        <span className="muted" data-testid="last-sync">
          {sync.lastSyncAt ? t.lastSync(time(sync.lastSyncAt)!) : t.neverSynced}
        </span>
        {scanner && (
          <span
            className={`pill ${scanner.state === 'connected' ? 'ok' : scanner.state === 'none' ? 'muted' : 'bad'}`}
            data-testid="scanner-state"
          >
            {scanner.message}
          </span>
        )}
        <button className="link" data-testid="open-scanner-settings" onClick={() => setSettings(true)}>
          {t.scannerSettings}
        </button>
        {cashier && (
          <>
            <span data-testid="signed-in-as">{t.signedInAs(cashier.name)}</span>
            <button className="link" data-testid="sign-out" onClick={() => void signOut()}>
              {t.signOut}
            </button>
          </>
        )}
      </header>

      {!(ready && catalog.complete) && (
        <div className="progress" data-testid="bootstrap">
          <span>{t.loading(sync.pulled + catalog.count)}</span>
          <progress />
        </div>
      )}
      {memberSync && <MemberDataStatus sync={memberSync} />}

      {sync.refused && (
        <div className="message error" role="alert" data-testid="till-refused">
          {t.tillRefused(sync.refused)}
        </div>
      )}

      {message && (
        <div className={`message ${message.kind}`} role="alert" data-testid="message">
          {message.text}
        </div>
      )}

      {rejected && (
        <div className="message error actions" role="alert" data-testid="scan-rejected">
          <span data-testid="scan-rejected-text">{t.scanRejected(rejected.data, t.rejection(rejected.reason))}</span>
          {rejected.data && (
            <button data-testid="use-rejected-scan" onClick={() => void scanRef.current(rejected.data)}>
              {t.useThisCode}
            </button>
          )}
          <button data-testid="dismiss-rejected-scan" onClick={() => setRejected(null)}>
            {t.scanAgain}
          </button>
        </div>
      )}

      <section className="member" data-testid="member-panel">
        {member && memberState ? (
          <>
            <div>
              <div className="name" data-testid="member-name">
                {member.name}
              </div>
              <div className="muted">{member.cardNumber}</div>
            </div>
            <div className="balance">
              <span data-testid="member-balance">{memberState.balance}</span> {t.points}
            </div>
            <div data-testid="member-tier">
              {t.tier}: {q?.tierBefore ?? (program ? currentTier(program, memberState)?.name : null) ?? '—'}
            </div>
            <button onClick={() => dispatch({ type: 'clear-member' })}>{t.clearMember}</button>
          </>
        ) : (
          <form
            className="lookup"
            onSubmit={(e) => {
              e.preventDefault();
              void lookupTyped(lookup).then((ok) => ok && setLookup(''));
            }}
          >
            <label htmlFor="lookup">
              {t.scanCard} <kbd>F3</kbd>
            </label>
            <input
              id="lookup"
              data-testid="lookup-input"
              value={lookup}
              onChange={(e) => setLookup(e.target.value)}
              autoComplete="off"
            />
            <button type="submit">{t.lookup}</button>
          </form>
        )}
      </section>

      <div className="work">
        <section className="basket" data-testid="basket">
          <h2>{t.basket}</h2>
          <button data-testid="open-return" onClick={() => setReturning({ scanned: null, n: Date.now() })}>
            {t.returnButton} <kbd>F9</kbd>
          </button>
          <ProductSearch
            catalog={memberSync?.catalog ?? null}
            onPick={(product, grams) => {
              addProduct(product, pickedLine(product, grams));
              setMessage(null);
            }}
          />
          {lines.length === 0 && receipt ? (
            <div className="receipt" data-testid="receipt">
              <h3 data-testid="receipt-number" data-receipt-no={receipt.receiptNo}>
                {t.receiptNumber(receiptLabel(config.tillId, receipt.receiptNo))}
              </h3>
              <div className="muted" data-testid="receipt-header">
                {store?.name} · {t.tillName(config.tillId)} · {t.cashierName(receipt.cashier)} ·{' '}
                {storeTime(receipt.at, store?.timeZone)}
              </div>
              <table>
                <tbody>
                  {receipt.lines.map((l) => (
                    <tr key={l.lineId}>
                      <td>{l.name}</td>
                      <td>{l.grams !== null ? `${(l.grams / 1000).toFixed(3)} kg` : `× ${l.quantity}`}</td>
                      <td className="num">{money(l.totalMinor, receipt.currency)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
              <div className="row total">
                <span>{t.total}</span>
                <span data-testid="receipt-total">{money(receipt.totalMinor, receipt.currency)}</span>
              </div>
              <div data-testid="receipt-tenders">
                {t.paidWith}{' '}
                {receipt.tenders
                  .map((x) =>
                    x.tenderedMinor !== undefined
                      ? t.tenderedLine(
                          x.kind === 'cash' ? t.cash : t.card,
                          money(x.amountMinor, receipt.currency),
                          money(x.tenderedMinor, receipt.currency),
                        )
                      : t.tenderLine(x.kind === 'cash' ? t.cash : t.card, money(x.amountMinor, receipt.currency)),
                  )
                  .join(', ')}
              </div>
              {receipt.changeMinor > 0 && (
                <div className="row total" data-testid="receipt-change">
                  {t.changeGiven(money(receipt.changeMinor, receipt.currency))}
                </div>
              )}
              {receipt.pointsEarned > 0 && <div>{t.earned(receipt.pointsEarned)}</div>}
              {receipt.pointsRedeemed > 0 && <div>{t.redeemed(receipt.pointsRedeemed)}</div>}
              {receipt.balanceAfter !== null && (
                <div data-testid="receipt-balance">{t.newBalance(receipt.balanceAfter)}</div>
              )}
              <div className="actions no-print">
                <button data-testid="print-receipt" onClick={() => void printReceipt()}>
                  {t.print}
                </button>
                <button onClick={() => setReceipt(null)}>{t.newSale}</button>
              </div>
            </div>
          ) : lines.length === 0 ? (
            <>
              <p className="muted">{t.emptyBasket}</p>
              {lastReceipt && (
                <button data-testid="reprint-receipt" onClick={() => setReceipt(lastReceipt)}>
                  {t.reprint(receiptLabel(config.tillId, lastReceipt.receiptNo))}
                </button>
              )}
            </>
          ) : (
            <table>
              <tbody>
                {lines.map((l) => {
                  const priced = q?.lines.find((x) => x.lineId === l.lineId);
                  return (
                    <tr
                      key={l.lineId}
                      data-testid="basket-line"
                      className={l.lineId === session.lastLineId ? 'last' : undefined}
                      aria-current={l.lineId === session.lastLineId ? 'true' : undefined}
                    >
                      <td>{l.name}</td>
                      <td className="qty">
                        {l.grams !== null ? (
                          `${(l.grams / 1000).toFixed(3)} kg`
                        ) : (
                          <>
                            <button
                              aria-label={t.decrease(l.name)}
                              disabled={l.quantity <= 1}
                              onClick={() => changeQuantity(l.lineId, -1)}
                            >
                              −
                            </button>
                            <span data-testid="line-quantity">{l.quantity}</span>
                            <button aria-label={t.increase(l.name)} onClick={() => changeQuantity(l.lineId, 1)}>
                              +
                            </button>
                          </>
                        )}
                      </td>
                      <td className="num">{priced ? money(priced.totalMinor, currency) : ''}</td>
                      <td className="num muted">{priced && priced.points > 0 ? `+${priced.points}` : ''}</td>
                      <td>
                        <button
                          aria-label={`${t.remove} ${l.name}`}
                          onClick={() => dispatch({ type: 'remove-line', lineId: l.lineId })}
                        >
                          ×
                        </button>
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          )}
        </section>

        <aside className="summary">
          {q && (
            <>
              <div className="row">
                <span>{t.subtotal}</span>
                <span>{money(q.subtotalMinor, currency)}</span>
              </div>
              {q.discountMinor > 0 && (
                <div className="row">
                  <span>{t.discount}</span>
                  <span>-{money(q.discountMinor, currency)}</span>
                </div>
              )}
              <div className="row total">
                <span>{t.total}</span>
                <span data-testid="total">{money(q.totalMinor, currency)}</span>
              </div>
              {member && (
                <div className="earn" data-testid="points-to-earn" data-points={q.pointsEarned}>
                  {t.earns(q.pointsEarned)}
                </div>
              )}
              {q.errors.map((e) => (
                <div key={e.code} className="message error" role="alert">
                  {e.message}
                </div>
              ))}
              {member && (
                <button className="link" onClick={() => setExplain(!explain)}>
                  {explain ? t.hideExplain : t.explain}
                </button>
              )}
              {explain && (
                <ul className="explain" data-testid="explanation">
                  {q.explanation.map((e, i) => (
                    <li key={i}>{e.text}</li>
                  ))}
                </ul>
              )}
              {member && (q.affordableRewards.length > 0 || program?.payWithPoints) && (
                <div className="redeem">
                  <h3>{t.rewards}</h3>
                  {q.affordableRewards.map((r) => (
                    <button
                      key={r.rewardId}
                      onClick={() => dispatch({ type: 'redeem', choice: { kind: 'reward', rewardId: r.rewardId } })}
                    >
                      {r.name} ({r.cost})
                    </button>
                  ))}
                  {program?.payWithPoints && (
                    <form
                      onSubmit={(e) => {
                        e.preventDefault();
                        const n = Number(pointsInput);
                        if (Number.isSafeInteger(n) && n > 0)
                          dispatch({ type: 'redeem', choice: { kind: 'points', points: n } });
                      }}
                    >
                      <input
                        inputMode="numeric"
                        aria-label={t.payWithPoints}
                        placeholder={t.payWithPoints}
                        value={pointsInput}
                        onChange={(e) => setPointsInput(e.target.value)}
                      />
                      <button type="submit">{t.apply}</button>
                    </form>
                  )}
                  {redeem && (
                    <button onClick={() => dispatch({ type: 'redeem', choice: null })}>{t.clearRedeem}</button>
                  )}
                </div>
              )}
              <button
                className="primary"
                data-testid="pay"
                onClick={() => {
                  setMessage(null);
                  dispatch({ type: 'open-pay' });
                }}
              >
                {t.pay} {money(q.totalMinor, currency)} <kbd>F12</kbd>
              </button>
              <button data-testid="void-sale" onClick={() => void voidSale()}>
                {t.voidSale}
              </button>
            </>
          )}
        </aside>
      </div>

      {settings && wedge && (
        <ScannerSettings host={host} wedge={wedge} onWedgeSaved={setWedge} onClose={() => setSettings(false)} />
      )}

      {db && !cashier && (
        <PinDialog
          title={lastCashierId ? t.screenLocked : t.signIn}
          staff={staff}
          preferredId={lastCashierId}
          testId="sign-in"
          onSubmit={signIn}
        />
      )}

      {voiding && q && (
        <PinDialog
          title={t.supervisorNeeded(t.voidWhat(money(q.totalMinor, currency)))}
          staff={staff.filter((s) => s.role === 'supervisor')}
          askReason
          testId="supervisor"
          onSubmit={approveVoid}
          onCancel={() => setVoiding(false)}
        />
      )}

      {returning && db && cashier && (
        <ReturnDialog
          key={returning.n}
          db={db}
          till={{ tillId: config.tillId, storeId: config.storeId }}
          cashier={cashier}
          staff={staff}
          lookup={returnLookup}
          scanned={returning.scanned}
          storeName={store?.name ?? ''}
          timeZone={store?.timeZone}
          onPrint={() => void printReceipt()}
          onClose={(done) => {
            setReturning(null);
            if (done)
              setMessage({ kind: 'info', text: t.returnRecorded(money(done.plan.refund.refundMinor, currency)) });
          }}
        />
      )}

      {paying && q && (
        <PayDialog
          totalMinor={q.totalMinor}
          currency={currency}
          tenders={session.tenders}
          notice={message?.kind === 'error' ? message.text : null}
          busy={committing}
          onTender={(x) => void tender(x)}
          onRemoveTender={(index) => dispatch({ type: 'remove-tender', index })}
          onCancel={() => {
            setMessage(null);
            dispatch({ type: 'close-pay' });
          }}
        />
      )}
    </div>
  );
};

const count = new Intl.NumberFormat();
const percent = new Intl.NumberFormat(undefined, { style: 'percent' });

function duration(seconds: number): string {
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  return minutes < 60 ? `${minutes} min ${seconds % 60} s` : `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

/**
 * The member list's bootstrap: a progress bar with counts, rate and time left; a quiet count once loaded. It
 * follows the sync's status itself, so its frequent updates re-render only this line, not the till screen.
 */
function MemberDataStatus({ sync }: { sync: MemberSync }) {
  const [status, setStatus] = useState<MemberSyncState | null>(null);
  useEffect(() => {
    const sub = sync.status$.subscribe(setStatus);
    return () => sub.unsubscribe();
  }, [sync]);
  const state = status?.phase === 'ready' ? 'ready' : 'loading';
  const loaded = status?.loaded ?? 0;
  const total = status?.total ?? 0;
  return (
    <div
      className={state === 'ready' ? 'member-data muted' : 'progress'}
      data-testid="member-data"
      data-state={state}
      data-loaded={loaded}
      data-total={total}
      data-runs-in={status?.runsIn}
      role={state === 'ready' ? undefined : 'status'}
    >
      {state === 'ready' ? (
        <span>{t.membersReady(count.format(loaded))}</span>
      ) : (
        <>
          <span>
            {status?.phase === 'keys' && status.indexTotal > 0
              ? t.membersIndexing(percent.format(status.indexed / status.indexTotal))
              : total > 0
                ? t.membersLoading(count.format(loaded), count.format(total))
                : t.membersStarting}
          </span>
          {status && status.rate > 0 && <span>{t.membersRate(count.format(status.rate))}</span>}
          {status?.secondsLeft != null && <span>{t.membersLeft(duration(status.secondsLeft))}</span>}
          {status?.phase === 'keys' && status.indexTotal > 0 ? (
            <progress max={status.indexTotal} value={status.indexed} />
          ) : total > 0 ? (
            <progress max={total} value={loaded} />
          ) : (
            <progress />
          )}
          {status?.error && <span className="muted">{status.error}</span>}
        </>
      )}
    </div>
  );
}
