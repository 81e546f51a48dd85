/**
 * `kassa validate | quote | refund`: the loyalty engine from the command line,
 * for program managers and for checking a program before it goes live.
 * Output is JSON on stdout; errors go to stderr with the JSON path at fault.
 * Exit codes: 0 done, 1 an input file is invalid, 2 wrong usage.
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
  checkWalletMoves,
  walletSpendable,
  type BasketLine,
  type RedeemChoice,
} from '../shared/engine';
import { isKassaError } from '../shared/errors';

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

const readJson = async <T>(file: string, schema: z.ZodType<T>): Promise<T> => {
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(file, 'utf8'));
  } catch (e) {
    throw new InputError(`${file}: ${(e as Error).message}`);
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    throw new InputError(
      parsed.error.issues.map((i) => `${file}: ${formatPath(i.path) || '(root)'}: ${i.message}`).join('\n'),
    );
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
 * The eWallet side of a quoted sale (shared/engine/wallet.ts): the balance before, what the till may let it pay now,
 * the top-up and the payment, the balance after and what the other tenders still owe; or the coded refusal.
 */
function walletSummary(
  input: QuoteInput,
  goodsMinor: number,
  moves: { topUpMinor: number; paidMinor: number },
): { summary: Record<string, number>; error: { code: string; message: string } | null } {
  const state = input.member?.state ?? null;
  const balanceBefore = state?.wallet.balanceMinor ?? 0;
  const ctx = { offline: input.offline ?? false, at: input.at, timeZone: input.timeZone };
  let error: { code: string; message: string } | null = null;
  try {
    checkWalletMoves(input.program, state, { ...moves, goodsMinor }, ctx);
  } catch (e) {
    if (!isKassaError(e)) throw e;
    error = { code: e.code, message: e.message };
  }
  return {
    summary: {
      balanceBefore,
      spendable: state ? walletSpendable(input.program, state, ctx) : 0,
      topUp: moves.topUpMinor,
      paid: moves.paidMinor,
      balanceAfter: balanceBefore + moves.topUpMinor - moves.paidMinor,
      toPay: goodsMinor + moves.topUpMinor - moves.paidMinor,
    },
    error,
  };
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
          offline: { type: 'boolean' },
        },
      });
      if (!values.program || !values.basket)
        throw new UsageError(
          'kassa quote --program P.json --basket B.json [--member M.json] [--at ISO-DATE] [--code CODE]... [--redeem REWARD-ID [--count N] | --pay-points N] [--coupon-batch BATCH.json]... [--top-up MINOR] [--pay-wallet MINOR] [--offline]',
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
      const wallet =
        topUpMinor === null && payWalletMinor === null
          ? null
          : walletSummary(input, q.totalMinor, { topUpMinor: topUpMinor ?? 0, paidMinor: payWalletMinor ?? 0 });
      const errors = [
        ...q.errors.map(({ code, message }) => ({ code, message })),
        ...(wallet?.error ? [wallet.error] : []),
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
        ...(wallet ? { wallet: wallet.summary } : {}),
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
    if (e instanceof InputError || isKassaError(e)) {
      process.stderr.write(`${e.message}\n`);
      return 1;
    }
    throw e;
  }
};

class UsageError extends Error {}
