/**
 * `kassa validate | quote | refund`: the loyalty engine from the command line,
 * for program managers and for checking a program before it goes live.
 * Output is JSON on stdout; errors go to stderr with the JSON path at fault,
 * a coded one as `CODE: message` (a gift card argument or file, say).
 * Exit codes: 0 done, 1 an input is invalid or the quote refused, 2 wrong usage.
 */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { batchCodesOf } from '../shared/coupons';
import { saleBodySchema, ulidSchema } from '../shared/documents';
import {
  formatPath,
  memberStateSchema,
  commitSale,
  quote,
  refund,
  type QuoteInput,
  validateProgram,
  walletSpendable,
  type BasketLine,
  type Program,
  type Quote,
  type RedeemChoice,
} from '../shared/engine';
import { isKassaError, KassaError, type ErrorCode } from '../shared/errors';
import {
  applyGiftCardMove,
  emptyGiftCard,
  giftCardMoves,
  giftCardNumberOf,
  giftCardSpendable,
  giftCardStateSchema,
  type GiftCardState,
} from '../shared/gift-cards';
import {
  checkSaleStoredValue,
  saleTotalMinor,
  storedValueLines,
  storedValueMinor,
  type GiftCardLoad,
  type SaleContext,
} from '../shared/sale-journal';

const basketLineSchema = z.object({
  lineId: z.string().optional(),
  productId: z.string(),
  ean: z.string().default(''),
  name: z.string(),
  categoryId: z.string().default(''),
  tags: z.array(z.string()).default([]),
  unit: z.enum(['each', 'kg']).default('each'),
  quantity: z.number().int().positive().default(1),
  grams: z.number().int().positive().nullable().default(null),
  unitPriceMinor: z.number().int().nonnegative(),
  taxRateBp: z.number().int().min(0).max(10_000).optional(),
});
const basketFileSchema = z.object({ lines: z.array(basketLineSchema).min(1) });
const memberFileSchema = z.object({
  id: z.string().default('member'),
  /** Household: the account the member earns into and redeems from. */
  accountId: z.string().optional(),
  state: memberStateSchema,
});
/** A coupon batch as tills receive it (shared/coupons.ts): its id, codes and those used. */
const couponBatchFileSchema = z.object({
  batch: z.string().min(1),
  codes: z.array(z.string().transform((c) => c.toUpperCase())),
  used: z.array(z.string().transform((c) => c.toUpperCase())).default([]),
});
const saleFileSchema = z.object({
  saleId: ulidSchema,
  sale: saleBodySchema,
  pointsRedeemed: z.number().int().nonnegative().default(0),
});
const returnsFileSchema = z.object({
  returned: z
    .array(z.object({ lineIndex: z.number().int().nonnegative(), quantity: z.number().int().positive() }))
    .min(1),
  alreadyReturned: z
    .array(z.object({ lineIndex: z.number().int().nonnegative(), quantity: z.number().int().positive() }))
    .default([]),
});

class InputError extends Error {}

/**
 * A JSON input file parsed with `schema`; a file that is missing, is not JSON or breaks the schema is an input error,
 * coded `code` when one is given (a gift card's state: the card a sale pays with must be read right or not at all).
 */
const readJson = async <T>(file: string, schema: z.ZodType<T>, code?: ErrorCode): Promise<T> => {
  const refuse = (message: string) => (code ? new KassaError(code, message) : new InputError(message));
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(file, 'utf8'));
  } catch (e) {
    throw refuse(`${file}: ${(e as Error).message}`);
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    throw refuse(parsed.error.issues.map((i) => `${file}: ${formatPath(i.path) || '(root)'}: ${i.message}`).join('\n'));
  }
  return parsed.data;
};

const readProgram = async (file: string) => {
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(file, 'utf8'));
  } catch (e) {
    throw new InputError(`${file}: ${(e as Error).message}`);
  }
  const result = validateProgram(raw);
  if (!result.ok)
    throw new InputError(result.issues.map((i) => `${file}: ${i.path || '(root)'}: ${i.message}`).join('\n'));
  return result.program;
};

/** A `--top-up` or `--pay-wallet` amount: whole minor units, 0 or more; null when the option is absent. */
function minorOption(name: string, value: string | undefined): number | null {
  if (value === undefined) return null;
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n)) throw new InputError(`${name}: whole minor units, 0 or more`);
  return n;
}

