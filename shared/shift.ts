/**
 * A till's shift: opened with a float in the drawer, cash put in and taken
 * out with a reason, read at any time (X report) and closed once the cash in
 * the drawer has been counted (Z report). Pure: the till hands in the journal
 * documents it wrote during the shift; this computes the report.
 *
 * Invariants:
 * - Money is integer minor units, points integers; nothing is rounded.
 * - A report is a function of the shift and the set of its documents: the
 *   order they come in changes nothing, and a document outside the shift's
 *   tillSeq range (or of another till) is not counted.
 * - Expected cash = float + cash taken − change given − cash refunded
 *   + cash in − cash out. The difference at close is counted − expected
 *   (negative: the drawer is short).
 * - A sale is counted by what its tenders paid: cash counts the amount it
 *   paid of the sale (what was handed over less the change), card, points,
 *   eWallet and gift card their amounts. A return (a sale with `refundOf`)
 *   carries negative tender amounts: what went back to the customer, each to
 *   where it was paid from.
 * - Money put on eWallets and gift cards (top-up and gift card lines) is part
 *   of the sales total and counted apart as stored value sold: it is owed to
 *   customers, not earned.
 * - Points issued and redeemed come from the ledger entries of the shift's
 *   sales; a return's entries take earned points back (reversed) and give
 *   redeemed ones back (restored).
 */
import type { JournalDoc, SaleBody, StaffRole } from './documents';
import { lineAmountMinor } from './engine';
import { KassaError } from './errors';
import { saleStoredValueMinor } from './ledger/journal-facts';
import { MAX_MINOR } from './primitives';
import type { ShiftEventType } from './shift-events';
import type { EventInput } from './staff/till-events';

/** Taking out this much cash or more (minor units) in one go needs a supervisor. */
export const CASH_OUT_SUPERVISOR_THRESHOLD_MINOR = 10_000;
/** Closing a shift whose counted cash is off by more than this (either way) needs a supervisor. */
export const CASH_DIFFERENCE_SUPERVISOR_THRESHOLD_MINOR = 500;

export type ShiftOverrideAction = 'cash-out' | 'close-difference';

/**
 * Whether this shift action, by someone of this role, needs a supervisor's PIN first (as `needsSupervisor` in
 * shared/staff/till-events.ts does for the sale screen's actions). `amountMinor` is the cash taken out, or the
 * difference at close (its sign does not matter).
 */
export function shiftNeedsSupervisor(role: StaffRole, action: ShiftOverrideAction, amountMinor: number): boolean {
  if (role === 'supervisor') return false;
  switch (action) {
    case 'cash-out':
      return amountMinor >= CASH_OUT_SUPERVISOR_THRESHOLD_MINOR;
    case 'close-difference':
      return Math.abs(amountMinor) > CASH_DIFFERENCE_SUPERVISOR_THRESHOLD_MINOR;
  }
}

/** The shift as the till keeps it while it is open. */
export type Shift = {
  shiftId: string;
  /** 1, 2, 3… on this till. */
  shiftNo: number;
  tillId: string;
  currency: string;
  floatMinor: number;
  openedAt: string;
  openedBy: string;
  /** The tillSeq of the shift's open event: the shift's documents come after it. */
  openSeq: number;
};

export type ShiftTotals = {
  floatMinor: number;
  salesCount: number;
  /** What the sales came to (after discounts). */
  salesMinor: number;
  discountMinor: number;
  returnsCount: number;
  /** What returns gave back (positive). */
  returnsMinor: number;
  /** Cash handed over by customers, and the change given back. */
  cashTakenMinor: number;
  changeMinor: number;
  cardMinor: number;
  /** Paid with points (the money value of the points tender). */
  pointsTenderMinor: number;
  /** Paid from members' eWallets, and from gift cards. */
  walletMinor: number;
  giftCardMinor: number;
  /** Of the sales total: money put on eWallets (top-ups) and on gift cards (sold or reloaded). */
  storedValueSoldMinor: number;
  cashRefundMinor: number;
  cardRefundMinor: number;
  /** What returns gave back to eWallets and to gift cards (positive). */
  walletRefundMinor: number;
  giftCardRefundMinor: number;
  cashInMinor: number;
  cashOutMinor: number;
  expectedCashMinor: number;
  pointsIssued: number;
  pointsRedeemed: number;
  pointsReversed: number;
  pointsRestored: number;
};

export type CashMovement = { kind: 'cash-in' | 'cash-out'; amountMinor: number; reason: string; at: string };

export type ShiftReport = ShiftTotals & {
  shiftId: string;
  shiftNo: number;
  currency: string;
  openedAt: string;
  /** Net by tender over the shift (sales less returns). */
  byTender: { cashMinor: number; cardMinor: number; pointsMinor: number; walletMinor: number; giftCardMinor: number };
  movements: CashMovement[];
};

export type ClosedShiftReport = ShiftReport & {
  closedAt: string;
  countedCashMinor: number;
  differenceMinor: number;
};

