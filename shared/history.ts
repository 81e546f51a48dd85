/**
 * A member's history as the till shows it: their last purchases (and returns)
 * and the last movements of their points, each movement with its reason in
 * words.
 *
 * Invariants:
 * - The server's answer (`memberHistorySchema`) is what the till caches; the
 *   till adds the documents of its own journal the answer does not hold yet
 *   (`mergeHistory`), so a sale made a minute ago offline is in the list.
 * - Newest first, sales by till time, entries by till time then id; at most
 *   `HISTORY_SALES` and `HISTORY_ENTRIES` of each.
 * - A movement's words come from its type and rule (`historyReason`), never
 *   from the English text the engine stored; a supervisor's typed reason for
 *   an adjustment is shown as typed.
 */
import { z } from 'zod';
import { ledgerTypeSchema, ulidSchema, type LedgerEntryBody, type SaleBody } from './documents';

export const HISTORY_SALES = 20;
export const HISTORY_ENTRIES = 50;

const minor = z.number().int().min(-1e12).max(1e12);

export const historyLineSchema = z.object({
  productId: z.string().max(64),
  name: z.string().max(200),
  quantity: z.number().int(),
  grams: z.number().int().nullable(),
  amountMinor: minor,
});

export const historySaleSchema = z.object({
  id: ulidSchema,
  tillId: z.string().max(64),
  receiptNo: z.number().int().positive().nullable(),
  at: z.string(),
  totalMinor: minor,
  currency: z.string().max(8),
  /** The sale a return refunds; null for a sale. */
  refundOf: ulidSchema.nullable(),
  lines: z.array(historyLineSchema).max(500),
});
export type HistorySale = z.infer<typeof historySaleSchema>;

export const historyEntrySchema = z.object({
  id: z.string().max(64),
  type: ledgerTypeSchema,
  points: z.number().int(),
  reason: z.string().max(500),
  ruleId: z.string().max(100).nullable(),
  saleId: ulidSchema.nullable(),
  at: z.string(),
});
export type HistoryEntry = z.infer<typeof historyEntrySchema>;

export const memberHistorySchema = z.object({
  memberId: ulidSchema,
  /** When the server answered. */
  asOf: z.string(),
  sales: z.array(historySaleSchema).max(HISTORY_SALES),
  entries: z.array(historyEntrySchema).max(HISTORY_ENTRIES),
});
export type MemberHistory = z.infer<typeof memberHistorySchema>;

/** A sale body as the history lists it. */
export function historySale(id: string, tillId: string, at: string, body: SaleBody): HistorySale {
  return {
    id,
    tillId,
    receiptNo: body.receiptNo,
    at,
    totalMinor: body.totalMinor,
    currency: body.currency,
    refundOf: body.refundOf,
    lines: body.lines
      .filter((l) => l.kind !== 'discount')
      .map((l) => ({
        productId: l.productId,
        name: l.name,
        quantity: l.kind === 'return' ? -l.quantity : l.quantity,
        grams: l.grams,
        amountMinor: l.amountMinor,
      })),
  };
}

export function historyEntry(id: string, at: string, body: LedgerEntryBody): HistoryEntry {
  return {
    id,
    type: body.type,
    points: body.points,
    reason: body.reason,
    ruleId: body.ruleId,
    saleId: body.saleId,
    at,
  };
}

function newestFirst<T extends { at: string; id: string }>(a: T, b: T): number {
  return a.at < b.at ? 1 : a.at > b.at ? -1 : a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
}

/** The server's answer with this till's own documents it does not hold yet, newest first, within the limits. */
export function mergeHistory(
  server: Pick<MemberHistory, 'sales' | 'entries'> | null,
  own: { sales: readonly HistorySale[]; entries: readonly HistoryEntry[] },
): { sales: HistorySale[]; entries: HistoryEntry[] } {
  const sales = new Map((server?.sales ?? []).map((s) => [s.id, s]));
  for (const s of own.sales) if (!sales.has(s.id)) sales.set(s.id, s);
  const entries = new Map((server?.entries ?? []).map((e) => [e.id, e]));
  for (const e of own.entries) if (!entries.has(e.id)) entries.set(e.id, e);
  return {
    sales: [...sales.values()].sort(newestFirst).slice(0, HISTORY_SALES),
    entries: [...entries.values()].sort(newestFirst).slice(0, HISTORY_ENTRIES),
  };
}

export const historyReasons = [
  'earn',
  'payWithPoints',
  'reward',
  'bonusSignup',
  'bonusEmail',
  'bonusReview',
  'bonusBirthday',
  'bonusReferral',
  'bonus',
  'expire',
  'refundEarn',
  'refundRedeem',
  'adjust',
  'transfer',
] as const;
export type HistoryReason = (typeof historyReasons)[number];

const BONUS_REASONS: Record<string, HistoryReason> = {
  'bonus:signup': 'bonusSignup',
  'bonus:email-confirmed': 'bonusEmail',
  'bonus:review': 'bonusReview',
  'bonus:birthday': 'bonusBirthday',
  'bonus:referral': 'bonusReferral',
};

/** What a movement of points was, for the till to say in its language; `note` is a reason typed by staff. */
export function historyReason(e: Pick<HistoryEntry, 'type' | 'ruleId' | 'reason' | 'points'>): {
  reason: HistoryReason;
  note: string | null;
} {
  switch (e.type) {
    case 'earn':
      return { reason: 'earn', note: null };
    case 'redeem':
      return { reason: e.ruleId?.startsWith('reward:') ? 'reward' : 'payWithPoints', note: null };
    case 'bonus':
      return { reason: BONUS_REASONS[e.ruleId ?? ''] ?? 'bonus', note: null };
    case 'expire':
      return { reason: 'expire', note: null };
    case 'refund':
      return { reason: e.points < 0 ? 'refundEarn' : 'refundRedeem', note: null };
    case 'adjust':
      return { reason: 'adjust', note: e.reason };
    case 'transfer':
      return { reason: 'transfer', note: null };
  }
}
