/**
 * The server's re-check of a sale: the shared engine re-run on the sale's
 * basket, the program version it names and the member state the till
 * quoted on. Pure: the caller reconstructs that state (the member version
 * the sale names plus the till's own journal before it, through the shared
 * projection) and loads the program.
 *
 * A sale matches when the engine gives exactly the till's ledger entries
 * (member, kind, points, natural id, rule), the same member-state effects
 * and the same line amounts, discounts and points. Anything else is a
 * mismatch with a reason; the caller parks what the till sent and, where
 * the program says so, books what the engine gives instead.
 */
import type { EntryDoc, LedgerEntryBody, MemberEffectsBody, SaleDoc } from '../../shared/documents';
import {
  checkWalletMoves,
  commitQuoted,
  NO_MEMBER_EFFECTS,
  quote,
  walletMoves,
  withWalletEffects,
  type BasketLine,
  type LineStamps,
  type Program,
} from '../../shared/engine';
import { isKassaError } from '../../shared/errors';
import { saleGoodsMinor, type MemberView } from '../../shared/ledger';

/** The stamps the program gives each item line, by line id (a line that keeps none is absent). */
export type LineStampsById = Record<string, Record<string, LineStamps>>;

export type RecheckOutcome =
  | { ok: true; entries: LedgerEntryBody[]; effects: MemberEffectsBody }
  | {
      ok: false;
      reason: string;
      entries: LedgerEntryBody[];
      effects: MemberEffectsBody | null;
      lineStamps: LineStampsById;
    };

/**
 * The sale as the server keeps it after a correction: each line's stamps as the program gives them, so a later
 * return takes back what the sale really stamped, not what the till said it did.
 */
export function withLineStamps(sale: SaleDoc, lineStamps: LineStampsById): SaleDoc {
  const lines = sale.body.lines.map((l) => {
    if (l.kind !== 'item') return l;
    const { stamps: _, ...rest } = l;
    const given = lineStamps[l.lineId];
    return given ? { ...rest, stamps: given } : rest;
  });
  return { ...sale, body: { ...sale.body, lines } };
}

/**
 * The engine's basket for a sale: its item lines as the till priced them. Stored-value lines (the eWallet top-up,
 * gift cards sold) never reach the engine: they earn nothing and no promotion counts them.
 */
export function basketFromSale(sale: SaleDoc): BasketLine[] {
  return sale.body.lines
    .filter((l) => l.kind === 'item')
    .map((l) => ({
      lineId: l.lineId,
      productId: l.productId,
      ean: l.ean,
      name: l.name,
      categoryId: l.categoryId,
      tags: l.tags,
      unit: l.unit,
      quantity: l.quantity,
      grams: l.grams,
      unitPriceMinor: l.unitPriceMinor,
      ...(l.taxRateBp === undefined ? {} : { taxRateBp: l.taxRateBp }),
    }));
}

function entryKey(e: Pick<LedgerEntryBody, 'memberId' | 'type' | 'points' | 'naturalId' | 'ruleId'>): string {
  return JSON.stringify([e.memberId, e.type, e.points, e.naturalId, e.ruleId]);
}

/** JSON with object keys sorted, so two equal effects compare equal whatever order they were built in. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1)))
      : v,
  );
}

export function recheckSale(input: {
  program: Program;
  view: MemberView;
  sale: SaleDoc;
  entries: readonly EntryDoc[];
  timeZone: string;
  /** The sale's single-use coupon codes found in the coupon ledger (ingest/coupons.ts). */
  batchCodes?: Readonly<Record<string, { batch: string; used: boolean }>>;
}): RecheckOutcome {
  const { program, view, sale, timeZone } = input;
  const quoteInput = {
    program,
    member: { id: view.memberId, accountId: view.accountId, state: view.state },
    basket: basketFromSale(sale),
    at: sale.at,
    timeZone,
    redeem: sale.body.redeem,
    codes: sale.body.codes,
    batchCodes: input.batchCodes ?? {},
    offline: sale.body.offline,
    saleId: sale.id,
  };
  const q = quote(quoteInput);
  let committed: ReturnType<typeof commitQuoted>;
  try {
    committed = commitQuoted(quoteInput, q);
  } catch (e) {
    return {
      ok: false,
      reason: `the program would not allow this sale: ${e instanceof Error ? e.message : String(e)}`,
      entries: [],
      effects: null,
      lineStamps: {},
    };
  }
  const lineStamps: LineStampsById = Object.fromEntries(
    q.lines.flatMap((l) => (l.stamps ? [[l.lineId, l.stamps]] : [])),
  );
  // The wallet's moves are the sale's own lines and tenders: booked whatever else is wrong (the money moved).
  const wallet = walletMoves(sale.body);
  const effects = withWalletEffects(committed.effects, sale.body, wallet) ?? committed.effects;
  const mismatch = (reason: string): RecheckOutcome => ({
    ok: false,
    reason,
    entries: committed.entries,
    effects,
    lineStamps,
  });
  try {
    checkWalletMoves(
      program,
      view.state,
      { ...wallet, goodsMinor: saleGoodsMinor(sale.body) },
      { offline: sale.body.offline, at: sale.at, timeZone },
    );
  } catch (e) {
    if (!isKassaError(e)) throw e;
    return mismatch(`the program would not allow this wallet payment: ${e.message}`);
  }

  const expected = committed.entries.map(entryKey).sort();
  const sent = input.entries.map((e) => entryKey(e.body)).sort();
  if (expected.join('\n') !== sent.join('\n')) {
    const want = committed.entries.reduce((s, e) => s + e.points, 0);
    const got = input.entries.reduce((s, e) => s + e.body.points, 0);
    return mismatch(
      `the program gives entries worth ${want} points (${committed.entries.length} entries), the till wrote ${got} (${input.entries.length})`,
    );
  }
  if (canonicalJson(sale.body.effects ?? NO_MEMBER_EFFECTS) !== canonicalJson(effects))
    return mismatch(
      'the sale changes stamps, offers, grants, redemptions, membership or the wallet differently from the program',
    );

  const byId = new Map(q.lines.map((l) => [l.lineId, l]));
  for (const l of sale.body.lines) {
    if (l.kind !== 'item') continue;
    const priced = byId.get(l.lineId);
    if (!priced || priced.discountMinor !== l.discountMinor || priced.points !== l.points)
      return mismatch(`line ${l.lineId} (${l.name}) is priced or pointed differently from the program`);
    // A return takes back what the line says it stamped: a sale from before lines kept stamps has none to check.
    if (l.stamps !== undefined && canonicalJson(l.stamps) !== canonicalJson(priced.stamps ?? {}))
      return mismatch(`line ${l.lineId} (${l.name}) keeps other stamps than the program gives it`);
  }
  const itemDiscount = sale.body.lines.filter((l) => l.kind === 'item').reduce((s, l) => s + l.discountMinor, 0);
  if (itemDiscount !== q.discountMinor) return mismatch('the loyalty discount differs from the program');
  return { ok: true, entries: committed.entries, effects };
}