/**
 * The gift card states given with `--gift-card`, by number: each a GiftCardState (shared/gift-cards.ts) of this
 * program, given once. A card not given is one the till knows nothing of.
 */
async function readGiftCards(files: readonly string[], program: Program): Promise<Map<string, GiftCardState>> {
  const cards = new Map<string, GiftCardState>();
  for (const file of files) {
    const card = await readJson(file, giftCardStateSchema, 'DOCUMENT_INVALID');
    if (card.programId !== program.id)
      throw new KassaError(
        'DOCUMENT_INVALID',
        `${file}: the card is of the program "${card.programId}", not "${program.id}"`,
      );
    const rules = program.giftCards;
    if (rules && giftCardNumberOf(card.number, rules.prefix) !== card.number) {
      const details = { number: card.number };
      throw new KassaError(
        'GIFT_CARD_BAD_NUMBER',
        `${file}: ${card.number} is not one of this store’s gift card numbers`,
        details,
      );
    }
    if (cards.has(card.number))
      throw new KassaError('DOCUMENT_INVALID', `${file}: gift card ${card.number} is given twice`);
    cards.set(card.number, card);
  }
  return cards;
}

/**
 * A `--sell-gift-card` or `--pay-gift-card` argument, `NUMBER:MINOR`: the card's number as the till reads it (any
 * case) and an amount in whole minor units above 0. Whether the move is allowed is for checkSaleStoredValue.
 */
function giftCardMoveOption(name: string, value: string, program: Program): GiftCardLoad {
  const colon = value.lastIndexOf(':');
  const text = colon < 0 ? value : value.slice(0, colon);
  const amount = colon < 0 ? '' : value.slice(colon + 1);
  const rules = program.giftCards;
  // Without gift cards in the program no number is the store's; the check refuses the move as not offered.
  const number = rules ? giftCardNumberOf(text, rules.prefix) : text.trim().toUpperCase();
  if (number === null)
    throw new KassaError(
      'GIFT_CARD_BAD_NUMBER',
      `${name} ${value}: ${text} is not one of this store’s gift card numbers (${rules?.prefix}-…)`,
      { number: text },
    );
  const amountMinor = Number(amount);
  if (!/^\d+$/.test(amount) || !Number.isSafeInteger(amountMinor) || amountMinor === 0)
    throw new KassaError(
      'GIFT_CARD_BAD_AMOUNT',
      `${name} ${value}: NUMBER:MINOR, the amount in whole minor units above 0 (e.g. ${number}:2500)`,
    );
  return { giftCard: number, amountMinor };
}

type StoredValue = Pick<SaleContext, 'tenders' | 'topUpMinor' | 'giftCardLoads' | 'giftCards'>;

/** The sale's first stored-value refusal (checkSaleStoredValue: the eWallet's, then the gift cards'), or null. */
function storedValueError(input: QuoteInput, q: Quote, sv: StoredValue): { code: string; message: string } | null {
  try {
    checkSaleStoredValue(input, { quote: q, at: input.at }, sv);
    return null;
  } catch (e) {
    if (!isKassaError(e)) throw e;
    return { code: e.code, message: e.message };
  }
}

/**
 * The eWallet side of a quoted sale (shared/engine/wallet.ts): the balance before, what the till may let it pay now,
 * the top-up and the payment, the balance after, and what the other tenders still owe.
 */
function walletSummary(
  input: QuoteInput,
  moves: { topUpMinor: number; paidMinor: number },
  toPay: number,
): Record<string, number> {
  const state = input.member?.state ?? null;
  const balanceBefore = state?.wallet.balanceMinor ?? 0;
  const ctx = { offline: input.offline ?? false, at: input.at, timeZone: input.timeZone };
  return {
    balanceBefore,
    spendable: state ? walletSpendable(input.program, state, ctx) : 0,
    topUp: moves.topUpMinor,
    paid: moves.paidMinor,
    balanceAfter: balanceBefore + moves.topUpMinor - moves.paidMinor,
    toPay,
  };
}

/**
 * Each gift card the sale names or the caller gave (shared/gift-cards.ts): its balance before, what it may pay now
 * (expiry and the offline cap counted), what the sale loads and pays, and the card after the sale's move, through
 * the fold the till and the server apply.
 */
