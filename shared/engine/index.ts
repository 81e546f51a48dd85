/**
 * The loyalty engine: a pure, deterministic function of (program, member
 * state, basket, time). `quote` prices a basket and attributes every discount
 * and every point to the rule that produced it; `commit` turns the same input
 * into the ledger entries of a sale.
 *
 * Invariants: integers only (money in minor units, points whole, multipliers
 * in integer percent); rounding is the program's (default down) and happens
 * once per rule over the whole basket, then points are attributed to lines by
 * largest remainder; output does not depend on basket line order.
 */
import { KassaError } from '../errors';
import type { LedgerEntryBody } from '../documents';
import { divideRounded, formatMoney } from '../money';
import type { MemberState } from './member-state';
import type { EarnRule, Program } from './program';

export { programSchema, validateProgram, type Program, type ProgramInput } from './program';
export { memberStateSchema, emptyMemberState, type MemberState } from './member-state';

export type BasketLine = {
  lineId: string;
  productId: string;
  ean: string;
  name: string;
  categoryId: string;
  tags: string[];
  unit: 'each' | 'kg';
  quantity: number;
  grams: number | null;
  unitPriceMinor: number;
};

export type RedeemChoice = { kind: 'reward'; rewardId: string } | { kind: 'points'; points: number } | null;

export type QuoteInput = {
  program: Program;
  member: { id: string; state: MemberState } | null;
  basket: BasketLine[];
  at: string;
  timeZone: string;
  redeem?: RedeemChoice;
  offline?: boolean;
};

export type QuoteLine = {
  lineId: string;
  amountMinor: number;
  discountMinor: number;
  totalMinor: number;
  points: number;
  explanation: string[];
};

export type Quote = {
  currency: string;
  subtotalMinor: number;
  discountMinor: number;
  totalMinor: number;
  pointsEarned: number;
  pointsRedeemed: number;
  balanceBefore: number | null;
  balanceAfter: number | null;
  tierBefore: string | null;
  tierAfter: string | null;
  lines: QuoteLine[];
  explanation: Array<{ ruleId: string; text: string; points?: number; discountMinor?: number }>;
  affordableRewards: Array<{ rewardId: string; name: string; cost: number }>;
  tierProgress: {
    current: string | null;
    next: string | null;
    remaining: number | null;
    metric: 'spend' | 'points';
  } | null;
  expiryWarnings: Array<{ points: number; expiresAt: string }>;
  errors: Array<{ code: string; message: string }>;
};

/** Amount of a line before discounts: items × price, or grams × price per kg (rounded down to the minor unit). */
export const lineAmountMinor = (line: BasketLine): number =>
  line.unit === 'kg' && line.grams !== null
    ? divideRounded(line.grams * line.unitPriceMinor, 1000, 'half-up')
    : line.quantity * line.unitPriceMinor;

const matches = (rule: EarnRule, line: BasketLine): boolean => {
  const f = rule.filter;
  if (f.excludeTags.some((t) => line.tags.includes(t))) return false;
  if (f.categories && !f.categories.includes(line.categoryId)) return false;
  if (f.products && !f.products.includes(line.productId)) return false;
  return true;
};

const tierFor = (program: Program, windowPoints: number) => {
  let current: Program['tiers'][number] | null = null;
  for (const tier of program.tiers) if (windowPoints >= tier.threshold) current = tier;
  return current;
};

/** Splits `total` over weights proportionally: floor shares, then the remainder by largest fraction (ties by key). */
const allocate = (
  total: number,
  parts: ReadonlyArray<{ key: string; numerator: bigint }>,
  denominator: bigint,
): Map<string, number> => {
  const out = new Map<string, number>();
  let given = 0;
  const rema: Array<{ key: string; rem: bigint }> = [];
  for (const p of parts) {
    const share = Number(p.numerator / denominator);
    out.set(p.key, share);
    given += share;
    rema.push({ key: p.key, rem: p.numerator % denominator });
  }
  rema.sort((a, b) => (a.rem === b.rem ? (a.key < b.key ? -1 : 1) : a.rem > b.rem ? -1 : 1));
  for (let i = 0; given < total && i < rema.length; i++, given++) {
    out.set(rema[i]!.key, (out.get(rema[i]!.key) ?? 0) + 1);
  }
  return out;
};

