/**
 * Returns as sale documents: what is left to return of a sale, the return
 * lines and ledger entries for the goods brought back, and the server's
 * answer to a till looking a sale up for a return. Pure; the till builds a
 * return with `returnLines`, the server re-computes it with the same function
 * and compares.
 *
 * Invariants:
 * - A return is a sale document with `refundOf` set to the original sale. Each
 *   return line names the original line by its `lineId`, carries a positive
 *   quantity and negative money (`unitPriceMinor`, `amountMinor` ≤ 0); its
 *   `points` are the earned points it takes back (≤ 0).
 * - What was already returned of a sale is the sum, per original line, of
 *   the quantities on its return documents. A line is never returned beyond
 *   its quantity: `returnLines` throws a coded error instead.
 * - Money and points per line use the cumulative rounding of
 *   shared/engine/refund.ts, so several partial returns add up to exactly one
 *   full return. So do the stamps a line earned (`effects`): a return takes back its share from the bucket
 *   they went to.
 */
import { z } from 'zod';
import {
  saleBodySchema,
  ulidSchema,
  type LedgerEntryBody,
  type MemberEffectsBody,
  type SaleBody,
  type SaleLine,
} from './documents';
import { refund, type RefundResult, type ReturnedLine } from './engine/refund';
import { KassaError } from './errors';
import { divideRounded } from './money';
import { isoTimeSchema } from './primitives';

/** One line picked for a return: the original line's id and how many come back. */
export type PickedLine = { lineId: string; quantity: number };

/** Quantities already returned per original line id, from the bodies of the sale's earlier returns. */
export function returnedQuantities(returns: ReadonlyArray<Pick<SaleBody, 'lines'>>): Map<string, number> {
  const out = new Map<string, number>();
  for (const r of returns)
    for (const l of r.lines) if (l.kind === 'return') out.set(l.lineId, (out.get(l.lineId) ?? 0) + l.quantity);
  return out;
}

export type ReturnableLine = {
  lineIndex: number;
  lineId: string;
  name: string;
  quantity: number;
  grams: number | null;
  /** What the customer paid for the whole line, after its discounts. */
  netMinor: number;
  returned: number;
  remaining: number;
};

/** The sale's goods lines with what is left to return of each (discount lines are not returned on their own). */
export function returnableLines(
  sale: Pick<SaleBody, 'lines'>,
  returned: ReadonlyMap<string, number>,
): ReturnableLine[] {
  return sale.lines.flatMap((l, lineIndex) => {
    if (l.kind !== 'item') return [];
    const done = Math.min(returned.get(l.lineId) ?? 0, l.quantity);
    return [
      {
        lineIndex,
        lineId: l.lineId,
        name: l.name,
        quantity: l.quantity,
        grams: l.grams,
        netMinor: l.amountMinor - l.discountMinor,
        returned: done,
        remaining: l.quantity - done,
      },
    ];
  });
}

export type BuiltReturn = {
  lines: SaleLine[];
  /** The refund's total money (positive: what goes back to the customer) and its ledger entries. */
  refund: RefundResult;
  /**
   * What the return changes in the member's state: the stamps its lines earned, taken back from the buckets
   * they went to (negative increments). Null when there is nothing to take back (no stamps, an older sale).
   */
  effects: MemberEffectsBody | null;
};

/** `total × part / whole` after `prior + now` units, less after `prior` (cumulative, so partial returns add up). */
function shareBetween(total: number, prior: number, now: number, whole: number, rounding: 'up' | 'down'): number {
  return divideRounded(total * (prior + now), whole, rounding) - divideRounded(total * prior, whole, rounding);
}

/**
 * The return lines and ledger entries for `picked` lines of `sale`, given what earlier returns took back.
 * `returnId` is the return's own sale id (its entries name it). Throws NOT_FOUND for a line the sale does not
 * have (or one that is not goods) and NOT_ALLOWED for a quantity over what is left.
 */