function giftCardRows(input: QuoteInput, sv: StoredValue) {
  const cards = sv.giftCards ?? new Map<string, GiftCardState | null>();
  const moves = giftCardMoves({ lines: storedValueLines(sv), tenders: sv.tenders });
  const ctx = { offline: input.offline ?? false, at: input.at, timeZone: input.timeZone };
  const validMonths = input.program.giftCards?.validMonths ?? 0;
  return [...new Set([...moves.keys(), ...cards.keys()])].map((number) => {
    const card = cards.get(number) ?? null;
    const move = moves.get(number) ?? { loadMinor: 0, paidMinor: 0 };
    const before = card ?? emptyGiftCard(number, input.program.id);
    const after = applyGiftCardMove(before, move, { ...ctx, validMonths });
    return {
      number,
      balanceBefore: before.balanceMinor,
      spendable: giftCardSpendable(input.program, card, ctx),
      loaded: move.loadMinor,
      paid: move.paidMinor,
      balanceAfter: after.balanceMinor,
      validUntil: after.validUntil,
    };
  });
}

const print = (value: unknown) => process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);

export const runEngineCommand = async (command: 'validate' | 'quote' | 'refund', args: string[]): Promise<number> => {
  try {
    if (command === 'validate') {
      const file = args[0];
      if (!file) throw new UsageError('kassa validate PROGRAM.json');
      const program = await readProgram(file);
      print({
        ok: true,
        id: program.id,
        version: program.version,
        rules: program.earn.length,
        tiers: program.tiers.length,
        rewards: program.rewards.length,
      });
      return 0;
    }
    if (command === 'quote') {
      const { values } = parseArgs({
        args,
        options: {
          program: { type: 'string' },
          basket: { type: 'string' },
          member: { type: 'string' },
          at: { type: 'string' },
          'time-zone': { type: 'string' },
          redeem: { type: 'string' },
          count: { type: 'string' },
          code: { type: 'string', multiple: true },
          'pay-points': { type: 'string' },
          'coupon-batch': { type: 'string', multiple: true },
          'top-up': { type: 'string' },
          'pay-wallet': { type: 'string' },
          'gift-card': { type: 'string', multiple: true },
          'sell-gift-card': { type: 'string', multiple: true },
          'pay-gift-card': { type: 'string', multiple: true },
          offline: { type: 'boolean' },
        },
      });
      if (!values.program || !values.basket)
        throw new UsageError(
          'kassa quote --program P.json --basket B.json [--member M.json] [--at ISO-DATE] [--code CODE]... [--redeem REWARD-ID [--count N] | --pay-points N] [--coupon-batch BATCH.json]... [--top-up MINOR] [--pay-wallet MINOR] [--gift-card CARD.json]... [--sell-gift-card NUMBER:MINOR]... [--pay-gift-card NUMBER:MINOR]... [--offline]',
        );
      if (values.redeem && values['pay-points']) throw new UsageError('use --redeem or --pay-points, not both');
      const program = await readProgram(values.program);
      const basket = await readJson(values.basket, basketFileSchema);
      const member = values.member ? await readJson(values.member, memberFileSchema) : null;
      const at = values.at ?? new Date().toISOString();
      if (Number.isNaN(Date.parse(at))) throw new InputError(`--at: not a date: ${at}`);
      const points = values['pay-points'] !== undefined ? Number(values['pay-points']) : null;
      if (points !== null && (!Number.isSafeInteger(points) || points <= 0))
        throw new InputError('--pay-points: a whole number above 0');
      const topUpMinor = minorOption('--top-up', values['top-up']);
      const payWalletMinor = minorOption('--pay-wallet', values['pay-wallet']);
      const giftCardFiles = values['gift-card'] ?? [];
      const loads = (values['sell-gift-card'] ?? []).map((v) => giftCardMoveOption('--sell-gift-card', v, program));
      const giftCardPays = (values['pay-gift-card'] ?? []).map((v) =>
        giftCardMoveOption('--pay-gift-card', v, program),
      );
      const cards = await readGiftCards(giftCardFiles, program);
      const count = values.count !== undefined ? Number(values.count) : undefined;
      if (count !== undefined && (!values.redeem || !Number.isSafeInteger(count) || count < 1))
        throw new InputError('--count: a whole number above 0, with --redeem');
      const redeem: RedeemChoice = values.redeem
        ? { kind: 'reward', rewardId: values.redeem, ...(count === undefined ? {} : { count }) }
        : points !== null
          ? { kind: 'points', points }
          : null;
      const lines: BasketLine[] = basket.lines.map((l, i) => ({
        ...l,
        lineId: l.lineId ?? `line-${String(i + 1).padStart(3, '0')}`,
      }));
      const batches = await Promise.all(
        (values['coupon-batch'] ?? []).map(async (file) => ({
          programId: program.id,
          ...(await readJson(file, couponBatchFileSchema)),
        })),
      );
      const input: QuoteInput = {
        program,
        member,
        basket: lines,
        at: new Date(at).toISOString(),
        timeZone: values['time-zone'] ?? 'UTC',
        redeem,
        ...(values.code ? { codes: values.code } : {}),
        ...(batches.length > 0 ? { batchCodes: batchCodesOf(values.code, batches) } : {}),
        offline: values.offline ?? false,
      };
      const q = quote(input);
      const sv: StoredValue = {
        tenders: [
          ...(payWalletMinor ? [{ kind: 'wallet' as const, amountMinor: payWalletMinor }] : []),
          ...giftCardPays.map((t) => ({ kind: 'giftcard' as const, ...t })),
        ],
        topUpMinor: topUpMinor ?? 0,
        giftCardLoads: loads,
        giftCards: cards,
      };
      // What the sale costs with what it puts on stored value, less what the wallet and the gift cards pay.
      const saleTotal = saleTotalMinor(q, storedValueMinor(sv));
      const toPay = saleTotal - sv.tenders.reduce((s, t) => s + t.amountMinor, 0);
      const wallet =
        topUpMinor === null && payWalletMinor === null
          ? null
          : walletSummary(input, { topUpMinor: topUpMinor ?? 0, paidMinor: payWalletMinor ?? 0 }, toPay);
      const giftCards =
        giftCardFiles.length + loads.length + giftCardPays.length === 0
          ? null
          : { cards: giftCardRows(input, sv), total: saleTotal, toPay };
      const storedError = storedValueError(input, q, sv);
      const errors = [
        ...q.errors.map(({ code, message }) => ({ code, message })),
        ...(storedError ? [storedError] : []),
      ];
      print({
        currency: q.currency,
        subtotal: q.subtotalMinor,
        discount: q.discountMinor,
        total: q.totalMinor,
        pointsEarned: q.pointsEarned,
        pointsRedeemed: q.pointsRedeemed,
        balanceBefore: q.balanceBefore,
        balanceAfter: q.balanceAfter,
        tierBefore: q.tierBefore,
        tierAfter: q.tierAfter,
        lines: q.lines,
        // The CLI is read by people: the English text of each step (the codes are for the till's translations).
        explanation: q.explanation.map(({ code: _code, params: _params, ...e }) => e),
        affordableRewards: q.affordableRewards,
        tierProgress: q.tierProgress,
        expiryWarnings: q.expiryWarnings,
        ...(wallet ? { wallet } : {}),
        ...(giftCards ? { giftCards } : {}),
        errors,
        // The ledger entries this sale would write (none when the quote has an error).
        entries:
          errors.length === 0
            ? commitSale({ ...input, saleId: 'QUOTE' }).entries.map((e) => ({ ...e, saleId: null }))
            : [],
      });
      return errors.length > 0 ? 1 : 0;
    }
    const { values } = parseArgs({ args, options: { sale: { type: 'string' }, lines: { type: 'string' } } });
    if (!values.sale || !values.lines) throw new UsageError('kassa refund --sale SALE.json --lines RETURNS.json');
    const sale = await readJson(values.sale, saleFileSchema);
    const returns = await readJson(values.lines, returnsFileSchema);
    print(
      refund({
        sale: sale.sale,
        saleId: sale.saleId,
        pointsRedeemed: sale.pointsRedeemed,
        returned: returns.returned,
        alreadyReturned: returns.alreadyReturned,
      }),
    );
    return 0;
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`Usage: ${e.message}\n`);
      return 2;
    }
    if (e instanceof InputError) {
      process.stderr.write(`${e.message}\n`);
      return 1;
    }
    if (isKassaError(e)) {
      process.stderr.write(`${e.code}: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
};

class UsageError extends Error {}
