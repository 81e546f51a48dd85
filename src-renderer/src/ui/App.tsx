/**
 * The till screen: status bar, member panel, basket with the engine's quote,
 * and the pay dialog. Every scan — HID from the host or keyboard wedge —
 * goes through `handleScan`, classified before use. Bad input shows a
 * message and changes nothing. The connections come from `useTill`; the
 * parts of the screen are components of their own.
 */
import { useCallback, useEffect, useLayoutEffect, useMemo, useReducer, useRef, useState } from 'react';
import type { KassaHostApi, ScanRejected } from '../../../shared/ipc';
import { classifyScan } from '../../../shared/scan';
import type { Staff } from '../../../shared/documents';
import { isKassaError } from '../../../shared/errors';
import { needsSupervisor } from '../../../shared/staff/till-events';
import {
  codesOf,
  expiryWarningsAfterSale,
  memberOverview,
  quote,
  walletMoves,
  walletSpendable,
  type Quote,
  type QuoteInput,
} from '../../../shared/engine';
import { localMembers, withLocalMembers, type EnrolContext } from '../db/enrolment';
import { lookupMember, type MemberLookup } from '../db/members';
import { MemberSearch } from './MemberSearch';
import { HouseholdDialog } from './HouseholdDialog';
import { CardReplaceDialog } from './CardReplaceDialog';
import { ProfileDialog } from './ProfileDialog';
import { householdHolder } from '../db/household';
import { takeDigitalCard } from '../db/digital-cards';
import { memberById } from '../db/members';
import { holdsRegionOnly, lookupFallback } from '../db/member-sync-client';
import type { MemberRecord } from '../../../shared/member-snapshot';
import { recordSale } from '../db/sales';
import { giftCardViewOf, giftCardViews } from '../db/gift-cards';
import { applyGiftCardMove, giftCardMoves, giftCardNumberOf } from '../../../shared/gift-cards';
import { saleTotalMinor, storedValueLines, storedValueMinor } from '../../../shared/sale-journal';
import { giftCardProblemOf } from '../features/sale/gift-card-tender';
import { GiftCardDialog } from './GiftCardDialog';
import { scanChannel } from '../features/sale/scan-channel';
import { rememberUsedCoupons, usedCouponsHere } from '../db/coupons';
import { batchCodesOf } from '../../../shared/coupons';
import type { ProductRow } from '../db/schemas';
import { checkPin, recordEvent } from '../db/staff';
import { installWedge } from '../wedge';
import { catalogKey, pickedLine, scannedLine, type ScannedLine } from '../features/sale/scanned-line';
import { newSession, saleEmpty, saleSession, scanRefusal, tenderSummary, type Tender } from '../features/sale/session';
import { useMemberView } from '../features/sale/use-member-view';
import { useTill } from '../features/till/use-till';
import { BasketLines } from './BasketLines';
import { clockTime, money, receiptLabel, signedPoints } from './format';
import { MemberDataStatus } from './MemberDataStatus';
import { MemberPanel } from './MemberPanel';
import { PayDialog } from './PayDialog';
import { PinDialog, type PinAnswer } from './PinDialog';
import { ProductSearch } from './ProductSearch';
import { ReceiptView, type Receipt } from './ReceiptView';
import { SaleSummary } from './SaleSummary';
import { ScannerSettings } from './ScannerSettings';
import { ReturnDialog } from './ReturnDialog';
import { serverSaleLookup, type ReceiptKey } from '../db/returns';
import { StatusBar } from './StatusBar';
import { LanguageSelect } from './LanguageSelect';
import { Keypad } from './Keypad';
import { PriceChangeDialog } from './PriceChangeDialog';
import { PointsAdjustDialog } from './PointsAdjustDialog';
import { ShiftDialog } from './ShiftDialog';
import { TopUpDialog } from './TopUpDialog';
import { EnrolDialog } from './EnrolDialog';
import { HistoryDialog } from './HistoryDialog';
import { serverHistory } from '../db/history';
import { useShift } from '../features/shift/use-shift';
import type { KeypadCommand } from '../features/sale/keypad';
import type { PriceCommand } from '../features/sale/price-change';
import type { SessionLine } from '../features/sale/session';
import type { KeptBasket } from '../features/sale/basket-store';
import { useKeptBasket } from '../features/sale/use-kept-basket';
import { useIdleLock } from '../features/till/use-idle-lock';
import { language, setLanguage, type Language } from '../i18n';
import { lookupProblem, t, type DigitalCardProblem } from './strings';

type Message = { kind: 'error' | 'info'; text: string } | null;

/** What a sale's tenders pay from gift cards, all cards together. */
function giftCardPaid(tenders: Tender[]): number {
  let paid = 0;
  for (const move of giftCardMoves({ lines: [], tenders }).values()) paid += move.paidMinor;
  return paid;
}

/** Marks a scan, so the screen can measure scan → rendered (performance entries `kassa:scan-to-*`). */
type PendingScan = { kind: 'panel' | 'line'; code: string; start: number };

