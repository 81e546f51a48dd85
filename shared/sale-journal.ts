/**
 * A sale as journal documents: the sale and its ledger entries, exactly as
 * a till writes them and the server re-checks them. Pure; the caller makes
 * the ids and tillSeqs (the entries follow the sale in tillSeq order).
 *
 * Every document is parsed with the shared wire schema before it is handed
 * back, so a till never queues a document the server must refuse.
 */
import {
  journalDocSchema,
  type JournalDoc,
  type LedgerEntryBody,
  type PriceChangeBody,
  type SaleBody,
} from './documents';
import {
  checkWalletMoves,
  codesOf,
  commitSale,
  quote,
  walletMoves,
  withWalletEffects,
  WALLET_TOPUP_LINE_ID,
  WALLET_TOPUP_PRODUCT_ID,
  type Quote,
  type QuoteInput,
} from './engine';
import { KassaError } from './errors';
import { checkGiftCardMoves, GIFT_CARD_PRODUCT_ID, type GiftCardState } from './gift-cards';

export type SaleContext = {
  tillId: string;
  storeId: string;
  cashierId: string;
  /** Versions of the member (and household account) documents the till quoted on. */
  memberSeq: number | null;
  accountSeq?: number | null;
  tenders: SaleBody['tenders'];
  /** The receipt number the till gives this sale. */
  receiptNo?: number | null;
  /** Prices changed at the till (discounts, overrides), by line id. */
  priceChanges?: Readonly<Record<string, PriceChangeBody>>;
  /** Money put on the member's eWallet with this sale (a `topup` line after the goods); 0 or absent: none. */
  topUpMinor?: number;
  /** Gift cards sold or reloaded with this sale (a `giftcard` line each, after the goods and the top-up). */
  giftCardLoads?: ReadonlyArray<GiftCardLoad>;
  /**
   * The till's view of every gift card the sale names, in its lines or its tenders (shared/gift-cards.ts
   * `giftCardView`); a card missing here is one the till knows nothing of.
   */
  giftCards?: ReadonlyMap<string, GiftCardState | null>;
};

/** Money put on one gift card by a sale. */
export type GiftCardLoad = { giftCard: string; amountMinor: number };

/** The top-up line of a sale that puts `amountMinor` on the member's eWallet. */
export function topUpLine(amountMinor: number): SaleBody['lines'][number] {
  return {
    lineId: WALLET_TOPUP_LINE_ID,
    kind: 'topup',
    productId: WALLET_TOPUP_PRODUCT_ID,
    ean: '',
    name: 'eWallet top-up',
    quantity: 1,
    grams: null,
    unit: 'each',
    tags: [],
    unitPriceMinor: amountMinor,
    amountMinor,
    discountMinor: 0,
    points: 0,
    categoryId: 'stored-value',
  };
}

/** The line of a sale that puts `amountMinor` on gift card `giftCard`; `n` numbers the sale's gift card lines from 1. */
export function giftCardLine(load: GiftCardLoad, n: number): SaleBody['lines'][number] {
  return {
    lineId: `gift${n}`,
    kind: 'giftcard',
    productId: GIFT_CARD_PRODUCT_ID,
    ean: '',
    name: `Gift card ${load.giftCard}`,
    quantity: 1,
    grams: null,
    unit: 'each',
    tags: [],
    unitPriceMinor: load.amountMinor,
    amountMinor: load.amountMinor,
    discountMinor: 0,
    points: 0,
    categoryId: 'stored-value',
    giftCard: load.giftCard,
  };
}

/** The stored-value lines a sale adds after its goods: the eWallet top-up, then one line per gift card loaded. */
export function storedValueLines(ctx: Pick<SaleContext, 'topUpMinor' | 'giftCardLoads'>): SaleBody['lines'] {
  const topUp = ctx.topUpMinor ?? 0;
  return [
    ...(topUp > 0 ? [topUpLine(topUp)] : []),
    ...(ctx.giftCardLoads ?? []).map((load, i) => giftCardLine(load, i + 1)),
  ];
}

/** What a sale puts on stored value in all: its eWallet top-up and its gift card loads. */
export function storedValueMinor(ctx: Pick<SaleContext, 'topUpMinor' | 'giftCardLoads'>): number {
  return (ctx.topUpMinor ?? 0) + (ctx.giftCardLoads ?? []).reduce((s, l) => s + l.amountMinor, 0);
}

/** What a sale costs in all: its goods as quoted, plus what it puts on the eWallet and on gift cards. */
export function saleTotalMinor(q: Pick<Quote, 'totalMinor'>, storedValue = 0): number {
  return q.totalMinor + storedValue;
}

export type PricedSale = { saleId: string; at: string; quote: Quote; entries: LedgerEntryBody[] } & Pick<
  ReturnType<typeof commitSale>,
  'effects'
>;