/** A journal document as the till stores it (RxDB keeps `_deleted` itself) or as the wire carries it. */
type Stored<T> = T extends unknown ? Omit<T, '_deleted'> : never;
export type ShiftDoc = Stored<JournalDoc>;

type TenderKind = SaleBody['tenders'][number]['kind'];
type TotalKey = { [K in keyof ShiftTotals]: K }[keyof ShiftTotals];

/** Where a sale's tender of each kind is counted (cash apart: handed over and change). */
const PAID_TOTAL: Record<Exclude<TenderKind, 'cash'>, TotalKey> = {
  card: 'cardMinor',
  points: 'pointsTenderMinor',
  wallet: 'walletMinor',
  giftcard: 'giftCardMinor',
};

/** Where a return's tender of each kind is counted (redeemed points come back as points: see the entries). */
const REFUND_TOTAL: Record<Exclude<TenderKind, 'points'>, TotalKey> = {
  cash: 'cashRefundMinor',
  card: 'cardRefundMinor',
  wallet: 'walletRefundMinor',
  giftcard: 'giftCardRefundMinor',
};

function belongs(shift: Shift, doc: ShiftDoc, closeSeq: number | null): boolean {
  return doc.tillId === shift.tillId && doc.tillSeq > shift.openSeq && (closeSeq === null || doc.tillSeq < closeSeq);
}

/** What the till's own discounts (a percentage off a line, with a reason) took off a sale's lines. */
function tillDiscountMinor(lines: SaleBody['lines']): number {
  let off = 0;
  for (const l of lines)
    if (l.kind === 'item' && l.priceChange?.kind === 'discount')
      off += lineAmountMinor({ ...l, unitPriceMinor: l.priceChange.fromMinor }) - l.amountMinor;
  return off;
}

/**
 * The shift's report from its documents. `closeSeq`, when given, is the tillSeq of the close: documents from it
 * on belong to the next shift.
 */
export function shiftReport(shift: Shift, docs: Iterable<ShiftDoc>, closeSeq: number | null = null): ShiftReport {
  const t: ShiftTotals = {
    floatMinor: shift.floatMinor,
    salesCount: 0,
    salesMinor: 0,
    discountMinor: 0,
    returnsCount: 0,
    returnsMinor: 0,
    cashTakenMinor: 0,
    changeMinor: 0,
    cardMinor: 0,
    pointsTenderMinor: 0,
    walletMinor: 0,
    giftCardMinor: 0,
    storedValueSoldMinor: 0,
    cashRefundMinor: 0,
    cardRefundMinor: 0,
    walletRefundMinor: 0,
    giftCardRefundMinor: 0,
    cashInMinor: 0,
    cashOutMinor: 0,
    expectedCashMinor: 0,
    pointsIssued: 0,
    pointsRedeemed: 0,
    pointsReversed: 0,
    pointsRestored: 0,
  };
  const movements: Array<CashMovement & { seq: number }> = [];
  const returnIds = new Set<string>();
  const entries: Array<{ saleId: string | null; points: number }> = [];
  for (const doc of docs) {
    if (!belongs(shift, doc, closeSeq)) continue;
    if (doc.kind === 'sale') {
      const s = doc.body;
      if (s.refundOf !== null) {
        returnIds.add(doc.id);
        t.returnsCount += 1;
        t.returnsMinor += -s.totalMinor;
        for (const x of s.tenders) if (x.kind !== 'points') t[REFUND_TOTAL[x.kind]] += -x.amountMinor;
        continue;
      }
      t.salesCount += 1;
      t.salesMinor += s.totalMinor;
      t.discountMinor += s.discountMinor + tillDiscountMinor(s.lines);
      t.storedValueSoldMinor += saleStoredValueMinor(s);
      for (const x of s.tenders) {
        if (x.kind === 'cash') {
          const given = x.tenderedMinor ?? x.amountMinor;
          t.cashTakenMinor += given;
          t.changeMinor += given - x.amountMinor;
        } else t[PAID_TOTAL[x.kind]] += x.amountMinor;
      }
    } else if (doc.kind === 'entry') {
      entries.push({ saleId: doc.body.saleId, points: doc.body.points });
    } else if (doc.body.type === 'cash-in' || doc.body.type === 'cash-out') {
      if (doc.body.details.shiftId !== shift.shiftId) continue;
      const amountMinor = Number(doc.body.details.amountMinor);
      if (doc.body.type === 'cash-in') t.cashInMinor += amountMinor;
      else t.cashOutMinor += amountMinor;
      movements.push({ kind: doc.body.type, amountMinor, reason: doc.body.reason, at: doc.at, seq: doc.tillSeq });
    }
  }
  for (const e of entries) {
    const onReturn = e.saleId !== null && returnIds.has(e.saleId);
    if (onReturn) {
      if (e.points < 0) t.pointsReversed += -e.points;
      else t.pointsRestored += e.points;
    } else if (e.points > 0) t.pointsIssued += e.points;
    else t.pointsRedeemed += -e.points;
  }
  t.expectedCashMinor =
    t.floatMinor + t.cashTakenMinor - t.changeMinor - t.cashRefundMinor + t.cashInMinor - t.cashOutMinor;
  return {
    ...t,
    shiftId: shift.shiftId,
    shiftNo: shift.shiftNo,
    currency: shift.currency,
    openedAt: shift.openedAt,
    byTender: {
      cashMinor: t.cashTakenMinor - t.changeMinor - t.cashRefundMinor,
      cardMinor: t.cardMinor - t.cardRefundMinor,
      pointsMinor: t.pointsTenderMinor,
      walletMinor: t.walletMinor - t.walletRefundMinor,
      giftCardMinor: t.giftCardMinor - t.giftCardRefundMinor,
    },
    movements: movements.sort((a, b) => a.seq - b.seq).map(({ seq: _, ...m }) => m),
  };
}