const sortLines = (basket: readonly BasketLine[]): BasketLine[] =>
  [...basket].sort((a, b) => (a.lineId < b.lineId ? -1 : a.lineId > b.lineId ? 1 : 0));

export const quote = (input: QuoteInput): Quote => {
  const { program, member } = input;
  const lines = sortLines(input.basket);
  const currency = program.currency;
  const errors: Quote['errors'] = [];
  const explanation: Quote['explanation'] = [];
  const fmt = (minor: number) => formatMoney({ minor, currency });

  const amounts = new Map(lines.map((l) => [l.lineId, lineAmountMinor(l)]));
  const subtotalMinor = [...amounts.values()].reduce((a, b) => a + b, 0);
  const balanceBefore = member ? member.state.balance : null;

  // --- Redemption: a reward or points paid, as one basket discount spread over lines.
  let discountMinor = 0;
  let pointsRedeemed = 0;
  const redeem = input.redeem ?? null;
  if (redeem && !member) errors.push({ code: 'CARD_NOT_FOUND', message: 'Scan a member card to redeem points' });
  if (redeem && member) {
    let wanted = { points: 0, discount: 0, label: '' };
    if (redeem.kind === 'reward') {
      const reward = program.rewards.find((r) => r.id === redeem.rewardId);
      if (!reward) errors.push({ code: 'NOT_FOUND', message: `No reward "${redeem.rewardId}" in this program` });
      else if (subtotalMinor < reward.minBasketMinor) {
        errors.push({
          code: 'BASKET_TOO_SMALL',
          message: `${reward.name} needs a basket of ${fmt(reward.minBasketMinor)}`,
        });
      } else
        wanted = { points: reward.cost, discount: Math.min(reward.amountMinor, subtotalMinor), label: reward.name };
    } else if (!program.payWithPoints) {
      errors.push({ code: 'NOT_ALLOWED', message: 'This program does not allow paying with points' });
    } else if (!Number.isSafeInteger(redeem.points) || redeem.points <= 0) {
      errors.push({ code: 'BAD_POINTS', message: 'Points to pay with must be a whole number above 0' });
    } else {
      const { minorPerPoint, maxPercent } = program.payWithPoints;
      const cap = divideRounded(subtotalMinor * maxPercent, 100, 'down');
      const points = Math.min(redeem.points, Math.floor(cap / minorPerPoint));
      wanted = { points, discount: points * minorPerPoint, label: `${points} points` };
      if (points < redeem.points) {
        explanation.push({
          ruleId: 'pay-with-points',
          text: `Points capped at ${maxPercent} % of the basket: ${points} used`,
        });
      }
    }
    if (wanted.points > 0) {
      const capLeft = program.offlineRedemptionCapPerDay - redeemedToday(member.state, input.at, input.timeZone);
      if (wanted.points > member.state.balance) {
        errors.push({ code: 'NOT_ENOUGH_POINTS', message: `Not enough points: ${member.state.balance} available` });
      } else if (input.offline && wanted.points > capLeft) {
        errors.push({
          code: 'OFFLINE_CAP_REACHED',
          message: `Offline, at most ${Math.max(0, capLeft)} points can be redeemed today`,
        });
      } else {
        pointsRedeemed = wanted.points;
        discountMinor = wanted.discount;
        explanation.push({
          ruleId: redeem.kind === 'reward' ? `reward:${redeem.rewardId}` : 'pay-with-points',
          text: `-${fmt(discountMinor)}: ${wanted.label} (-${pointsRedeemed} pts)`,
          points: -pointsRedeemed,
          discountMinor,
        });
      }
    }
  }

  const lineDiscounts =
    discountMinor > 0 && subtotalMinor > 0
      ? allocate(
          discountMinor,
          lines.map((l) => ({ key: l.lineId, numerator: BigInt(amounts.get(l.lineId)!) * BigInt(discountMinor) })),
          BigInt(subtotalMinor),
        )
      : new Map<string, number>();
  const net = new Map(lines.map((l) => [l.lineId, amounts.get(l.lineId)! - (lineDiscounts.get(l.lineId) ?? 0)]));
  const totalMinor = subtotalMinor - discountMinor;

  // --- Earning: only members earn; the points base is the amount after discounts.
  const linePoints = new Map<string, number>(lines.map((l) => [l.lineId, 0]));
  const lineNotes = new Map<string, string[]>(lines.map((l) => [l.lineId, []]));
  const tierBefore = member ? tierFor(program, member.state.tierWindow.points) : null;
  let pointsEarned = 0;
  if (member && totalMinor >= program.minSpendMinor) {
    const tierPct = BigInt(tierBefore?.multiplier ?? 100);
    const multipliers = program.earn.filter((r) => r.kind === 'multiplier');
    const pctFor = (line: BasketLine): bigint => {
      let pct = 100n;
      for (const m of multipliers) if (matches(m, line)) pct += BigInt(m.percent - 100);
      return pct;
    };
    for (const rule of program.earn) {
      if (rule.kind === 'multiplier') continue;
      const eligible = lines.filter((l) => matches(rule, l) && net.get(l.lineId)! > 0);
      let perUnitDen: bigint;
      const base = (l: BasketLine): bigint => {
        if (rule.kind === 'per-currency') return BigInt(net.get(l.lineId)!) * BigInt(rule.points);
        if (rule.kind === 'per-kg') return l.unit === 'kg' && l.grams ? BigInt(l.grams) * BigInt(rule.points) : 0n;
        return BigInt(l.quantity) * BigInt(rule.points);
      };
      if (rule.kind === 'per-currency') perUnitDen = BigInt(rule.perMinor);
      else if (rule.kind === 'per-kg') perUnitDen = 1000n;
      else perUnitDen = 1n;
      const den = perUnitDen * 100n * 100n;
      const parts = eligible.map((l) => ({ key: l.lineId, numerator: base(l) * pctFor(l) * tierPct }));
      const sum = parts.reduce((a, p) => a + p.numerator, 0n);
      const total = program.rounding === 'down' ? Number(sum / den) : Number((sum * 2n + den) / (2n * den));
      if (total <= 0) continue;
      const shares = allocate(total, parts, den);
      for (const [lineId, pts] of shares) {
        if (pts === 0) continue;
        linePoints.set(lineId, linePoints.get(lineId)! + pts);
        lineNotes.get(lineId)!.push(`+${pts} pts: ${ruleText(rule, currency)}`);
      }
      pointsEarned += total;
      explanation.push({ ruleId: rule.id, text: `+${total} pts: ${ruleText(rule, currency)}`, points: total });
    }
    for (const m of multipliers) {
      const hit = lines.filter((l) => matches(m, l)).map((l) => l.name);
      if (hit.length > 0) {
        explanation.push({ ruleId: m.id, text: `${m.percent / 100}× ${m.label ?? 'points'} on ${hit.join(', ')}` });
      }
    }
    if (tierBefore && tierBefore.multiplier !== 100) {
      explanation.push({
        ruleId: `tier:${tierBefore.id}`,
        text: `${tierBefore.multiplier / 100}× for ${tierBefore.name} tier`,
      });
    }
  } else if (member && totalMinor < program.minSpendMinor) {
    explanation.push({ ruleId: 'min-spend', text: `No points below ${fmt(program.minSpendMinor)}` });
  }

  const balanceAfter = member ? member.state.balance - pointsRedeemed + pointsEarned : null;
  const windowAfter = member ? member.state.tierWindow.points + pointsEarned : 0;
  const tierAfter = member ? tierFor(program, windowAfter) : null;
  const nextTier = member ? (program.tiers.find((t) => t.threshold > windowAfter) ?? null) : null;
  const spendable = member ? member.state.balance : 0;

  return {
    currency,
    subtotalMinor,
    discountMinor,
    totalMinor,
    pointsEarned,
    pointsRedeemed,
    balanceBefore,
    balanceAfter,
    tierBefore: tierBefore?.name ?? null,
    tierAfter: tierAfter?.name ?? null,
    lines: lines.map((l) => ({
      lineId: l.lineId,
      amountMinor: amounts.get(l.lineId)!,
      discountMinor: lineDiscounts.get(l.lineId) ?? 0,
      totalMinor: net.get(l.lineId)!,
      points: linePoints.get(l.lineId)!,
      explanation: lineNotes.get(l.lineId)!,
    })),
    explanation,
    affordableRewards: member
      ? program.rewards
          .filter((r) => r.cost <= spendable && subtotalMinor >= r.minBasketMinor)
          .map((r) => ({ rewardId: r.id, name: r.name, cost: r.cost }))
      : [],
    tierProgress:
      member && program.tiers.length > 0
        ? {
            current: tierAfter?.name ?? null,
            next: nextTier?.name ?? null,
            remaining: nextTier ? nextTier.threshold - windowAfter : null,
            metric: 'points',
          }
        : null,
    expiryWarnings: [],
    errors,
  };
};