export function returnLines(input: {
  sale: SaleBody;
  returnId: string;
  priorReturns: ReadonlyArray<Pick<SaleBody, 'lines'>>;
  picked: readonly PickedLine[];
}): BuiltReturn {
  const { sale } = input;
  const index = new Map(sale.lines.map((l, i) => [l.lineId, i]));
  const before = returnedQuantities(input.priorReturns);
  // One entry per line, in the sale's order: the same picks in any order give the same return.
  const merged = new Map<string, number>();
  for (const p of input.picked) {
    const i = index.get(p.lineId);
    if (i === undefined || sale.lines[i]!.kind !== 'item')
      throw new KassaError('NOT_FOUND', `The sale has no line ${p.lineId} to return`);
    if (!Number.isSafeInteger(p.quantity) || p.quantity <= 0)
      throw new KassaError('NOT_ALLOWED', `Cannot return ${p.quantity} of ${sale.lines[i]!.name}`);
    merged.set(p.lineId, (merged.get(p.lineId) ?? 0) + p.quantity);
  }
  if (merged.size === 0) throw new KassaError('NOT_ALLOWED', 'Pick at least one line to return');
  const toIndex = (lineId: string) => index.get(lineId)!;
  const returned: ReturnedLine[] = [...merged]
    .map(([lineId, quantity]) => ({ lineIndex: toIndex(lineId), quantity }))
    .sort((a, b) => a.lineIndex - b.lineIndex);
  const alreadyReturned: ReturnedLine[] = [...before]
    .filter(([lineId]) => index.has(lineId))
    .map(([lineId, quantity]) => ({ lineIndex: toIndex(lineId), quantity }))
    .sort((a, b) => a.lineIndex - b.lineIndex);
  const result = refund({
    sale,
    saleId: input.returnId,
    pointsRedeemed: sale.effects?.redeemedPoints ?? 0,
    alreadyReturned,
    returned,
  });
  const lines = returned.map(({ lineIndex, quantity }): SaleLine => {
    const l = sale.lines[lineIndex]!;
    const prior = before.get(l.lineId) ?? 0;
    const money = shareBetween(l.amountMinor - l.discountMinor, prior, quantity, l.quantity, 'down');
    const points = shareBetween(l.points, prior, quantity, l.quantity, 'up');
    return {
      lineId: l.lineId,
      kind: 'return',
      productId: l.productId,
      ean: l.ean,
      name: l.name,
      quantity,
      grams: l.grams === null ? null : shareBetween(l.grams, prior, quantity, l.quantity, 'down') || null,
      unit: l.unit,
      tags: l.tags,
      ...(l.taxRateBp === undefined ? {} : { taxRateBp: l.taxRateBp }),
      unitPriceMinor: -l.unitPriceMinor,
      amountMinor: -money,
      discountMinor: 0,
      points: -points,
      categoryId: l.categoryId,
    };
  });
  return { lines, refund: result, effects: returnEffects(sale, before, returned) };
}

/**
 * The stamps a return takes back: per card and bucket, the returned quantity's share of what each line earned,
 * rounded up cumulatively so several partial returns take back exactly what the sale gave, never more. Stamps a
 * free unit used and offer uses are not given back (docs/returns.md).
 */
function returnEffects(
  sale: SaleBody,
  before: ReadonlyMap<string, number>,
  returned: readonly ReturnedLine[],
): MemberEffectsBody | null {
  const stamps: Record<string, Record<string, number>> = {};
  for (const { lineIndex, quantity } of returned) {
    const l = sale.lines[lineIndex]!;
    const prior = before.get(l.lineId) ?? 0;
    for (const [card, earned] of Object.entries(l.stamps ?? {})) {
      const back = shareBetween(earned.n, prior, quantity, l.quantity, 'up');
      if (back === 0) continue;
      const buckets = (stamps[card] ??= {});
      buckets[earned.bucket] = (buckets[earned.bucket] ?? 0) - back;
    }
  }
  if (Object.keys(stamps).length === 0) return null;
  return { stamps, offerUses: {}, grants: [], redeemedPoints: 0, membership: null };
}

/** Where a till looks a sale up for a return (src-server/till-sales.ts). */
export const returnRoutes = {
  byId: (id: string) => `/api/v1/till/sales/${encodeURIComponent(id)}`,
  byReceipt: (label: string) => `/api/v1/till/sales/by-receipt/${encodeURIComponent(label)}`,
} as const;

/** A sale as the server hands it to a till for a return. */
export const returnSaleSchema = z.object({
  id: ulidSchema,
  tillId: z.string().min(1).max(64),
  at: isoTimeSchema,
  body: saleBodySchema,
});
export type ReturnSale = z.infer<typeof returnSaleSchema>;

/**
 * `GET /api/v1/till/sales/:id` and `/api/v1/till/sales/by-receipt/:label`: the sale and every return of it the
 * server has taken, from any till (parked returns are not counted: they moved no money or points).
 */
export const saleForReturnReplySchema = z.object({
  sale: returnSaleSchema,
  returns: z.array(returnSaleSchema).max(1000),
});
export type SaleForReturnReply = z.infer<typeof saleForReturnReplySchema>;

/** A receipt's number as printed: the till, then the number on it (`till-1-000042`). */
export function receiptLabel(tillId: string, receiptNo: number): string {
  return `${tillId}-${String(receiptNo).padStart(6, '0')}`;
}

/** `till-1-000042` → its till and number; null when the text is no receipt label. */
export function parseReceiptLabel(text: string): { tillId: string; receiptNo: number } | null {
  const m = /^([A-Za-z0-9][A-Za-z0-9_.-]{0,63})-(\d{1,15})$/.exec(text.trim());
  if (!m) return null;
  const receiptNo = Number(m[2]);
  return Number.isSafeInteger(receiptNo) && receiptNo > 0 ? { tillId: m[1]!, receiptNo } : null;
}

/** Every ledger entry a return writes, keyed for comparison (member, kind, points, rule). */
export function entryKeys(entries: ReadonlyArray<Pick<LedgerEntryBody, 'memberId' | 'type' | 'points' | 'ruleId'>>) {
  return entries.map((e) => JSON.stringify([e.memberId, e.type, e.points, e.ruleId])).sort();
}