/** The Z report: the shift's report with the cash counted at close and the difference. */
export function closeReport(report: ShiftReport, countedCashMinor: number, closedAt: string): ClosedShiftReport {
  checkAmount(countedCashMinor, true);
  return { ...report, closedAt, countedCashMinor, differenceMinor: countedCashMinor - report.expectedCashMinor };
}

/** Throws SHIFT_BAD_AMOUNT unless the amount is whole minor units in range (above zero unless `zeroOk`). */
export function checkAmount(amountMinor: number, zeroOk: boolean): void {
  if (!Number.isSafeInteger(amountMinor) || amountMinor < (zeroOk ? 0 : 1) || amountMinor > MAX_MINOR)
    throw new KassaError('SHIFT_BAD_AMOUNT', zeroOk ? 'Type an amount of zero or more' : 'Type an amount above zero', {
      amountMinor,
    });
}

/** The totals of a report as an event's details (the wire contract: shared/shift-events.ts). */
export function reportDetails(r: ShiftReport): Record<string, number | string> {
  return {
    shiftId: r.shiftId,
    shiftNo: r.shiftNo,
    floatMinor: r.floatMinor,
    salesCount: r.salesCount,
    salesMinor: r.salesMinor,
    discountMinor: r.discountMinor,
    returnsCount: r.returnsCount,
    returnsMinor: r.returnsMinor,
    cashTakenMinor: r.cashTakenMinor,
    changeMinor: r.changeMinor,
    cardMinor: r.cardMinor,
    pointsTenderMinor: r.pointsTenderMinor,
    walletMinor: r.walletMinor,
    giftCardMinor: r.giftCardMinor,
    storedValueSoldMinor: r.storedValueSoldMinor,
    cashRefundMinor: r.cashRefundMinor,
    cardRefundMinor: r.cardRefundMinor,
    walletRefundMinor: r.walletRefundMinor,
    giftCardRefundMinor: r.giftCardRefundMinor,
    cashInMinor: r.cashInMinor,
    cashOutMinor: r.cashOutMinor,
    expectedCashMinor: r.expectedCashMinor,
    pointsIssued: r.pointsIssued,
    pointsRedeemed: r.pointsRedeemed,
    pointsReversed: r.pointsReversed,
    pointsRestored: r.pointsRestored,
  };
}

type Who = { cashierId: string; supervisorId?: string | null };

/** The till events of a shift, ready for `eventDocument` (shared/staff/till-events.ts). */
export const shiftEvents = {
  open(shift: Shift, who: Who): EventInput {
    return {
      type: 'shift-open' satisfies ShiftEventType,
      cashierId: who.cashierId,
      action: 'open',
      details: {
        shiftId: shift.shiftId,
        shiftNo: shift.shiftNo,
        floatMinor: shift.floatMinor,
        currency: shift.currency,
      },
    };
  },
  cash(shift: Shift, kind: 'cash-in' | 'cash-out', amountMinor: number, reason: string, who: Who): EventInput {
    checkAmount(amountMinor, false);
    if (reason.trim() === '') throw new KassaError('SHIFT_REASON_NEEDED', 'Say why the cash goes in or out');
    return {
      type: kind,
      cashierId: who.cashierId,
      supervisorId: who.supervisorId ?? null,
      action: kind,
      reason: reason.trim(),
      details: { shiftId: shift.shiftId, shiftNo: shift.shiftNo, amountMinor },
    };
  },
  xReport(report: ShiftReport, who: Who): EventInput {
    return { type: 'x-report', cashierId: who.cashierId, action: 'x-report', details: reportDetails(report) };
  },
  close(report: ClosedShiftReport, reason: string, who: Who): EventInput {
    return {
      type: 'shift-close',
      cashierId: who.cashierId,
      supervisorId: who.supervisorId ?? null,
      action: 'close',
      reason: reason.trim(),
      details: {
        ...reportDetails(report),
        countedCashMinor: report.countedCashMinor,
        differenceMinor: report.differenceMinor,
      },
    };
  },
};