export function App({ host }: { host: KassaHostApi }) {
  const till = useTill(host);
  /** The till's language: changing it re-renders the screen, and every text is read again. */
  const [lang, setLang] = useState<Language>(language);
  const chooseLanguage = (code: Language) => {
    setLanguage(code);
    setLang(code);
  };
  const { config, db, sync, memberSync, store, program, staff, scanner, wedge, coupons } = till;
  /** Single-use coupons this till took on its own sales (the server's batch lists catch up after a sync). */
  const [couponsUsedHere, setCouponsUsedHere] = useState<ReadonlySet<string>>(new Set());
  useEffect(() => {
    if (db) void usedCouponsHere(db).then(setCouponsUsedHere);
  }, [db]);
  /** Every code of the program's single-use coupon batches, with its batch: one lookup for scans and the code field. */
  const couponBatchOf = useMemo(
    () => new Map(coupons.flatMap((b) => b.codes.map((code) => [code, b.batch] as const))),
    [coupons],
  );
  const shiftView = useShift(db, config?.tillId ?? null);
  const shiftOpen = shiftView.shift != null;
  /** A keyboard burst that was not read cleanly: shown with what was read until used or dismissed. */
  const [rejected, setRejected] = useState<ScanRejected | null>(null);
  /** This customer's sale: basket, member, reward choice, payment (features/sale/session.ts). */
  const [session, dispatch] = useReducer(saleSession, undefined, () => newSession());
  const { member, lines, redeem, codes } = session;
  const paying = session.phase === 'paying';
  const view = useMemberView(db, memberSync, store, member);
  const [message, setMessage] = useState<Message>(null);
  /** The members a typed name found, while the cashier picks one (MemberSearch). */
  const [nameMatches, setNameMatches] = useState<{ text: string; members: MemberRecord[]; more: boolean } | null>(null);
  /** A sale being committed: the pay dialog takes no more tenders. */
  const [committing, setCommitting] = useState(false);
  const [settings, setSettings] = useState(false);
  const [receipt, setReceipt] = useState<Receipt | null>(null);
  /** The last sale's receipt, kept for a reprint after the next customer's sale has begun. */
  const [lastReceipt, setLastReceipt] = useState<Receipt | null>(null);
  const [cashier, setCashier] = useState<Staff | null>(null);
  const [lastCashierId, setLastCashierId] = useState<string | null>(null);
  const [voiding, setVoiding] = useState(false);
  // Returns: the dialog open (with the receipt scanned, if one was), and the server to ask while online.
  const [returning, setReturning] = useState<{ scanned: ReceiptKey | null; n: number } | null>(null);
  const startReturn = useCallback(() => {
    if (shiftOpen) setReturning({ scanned: null, n: Date.now() });
    else setMessage({ kind: 'error', text: t.shiftNeeded });
  }, [shiftOpen]);
  const returnLookup = useMemo(() => (config && sync.online ? serverSaleLookup(config) : null), [config, sync.online]);
  const pendingScan = useRef<PendingScan | null>(null);
  /** A scan counts as activity for the idle lock (set once the lock exists, below). */
  const idleTouch = useRef<() => void>(() => undefined);
  // The keypad's price or discount waiting for its reason (and a supervisor, where one is needed).
  const [pricing, setPricing] = useState<{ line: SessionLine; command: PriceCommand } | null>(null);
  // A manual points adjustment for the member on the sale (a supervisor's).
  const [adjusting, setAdjusting] = useState(false);
  // The shift dialog (F8): open, cash in/out, X report, close.
  const [shifting, setShifting] = useState(false);
  // The member's history (F10); the server asked while online.
  const [historyOpen, setHistoryOpen] = useState(false);
  const [householdOpen, setHouseholdOpen] = useState(false);
  const [toppingUp, setToppingUp] = useState(false);
  // The gift card dialog (F5, or a gift card scanned on the sale screen).
  const [giftCarding, setGiftCarding] = useState(false);
  /** Gift cards scanned, handed to the dialog that takes them: the gift card dialog, or the pay dialog's tender. */
  const [giftCardScans] = useState(scanChannel);
  const [replacingCard, setReplacingCard] = useState(false);
  const [editingProfile, setEditingProfile] = useState(false);
  const historyServer = useMemo(() => (config && sync.online ? serverHistory(config) : null), [config, sync.online]);
  // Enrolling a new member (F6), with the member card scanned into it, if one was.
  const [enrolling, setEnrolling] = useState<{ scannedCard: string | null; n: number } | null>(null);
  // Members are found in the member store, then among those this till enrolled that it does not hold yet.
  const members = useMemo(
    () => (db && memberSync ? withLocalMembers(memberSync.store, localMembers(db, memberSync.store, store)) : null),
    [db, memberSync, store],
  );

  const [quickKeys, setQuickKeys] = useState<ProductRow[]>([]);
  // A till restarted mid-sale puts the basket back (features/sale/basket-store.ts), and says so.
  // (A note of its own: signing in clears the screen's message, and this must be read after signing in.)
  const [keptNote, setKeptNote] = useState<Message>(null);
  const keeper = useKeptBasket(db, session, dispatch, (kept: KeptBasket) => {
    if (kept.kind === 'restored') setKeptNote({ kind: 'info', text: t.basketRestored(kept.session.lines.length) });
    else if (kept.kind === 'already-sold') setKeptNote({ kind: 'info', text: t.basketAlreadySold });
    else if (kept.kind === 'unreadable') setKeptNote({ kind: 'error', text: t.basketUnreadable(kept.message) });
  });
  const catalogComplete = till.catalog.complete;
  useEffect(() => {
    if (!memberSync || !catalogComplete) return;
    void memberSync.catalog.byTag('quick-key').then(setQuickKeys);
  }, [memberSync, catalogComplete]);

  // A cashier deactivated by head office (or given a new PIN) is signed out as soon as the till hears of it.
  // (State adjusted while rendering, as React advises for state derived from props: no extra pass.)
  if (cashier && !staff.some((s) => s.id === cashier.id && s.pinHash === cashier.pinHash)) setCashier(null);

  const memberState = view?.state ?? null;
  /** What the member panel shows beside the balance, read by the engine from the member's state. */
  const overview = useMemo(
    () =>
      program && store && member && memberState
        ? memberOverview(program, { id: member.id, state: memberState }, new Date().toISOString(), store.timeZone)
        : null,
    [program, store, member, memberState],
  );

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
    // A sale with no goods is quoted too when it tops up the member's eWallet or sells gift cards.
    if (
      !program ||
      !store ||
      saleEmpty({ lines, topUpMinor: session.topUpMinor, giftCardLoads: session.giftCardLoads })
    )
      return null;
    return {
      program,
      member: member && memberState && view ? { id: member.id, accountId: view.accountId, state: memberState } : null,
      basket: lines,
      timeZone: store.timeZone,
      redeem,
      codes,
      batchCodes: batchCodesOf(codes, coupons, couponsUsedHere),
      offline: !sync.online,
    };
  }, [
    program,
    store,
    lines,
    member,
    memberState,
    view,
    redeem,
    codes,
    coupons,
    couponsUsedHere,
    sync.online,
    session.topUpMinor,
    session.giftCardLoads,
  ]);

  const q: Quote | null = useMemo(
    () => (quoteInput ? quote({ ...quoteInput, at: new Date().toISOString() }) : null),
    [quoteInput],
  );
  /**
   * What the customer pays: the goods as quoted, the eWallet top-up and the gift cards sold (outside the engine: no
   * points, no VAT).
   */
  const saleTotal = saleTotalMinor({ totalMinor: q?.totalMinor ?? 0 }, storedValueMinor(session));

  /** A gift card as this till sees it: the server's state and this database's sales since (db/gift-cards.ts). */
  const readGiftCard = useCallback(
    async (number: string) => {
      if (!db || !program || !store) throw new Error(t.notEnrolled);
      return giftCardViewOf(db, program, store.timeZone, number);
    },
    [db, program, store],
  );

  const addProduct = useCallback((product: ProductRow, scanned: ScannedLine) => {
    setReceipt(null);
    setKeptNote(null);
    dispatch({ type: 'add-product', product, scanned });
  }, []);

  /** A member by card or phone (typed phone numbers are found by their keyed hash: the till holds no phones). */
  const lookup = useCallback(
    async (code: string): Promise<MemberLookup> => {
      if (!memberSync || !members) return { kind: 'not-found', asPhone: false };
      return lookupMember(members, code, store, lookupFallback(memberSync), holdsRegionOnly(memberSync));
    },
    [store, memberSync, members],
  );

  const findMember = useCallback(
    async (text: string): Promise<boolean> => {
      if (!db || !memberSync) return false;
      const code = text.trim();
      // Typed phone numbers are found by their keyed hash: the till holds no phone numbers.
      const found = await lookup(code);
      setNameMatches(null);
      // A name that several members have is the cashier's to pick (MemberSearch), never picked by guessing.
      if (found.kind === 'by-name' && (found.members.length > 1 || found.more)) {
        setNameMatches({ text: code, members: found.members, more: found.more });
        setMessage(null);
        return false;
      }
      if (found.kind === 'by-name') {
        dispatch({ type: 'attach-member', member: found.members[0]! });
        setMessage(null);
        return true;
      }
      if (found.kind !== 'found') {
        setMessage({ kind: 'error', text: lookupProblem(found, code) });
        return false;
      }
      dispatch({ type: 'attach-member', member: found.member });
      setMessage(
        found.online
          ? { kind: 'info', text: holdsRegionOnly(memberSync) ? t.foundOnlineElsewhere : t.foundOnline }
          : null,
      );
      return true;
    },
    [db, memberSync, lookup],
  );

  /** A digital card: verified offline and taken once, then the member it names is put on the sale. */
  const findDigitalCard = useCallback(
    async (code: string): Promise<void> => {
      if (!db || !memberSync) return;
      let memberId: string;
      try {
        memberId = await takeDigitalCard(db, store?.cardKeys ?? [], code);
      } catch (e) {
        if (!isKassaError(e)) throw e;
        setMessage({ kind: 'error', text: t.digitalCardProblem(e.code as DigitalCardProblem) });
        return;
      }
      const found = await memberById(memberSync.store, memberId, lookupFallback(memberSync));
      if (!found) {
        setMessage({ kind: 'error', text: t.memberNotFound(memberId) });
        return;
      }
      setNameMatches(null);
      dispatch({ type: 'attach-member', member: found });
      setMessage({ kind: 'info', text: t.digitalCardAccepted(found.name) });
    },
    [db, memberSync, store],
  );

  /** A dialog is open: it owns the keyboard, and no other dialog opens over it. */
  const dialogOpen =
    paying ||
    voiding ||
    settings ||
    !cashier ||
    returning !== null ||
    pricing !== null ||
    adjusting ||
    shifting ||
    historyOpen ||
    householdOpen ||
    toppingUp ||
    giftCarding ||
    replacingCard ||
    editingProfile ||
    enrolling !== null;

  const handleScan = useCallback(
    async (raw: string) => {
      if (!db || !config) return;
      idleTouch.current();
      if (!cashier) {
        setMessage({ kind: 'error', text: t.signInFirst });
        return;
      }
      setRejected(null);
      const scan = classifyScan(raw, config.scan);
      // While enrolling, a member card scanned is the new member's printed card; nothing else is taken.
      if (enrolling) {
        if (scan.kind === 'member-card') setEnrolling({ scannedCard: scan.cardNumber, n: enrolling.n });
        else setMessage({ kind: 'error', text: t.enrolScanOnly });
        return;
      }
      // Goods are sold, and receipts refunded, only inside a shift: its Z report has to account for every cent.
      if (!shiftOpen && scan.kind !== 'member-card') {
        setMessage({ kind: 'error', text: t.shiftNeeded });
        return;
      }
      // One of the program's gift card numbers (its prefix, its check character agreeing): while paying, the card a
      // tender is taken from; on the sale screen, the card to check, sell or reload (below).
      const giftCard = program?.giftCards ? giftCardNumberOf(raw, program.giftCards.prefix) : null;
      if (giftCard && session.phase === 'paying') {
        giftCardScans.send(giftCard);
        return;
      }
      // While paying, the basket and member are fixed: the amount due never changes under the cashier.
      if (scanRefusal(session)) {
        setMessage({ kind: 'error', text: t.scanDuringPayment });
        return;
      }
      // A receipt scan opens the return (or looks up another receipt in it); nothing else is taken meanwhile.
      if (scan.kind === 'receipt' || returning) {
        if (scan.kind === 'receipt') setReturning({ scanned: { kind: 'sale', saleId: scan.saleId }, n: Date.now() });
        else setMessage({ kind: 'error', text: t.returnScanRefused });
        return;
      }
      if (giftCard) {
        // Into the gift card dialog (open, or opened by the scan); never a second dialog over another one.
        if (dialogOpen && !giftCarding) {
          setMessage({ kind: 'error', text: t.giftCardScanLater });
          return;
        }
        setMessage(null);
        giftCardScans.send(giftCard);
        setGiftCarding(true);
        return;
      }
      switch (scan.kind) {
        case 'member-card':
          pendingScan.current = { kind: 'panel', code: scan.cardNumber, start: performance.now() };
          await findMember(scan.cardNumber);
          return;
        case 'member-qr': {
          pendingScan.current = { kind: 'panel', code: scan.code, start: performance.now() };
          await findDigitalCard(scan.code);
          return;
        }
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
        case 'unknown': {
          // A printed promo code (a flyer's barcode or QR) or a single-use coupon is not a product: the program knows it.
          const code = codesOf([raw])[0];
          if (code && (program?.promotions.some((p) => p.code === code) || couponBatchOf.has(code))) {
            dispatch({ type: 'add-code', code });
            setMessage(null);
            return;
          }
          setMessage({ kind: 'error', text: t.badScan(scan.reason) });
          return;
        }
      }
    },
    [
      db,
      config,
      cashier,
      session,
      findMember,
      findDigitalCard,
      addProduct,
      memberSync,
      returning,
      shiftOpen,
      enrolling,
      program,
      couponBatchOf,
      giftCardScans,
      dialogOpen,
      giftCarding,
    ],
  );

  // Keyboard shortcuts on the sale screen (their keys are shown beside what they do): F3 the member field, F4 the
  // product search, F5 gift cards, F12 pay. Not while a dialog is open: the dialog owns the keyboard.
  // A new member is enrolled onto the sale (in place of any member on it), not while another dialog is open.
  const canEnrol = !dialogOpen && members !== null;
  const canPay = q !== null && !dialogOpen && shiftOpen;
  const canAdjust = view !== null && !dialogOpen;
  const canTopUp = canAdjust && member !== null && program?.wallet != null;
  /** Opens the gift card dialog (F5): only inside a shift, as every sale (a balance check included: it sells too). */
  const openGiftCard = useCallback(() => {
    if (!program?.giftCards) return;
    if (!shiftOpen) return setMessage({ kind: 'error', text: t.shiftNeeded });
    setGiftCarding(true);
  }, [program, shiftOpen]);
  // Registered before the screen paints, so a key pressed the moment a line appears already sees it.
  useLayoutEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      // F5 is the browser's reload: never at a till, whatever is open (a till reloaded mid-sale signs the cashier out).
      if (e.key === 'F5') e.preventDefault();
      if (dialogOpen) return;
      const focus = (id: string) => {
        e.preventDefault();
        document.getElementById(id)?.focus();
      };
      if (e.key === 'F2') focus('keypad-input');
      else if (e.key === 'F3') focus('lookup');
      else if (e.key === 'F4') focus('product-search');
      else if (e.key === 'F10' && canAdjust) {
        e.preventDefault();
        setHistoryOpen(true);
      } else if (e.key === 'F6' && canEnrol) {
        e.preventDefault();
        setEnrolling({ scannedCard: null, n: Date.now() });
      } else if (e.key === 'F7' && canAdjust) {
        e.preventDefault();
        setAdjusting(true);
      } else if (e.key === 'F11' && canAdjust) {
        e.preventDefault();
        setHouseholdOpen(true);
      } else if (e.key === 'F5') {
        openGiftCard();
      } else if (e.key === 'F8') {
        e.preventDefault();
        setShifting(true);
      } else if (e.key === 'F9') {
        e.preventDefault();
        startReturn();
      } else if (e.key === 'F12' && e.shiftKey) {
        e.preventDefault();
        if (canTopUp) setToppingUp(true);
      } else if (e.key === 'F12' && canPay) {
        e.preventDefault();
        setMessage(null);
        dispatch({ type: 'open-pay' });
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [dialogOpen, canPay, canAdjust, canEnrol, canTopUp, startReturn, openGiftCard]);

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
    if (scan.kind === 'member-qr') {
      await findDigitalCard(scan.code);
      return true;
    }
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
  // Updated as the screen commits, not after it paints: a scan that arrives the moment a dialog closes is handled
  // by the screen it sees (a stale handler took it for the closed dialog's and dropped it).
  useLayoutEffect(() => {
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
    if (!tenderSummary(saleTotal, tenders).covered) {
      dispatch({ type: 'add-tender', tender: taken });
      return;
    }
    setCommitting(true);
    // The member catch-up waits while the sale commits: the two would share IndexedDB's backend.
    memberSync?.hold(true);
    try {
      const started = performance.now();
      const priceChanges = Object.fromEntries(
        lines.flatMap((l) => (l.priceChange ? [[l.lineId, l.priceChange] as const] : [])),
      );
      const giftCardLoads = session.giftCardLoads;
      // The till's view of every gift card the sale names, read now: the sale is checked against it.
      const giftMoves = giftCardMoves({ lines: storedValueLines({ giftCardLoads }), tenders });
      const giftCards = await giftCardViews(db, quoteInput.program, quoteInput.timeZone, giftMoves.keys());
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
          priceChanges,
          topUpMinor: session.topUpMinor,
          giftCardLoads,
          giftCards,
          // The id the basket was kept under: a basket restored after a restart is never sold twice.
          ...(keeper ? { saleId: keeper.saleId() } : {}),
        },
      );
      const couponsTaken = Object.keys(quoteInput.batchCodes ?? {});
      if (couponsTaken.length > 0) setCouponsUsedHere(await rememberUsedCoupons(db, couponsTaken));
      // For the benchmarks: Pay → the sale and its entries committed to the journal.
      performance.measure('kassa:sale-commit', { start: started, detail: sale.saleId });
      const byId = new Map(sale.quote.lines.map((l) => [l.lineId, l]));
      const paidTotal = saleTotalMinor(sale.quote, storedValueMinor(session));
      const fold = {
        at: sale.at,
        timeZone: quoteInput.timeZone,
        validMonths: quoteInput.program.giftCards?.validMonths ?? 0,
      };
      const changeMinor = tenderSummary(paidTotal, tenders).changeMinor;
      const walletPaid = walletMoves({ lines: [], tenders }).paidMinor;
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
          taxRateBp: l.taxRateBp,
          priceChange: l.priceChange,
        })),
        totalMinor: paidTotal,
        topUpMinor: session.topUpMinor,
        giftCardLoads: [...giftCardLoads],
        // Each card the sale moved, as the one fold leaves it once the sale is booked.
        giftCardsAfter: [...giftMoves].flatMap(([number, move]) => {
          const before = giftCards.get(number);
          if (!before) return [];
          const after = applyGiftCardMove(before, move, fold);
          return [{ number, balanceMinor: after.balanceMinor, validUntil: after.validUntil }];
        }),
        walletAfter:
          program?.wallet && memberState && member
            ? memberState.wallet.balanceMinor + session.topUpMinor - walletPaid
            : null,
        // What the program gave (points paid with are a tender of sorts: the receipt says them as redeemed).
        discounts: sale.quote.explanation.flatMap((e) =>
          e.discountMinor && e.ruleId !== 'pay-with-points'
            ? [{ code: e.code, params: e.params, amountMinor: e.discountMinor }]
            : [],
        ),
        coupons: sale.quote.explanation
          .filter((e) => e.code === 'coupon-issued')
          .map((e) => ({ code: e.code, params: e.params })),
        currency: sale.quote.currency,
        pointsEarned: sale.quote.pointsEarned,
        pointsRedeemed: sale.quote.pointsRedeemed,
        donation: sale.quote.donation,
        balanceAfter: member ? sale.quote.balanceAfter : null,
        expiring:
          program && memberState && store
            ? expiryWarningsAfterSale(program, memberState, sale.quote, sale.at, store.timeZone)
            : [],
      };
      setReceipt(done);
      setLastReceipt(done);
      // The next customer starts with no member: nobody earns for, or spends, someone else's points.
      dispatch({ type: 'completed' });
      setKeptNote(null);
      setMessage({
        kind: 'info',
        text: t.saleDone(money(paidTotal, sale.quote.currency), sale.quote.pointsEarned),
      });
    } catch (e) {
      // A gift card refused by the sale's own check (shared/gift-cards.ts) says so in the cashier's words, with its code.
      const problem = giftCardProblemOf(e);
      const card = isKassaError(e) ? (e.details as { number?: unknown } | undefined)?.number : undefined;
      setMessage({
        kind: 'error',
        text: problem
          ? t.giftCardProblem(problem, quoteInput.program.currency, typeof card === 'string' ? card : '')
          : e instanceof Error
            ? e.message
            : String(e),
      });
    } finally {
      setCommitting(false);
      memberSync?.hold(false);
    }
  };

  /** A PIN check's outcome as the dialog shows it. */
  const pinAnswer = (e: unknown): PinAnswer => {
    if (isKassaError(e) && e.code === 'PIN_LOCKED') {
      const until = (e.details as { until?: string } | undefined)?.until ?? null;
      return { ok: false, message: t.pinLocked(e.message.replace(/ is locked out$/, ''), clockTime(until) ?? '') };
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
      // The first cashier of the day opens the shift: the till asks for the float straight away.
      if (shiftView.shift === null) setShifting(true);
      return { ok: true };
    } catch (e) {
      return pinAnswer(e);
    }
  };

  const signOut = async (action: 'button' | 'idle' = 'button') => {
    if (!db || !config || !cashier) return;
    await recordEvent(db, config, { type: 'sign-out', cashierId: cashier.id, action });
    setCashier(null);
  };
  // Left alone, the till locks (the basket stays, kept); not while a sale is being paid.
  const idle = useIdleLock({
    seconds: config?.lockAfterIdleSeconds ?? 0,
    active: cashier !== null && !paying && !committing,
    onIdle: () => void signOut('idle'),
  });
  useEffect(() => {
    idleTouch.current = idle.touch;
  }, [idle.touch]);
  const clearBasket = () => {
    dispatch({ type: 'void' });
    setKeptNote(null);
  };

  /** A keypad command for a line: quantity and weight at once; a price or discount after its reason. */
  const keypadCommand = (line: SessionLine, command: KeypadCommand) => {
    setMessage(null);
    if (command.kind === 'quantity')
      dispatch({ type: 'set-quantity', lineId: line.lineId, quantity: command.quantity });
    else if (command.kind === 'weight') dispatch({ type: 'set-weight', lineId: line.lineId, grams: command.grams });
    else setPricing({ line, command });
  };
  const selectedLine = lines.find((l) => l.lineId === session.lastLineId) ?? null;

  /** Voiding the basket: a supervisor approves it above the threshold, and the override is audited. */
  const voidSale = async () => {
    if (!db || !config || !cashier || !q) return;
    // Below the threshold anyone voids; above it a supervisor does, and it is audited as their override.
    if (!needsSupervisor('cashier', 'void-basket', saleTotal)) {
      clearBasket();
      setMessage({ kind: 'info', text: t.voided });
      return;
    }
    if (!needsSupervisor(cashier.role, 'void-basket', saleTotal)) {
      await recordEvent(db, config, {
        type: 'override',
        cashierId: cashier.id,
        supervisorId: cashier.id,
        action: 'void-basket',
        details: { totalMinor: saleTotal, lines: lines.length },
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
        details: { totalMinor: saleTotal, lines: lines.length },
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
        <p>{till.configError ?? t.notEnrolled}</p>
      </main>
    );
  }

  const currency = program?.currency ?? store?.currency ?? 'EUR';
  const shownMessage = message ?? keptNote;
  // Never "All synced" while this till's member list or products are still loading.
  const allLoaded = till.ready && till.catalog.complete && till.membersPhase === 'ready';
  const openPay = () => {
    if (!shiftOpen) {
      setMessage({ kind: 'error', text: t.shiftNeeded });
      return;
    }
    setMessage(null);
    dispatch({ type: 'open-pay' });
  };
  return (
    <div className="till">
      <StatusBar
        storeName={store?.name ?? null}
        browserMode={config.mode === 'browser'}
        sync={sync}
        allLoaded={allLoaded}
        scanner={scanner}
        cashierName={cashier?.name ?? null}
        shiftNo={shiftView.shift === undefined ? undefined : (shiftView.shift?.shiftNo ?? null)}
        onOpenShift={() => setShifting(true)}
        onOpenSettings={() => setSettings(true)}
        onSignOut={() => void signOut('button')}
        language={lang}
        onLanguage={chooseLanguage}
      />

      {!(till.ready && till.catalog.complete) && (
        <div className="progress" data-testid="bootstrap">
          <span>{t.loading(sync.pulled + till.catalog.count)}</span>
          <progress />
        </div>
      )}
      {memberSync && <MemberDataStatus sync={memberSync} />}

      {sync.refused && (
        <div className="message error" role="alert" data-testid="till-refused">
          {t.tillRefused(sync.refused)}
        </div>
      )}

      {shownMessage && (
        <div className={`message ${shownMessage.kind}`} role="alert" data-testid="message">
          {shownMessage.text}
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

      <MemberPanel
        member={member}
        state={memberState}
        tierName={q?.tierBefore ?? null}
        program={program}
        overview={overview}
        sharedWith={view?.accountName ?? null}
        onClear={() => dispatch({ type: 'clear-member' })}
        onLookup={lookupTyped}
        onAdjust={canAdjust ? () => setAdjusting(true) : null}
        onEnrol={canEnrol ? () => setEnrolling({ scannedCard: null, n: Date.now() }) : null}
        onHistory={canAdjust ? () => setHistoryOpen(true) : null}
        onHousehold={canAdjust ? () => setHouseholdOpen(true) : null}
        onTopUp={canTopUp ? () => setToppingUp(true) : null}
        onReplaceCard={canAdjust ? () => setReplacingCard(true) : null}
        onEditProfile={canAdjust ? () => setEditingProfile(true) : null}
      />
      {nameMatches && !member && (
        <MemberSearch
          {...nameMatches}
          program={program}
          onPick={(picked) => {
            setNameMatches(null);
            dispatch({ type: 'attach-member', member: picked });
          }}
          onClose={() => {
            setNameMatches(null);
            document.getElementById('lookup')?.focus();
          }}
        />
      )}

      <div className="work">
        <section className="basket" data-testid="basket">
          <h2>{t.basket}</h2>
          <button data-testid="open-return" onClick={startReturn}>
            {t.returnButton} <kbd>F9</kbd>
          </button>
          {program?.giftCards && (
            <button data-testid="open-gift-card" disabled={dialogOpen} onClick={openGiftCard}>
              {t.giftCardButton} <kbd>F5</kbd>
            </button>
          )}
          <Keypad
            line={selectedLine}
            currency={currency}
            quickKeys={cashier ? quickKeys : []}
            onCommand={keypadCommand}
            onQuickKey={({ product, quantity, grams }) => {
              const picked = pickedLine(product, grams);
              addProduct(product, { ...picked, line: { ...picked.line, quantity } });
              setMessage(null);
            }}
            onMove={(delta) => {
              const i = lines.findIndex((l) => l.lineId === session.lastLineId);
              const next = lines[Math.min(lines.length - 1, Math.max(0, i + delta))];
              if (next) dispatch({ type: 'select-line', lineId: next.lineId });
            }}
            onError={(text) => setMessage({ kind: 'error', text })}
          />
          <ProductSearch
            catalog={memberSync?.catalog ?? null}
            onPick={(product, grams) => {
              addProduct(product, pickedLine(product, grams));
              setMessage(null);
            }}
          />
          {lines.length === 0 && receipt ? (
            <ReceiptView
              receipt={receipt}
              tillId={config.tillId}
              storeName={store?.name ?? null}
              timeZone={store?.timeZone}
              barcode={`${config.scan.receiptPrefix}${receipt.saleId}`}
              onPrint={() => void printReceipt()}
              onClose={() => setReceipt(null)}
            />
          ) : saleEmpty(session) ? (
            <>
              <p className="muted">{t.emptyBasket}</p>
              {lastReceipt && (
                <button data-testid="reprint-receipt" onClick={() => setReceipt(lastReceipt)}>
                  {t.reprint(receiptLabel(config.tillId, lastReceipt.receiptNo))}
                </button>
              )}
            </>
          ) : (
            <BasketLines
              lines={lines}
              lastLineId={session.lastLineId}
              quote={q}
              currency={currency}
              dispatch={dispatch}
            />
          )}
        </section>

        <aside className="summary">
          {q && (
            <SaleSummary
              quote={q}
              currency={currency}
              program={program}
              hasMember={member !== null}
              redeem={redeem}
              codes={codes}
              isCoupon={(code) => couponBatchOf.has(code)}
              topUpMinor={session.topUpMinor}
              giftCardLoads={session.giftCardLoads}
              dispatch={dispatch}
              onPay={openPay}
              onVoid={() => void voidSale()}
            />
          )}
        </aside>
      </div>

      {settings && wedge && (
        <ScannerSettings host={host} wedge={wedge} onWedgeSaved={till.setWedge} onClose={() => setSettings(false)} />
      )}

      {db && !cashier && (
        <PinDialog
          title={lastCashierId ? t.screenLocked : t.signIn}
          staff={staff}
          preferredId={lastCashierId}
          testId="sign-in"
          header={<LanguageSelect value={lang} onChange={chooseLanguage} testId="sign-in-language" />}
          onSubmit={signIn}
        />
      )}

      {voiding && q && (
        <PinDialog
          title={t.supervisorNeeded(t.voidWhat(money(saleTotal, currency)))}
          staff={staff.filter((s) => s.role === 'supervisor')}
          askReason
          testId="supervisor"
          onSubmit={approveVoid}
          onCancel={() => setVoiding(false)}
        />
      )}

      {pricing && db && cashier && (
        <PriceChangeDialog
          db={db}
          till={{ tillId: config.tillId, storeId: config.storeId }}
          cashier={cashier}
          staff={staff}
          line={pricing.line}
          command={pricing.command}
          currency={currency}
          pinAnswer={pinAnswer}
          onDone={(unitPriceMinor, change) => {
            dispatch({ type: 'set-price', lineId: pricing.line.lineId, unitPriceMinor, change });
            setPricing(null);
          }}
          onCancel={() => setPricing(null)}
        />
      )}

      {adjusting && db && cashier && view && member && (
        <PointsAdjustDialog
          db={db}
          till={{ tillId: config.tillId, storeId: config.storeId }}
          cashier={cashier}
          staff={staff}
          accountId={view.accountId}
          balance={view.state.balance}
          memberName={member.name}
          pinAnswer={pinAnswer}
          onDone={(points) => {
            setAdjusting(false);
            setMessage({ kind: 'info', text: t.adjustPointsDone(signedPoints(points), view.state.balance + points) });
          }}
          onCancel={() => setAdjusting(false)}
        />
      )}

      {editingProfile && db && cashier && member && (
        <ProfileDialog
          db={db}
          ctx={{
            tillId: config.tillId,
            storeId: config.storeId,
            cashierId: cashier.id,
            country: store?.country ?? null,
          }}
          member={member}
          onDone={() => {
            setEditingProfile(false);
            setMessage({ kind: 'info', text: t.profileDone(member.name) });
          }}
          onCancel={() => setEditingProfile(false)}
        />
      )}

      {replacingCard && db && cashier && member && members && (
        <CardReplaceDialog
          db={db}
          ctx={{ tillId: config.tillId, storeId: config.storeId, members }}
          cashier={cashier}
          staff={staff}
          member={member}
          pinAnswer={pinAnswer}
          onDone={(card) => {
            setReplacingCard(false);
            dispatch({ type: 'attach-member', member: { ...member, cardNumber: card } });
            setMessage({ kind: 'info', text: t.cardReplaceDone(member.name, card) });
          }}
          onCancel={() => setReplacingCard(false)}
        />
      )}

      {toppingUp && program && memberState && member && store && (
        <TopUpDialog
          program={program}
          state={memberState}
          memberName={member.name}
          topUpMinor={session.topUpMinor}
          timeZone={store.timeZone}
          onSet={(amountMinor) => {
            setToppingUp(false);
            setReceipt(null);
            dispatch({ type: 'set-top-up', amountMinor });
          }}
          onCancel={() => setToppingUp(false)}
        />
      )}

      {giftCarding && program?.giftCards && store && (
        <GiftCardDialog
          program={program}
          timeZone={store.timeZone}
          offline={!sync.online}
          loads={session.giftCardLoads}
          read={readGiftCard}
          scans={giftCardScans}
          onSet={(giftCard, amountMinor) => {
            setGiftCarding(false);
            setReceipt(null);
            dispatch({ type: 'set-gift-card', giftCard, amountMinor });
            setMessage(
              amountMinor > 0 ? { kind: 'info', text: t.giftCardOnSale(giftCard, money(amountMinor, currency)) } : null,
            );
          }}
          onCancel={() => setGiftCarding(false)}
        />
      )}

      {householdOpen && db && cashier && view && member && memberSync && (
        <HouseholdDialog
          db={db}
          till={{ tillId: config.tillId, storeId: config.storeId }}
          cashier={cashier}
          staff={staff}
          member={member}
          state={view.state}
          find={async (text) => {
            const found = await lookup(text);
            if (found.kind === 'by-name' && (found.members.length !== 1 || found.more))
              return { ok: false, message: t.householdProblem('MANY', text) };
            if (found.kind !== 'found' && found.kind !== 'by-name')
              return { ok: false, message: lookupProblem(found, text) };
            const picked = found.kind === 'found' ? found.member : found.members[0]!;
            const holder = await householdHolder(db, memberSync, picked, store?.timeZone ?? 'UTC');
            return holder
              ? { ok: true, ...holder }
              : { ok: false, message: t.householdProblem('MEMBER_NOT_FOUND', text) };
          }}
          pinAnswer={pinAnswer}
          onDone={(text) => {
            setHouseholdOpen(false);
            setMessage({ kind: 'info', text });
          }}
          onCancel={() => setHouseholdOpen(false)}
        />
      )}

      {historyOpen && db && view && member && (
        <HistoryDialog
          db={db}
          server={historyServer}
          memberId={member.id}
          accountId={view.accountId}
          memberName={member.name}
          timeZone={store?.timeZone ?? 'UTC'}
          onReturn={
            program?.returns.fromHistory && shiftOpen
              ? (saleId) => {
                  setHistoryOpen(false);
                  setReturning({ scanned: { kind: 'sale', saleId }, n: Date.now() });
                }
              : null
          }
          onClose={() => setHistoryOpen(false)}
        />
      )}

      {enrolling && db && cashier && memberSync && members && (
        <EnrolDialog
          key={enrolling.n}
          db={db}
          ctx={
            {
              tillId: config.tillId,
              storeId: config.storeId,
              cashierId: cashier.id,
              config: store,
              program,
              members,
            } satisfies Omit<EnrolContext, 'ref'>
          }
          scannedCard={enrolling.scannedCard}
          findMember={lookup}
          onDone={({ member: enrolled, bonusPoints }) => {
            setEnrolling(null);
            dispatch({ type: 'attach-member', member: enrolled });
            setMessage({ kind: 'info', text: t.enrolDone(enrolled.name, enrolled.cardNumber, bonusPoints) });
          }}
          onCancel={() => setEnrolling(null)}
        />
      )}

      {shifting && db && cashier && shiftView.shift !== undefined && (
        <ShiftDialog
          db={db}
          till={{ tillId: config.tillId, storeId: config.storeId }}
          cashier={cashier}
          staff={staff}
          shift={shiftView.shift}
          lastZ={shiftView.lastZ}
          currency={currency}
          storeName={store?.name ?? null}
          timeZone={store?.timeZone}
          pinAnswer={pinAnswer}
          onPrint={() => void printReceipt()}
          onChanged={shiftView.refresh}
          onClose={() => setShifting(false)}
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
          totalMinor={saleTotal}
          currency={currency}
          tenders={session.tenders}
          walletMinor={
            program?.wallet && memberState && store
              ? Math.min(
                  // The eWallet and gift cards pay for the goods only, together.
                  q.totalMinor - giftCardPaid(session.tenders),
                  walletSpendable(program, memberState, {
                    offline: !sync.online,
                    at: new Date().toISOString(),
                    timeZone: store.timeZone,
                  }),
                )
              : null
          }
          giftCards={
            program?.giftCards && store
              ? {
                  program,
                  goodsMinor: q.totalMinor,
                  loads: session.giftCardLoads,
                  offline: !sync.online,
                  timeZone: store.timeZone,
                  read: readGiftCard,
                  scans: giftCardScans,
                }
              : null
          }
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
}