/** Quotes and commits a basket (throws a coded error when the redemption is not allowed). */
export function priceSale(input: Omit<QuoteInput, 'at'>, at: string, saleId: string): PricedSale {
  const q = quote({ ...input, at });
  const { entries, effects } = commitSale({ ...input, at, saleId });
  return { saleId, at, quote: q, entries, effects };
}

/** A journal document checked against the contract before it is written; `what` names it in the error. */
export function checkedJournalDoc(doc: unknown, what: 'sale' | 'return' = 'sale'): JournalDoc {
  const r = journalDocSchema.safeParse(doc);
  if (!r.success) {
    const issue = r.error.issues[0];
    throw new KassaError(
      'DOCUMENT_INVALID',
      `This ${what} cannot be recorded: ${issue ? `${issue.path.join('.')}: ${issue.message}` : 'invalid'}`,
    );
  }
  return r.data;
}

/**
 * Throws a coded error when the sale's stored-value moves are not allowed: its eWallet top-up and wallet tenders
 * (shared/engine/wallet.ts), its gift card lines and tenders (shared/gift-cards.ts). A till calls it before it takes
 * tillSeqs for the sale, so a refused sale leaves no gap in its journal.
 */
export function checkSaleStoredValue(
  input: Omit<QuoteInput, 'at'>,
  priced: Pick<PricedSale, 'quote' | 'at'>,
  ctx: Pick<SaleContext, 'tenders' | 'topUpMinor' | 'giftCardLoads' | 'giftCards'>,
): void {
  const { paidMinor } = walletMoves({ lines: [], tenders: ctx.tenders });
  const at = { offline: input.offline ?? false, at: priced.at, timeZone: input.timeZone };
  checkWalletMoves(
    input.program,
    input.member?.state ?? null,
    { topUpMinor: ctx.topUpMinor ?? 0, paidMinor, goodsMinor: priced.quote.totalMinor },
    at,
  );
  checkGiftCardMoves(
    input.program,
    ctx.giftCards ?? new Map(),
    { lines: storedValueLines(ctx), tenders: ctx.tenders },
    priced.quote.totalMinor,
    at,
  );
}

/** The sale document and its entries; `entryIds` and `seqs` (1 + entries) are the caller's. */
export function saleDocuments(
  input: Omit<QuoteInput, 'at'>,
  priced: PricedSale,
  ctx: SaleContext,
  entryIds: readonly string[],
  seqs: readonly number[],
): JournalDoc[] {
  const { quote: q, entries, effects, saleId, at } = priced;
  const lineById = new Map(q.lines.map((l) => [l.lineId, l]));
  const storedValue = storedValueMinor(ctx);
  checkSaleStoredValue(input, priced, ctx);
  const body: SaleBody = {
    storeId: ctx.storeId,
    cashierId: ctx.cashierId,
    memberId: input.member?.id ?? null,
    currency: q.currency,
    lines: input.basket.map((l) => {
      const p = lineById.get(l.lineId)!;
      const priceChange = ctx.priceChanges?.[l.lineId];
      return {
        lineId: l.lineId,
        kind: 'item' as const,
        productId: l.productId,
        ean: l.ean,
        name: l.name,
        quantity: l.quantity,
        grams: l.grams,
        unit: l.unit,
        tags: l.tags,
        ...(l.taxRateBp === undefined ? {} : { taxRateBp: l.taxRateBp }),
        unitPriceMinor: l.unitPriceMinor,
        amountMinor: p.amountMinor,
        discountMinor: p.discountMinor,
        points: p.points,
        categoryId: l.categoryId,
        ...(priceChange ? { priceChange } : {}),
        ...(p.stamps ? { stamps: p.stamps } : {}),
      };
    }),
    subtotalMinor: q.subtotalMinor + storedValue,
    discountMinor: q.discountMinor,
    totalMinor: saleTotalMinor(q, storedValue),
    tenders: ctx.tenders,
    programId: input.program.id,
    programVersion: input.program.version,
    memberSeq: ctx.memberSeq,
    accountSeq: ctx.accountSeq ?? null,
    accountId:
      input.member?.accountId !== undefined && input.member.accountId !== input.member.id
        ? input.member.accountId
        : null,
    redeem: input.redeem ?? null,
    ...(codesOf(input.codes).length > 0 ? { codes: codesOf(input.codes) } : {}),
    offline: input.offline ?? false,
    refundOf: null,
    receiptNo: ctx.receiptNo ?? null,
    entryIds: [...entryIds],
    effects: null,
  };
  body.lines.push(...storedValueLines(ctx));
  body.effects = input.member ? withWalletEffects(effects, body) : null;
  const memberId = input.member?.id ?? '';
  return [
    checkedJournalDoc({ id: saleId, kind: 'sale', tillId: ctx.tillId, tillSeq: seqs[0], at, memberId, body }),
    ...entries.map((e, i) =>
      checkedJournalDoc({
        id: entryIds[i],
        kind: 'entry',
        tillId: ctx.tillId,
        tillSeq: seqs[i + 1],
        at,
        memberId: e.memberId,
        body: e,
      }),
    ),
  ];
}