const ruleText = (rule: EarnRule, currency: string): string => {
  if (rule.label) return rule.label;
  switch (rule.kind) {
    case 'per-currency':
      return `${rule.points} pt per ${formatMoney({ minor: rule.perMinor, currency })}`;
    case 'per-kg':
      return `${rule.points} pts per kg`;
    case 'per-item':
      return `${rule.points} pts per item`;
    case 'multiplier':
      return `${rule.percent / 100}×`;
  }
};

/** Store-local calendar date (YYYY-MM-DD) of an instant. */
export const localDate = (at: string, timeZone: string): string =>
  new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(
    new Date(at),
  );

const redeemedToday = (state: MemberState, at: string, timeZone: string): number =>
  state.redeemedToday && state.redeemedToday.date === localDate(at, timeZone) ? state.redeemedToday.points : 0;

/** The ledger entries of a sale. Throws when the quote has an error (an invalid redeem must not be committed). */
export const commit = (input: QuoteInput & { saleId: string }): LedgerEntryBody[] => {
  const q = quote(input);
  const first = q.errors[0];
  if (first)
    throw new KassaError(first.code === 'NOT_ENOUGH_POINTS' ? 'NOT_ENOUGH_POINTS' : 'PROGRAM_INVALID', first.message);
  if (!input.member) return [];
  const entries: LedgerEntryBody[] = [];
  if (q.pointsRedeemed > 0) {
    const r = input.redeem;
    entries.push({
      memberId: input.member.id,
      saleId: input.saleId,
      type: 'redeem',
      points: -q.pointsRedeemed,
      reason: q.explanation.find((e) => e.points === -q.pointsRedeemed)?.text ?? 'Redeemed',
      naturalId: null,
      ruleId: r?.kind === 'reward' ? `reward:${r.rewardId}` : 'pay-with-points',
    });
  }
  if (q.pointsEarned > 0) {
    entries.push({
      memberId: input.member.id,
      saleId: input.saleId,
      type: 'earn',
      points: q.pointsEarned,
      reason: q.explanation
        .filter((e) => (e.points ?? 0) > 0)
        .map((e) => e.text)
        .join('; '),
      naturalId: null,
      ruleId: 'earn',
    });
  }
  return entries;
};

export { refund, type RefundResult, type ReturnedLine } from './refund';
