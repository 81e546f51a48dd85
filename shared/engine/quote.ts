/**
 * `quote`: prices a basket for a member and attributes every discount and
 * every point to the rule that produced it.
 *
 * Pipeline (each step works on what the previous ones left, in the order
 * the program's `stacking.order` gives): member prices → promotions (the
 * only stage that also runs without a member) → personal offers →
 * stamp cards → the best of discount card / tier perk / membership perk (an
 * exclusive group by default) → a reward → paying with points. Points are
 * then earned on the points base (after or before discounts, tax in or out),
 * once per rule over the whole basket, rounded as the program says, and
 * attributed to lines by largest remainder.
 *
 * Pure and deterministic: lines are processed in `lineId` order, so the
 * output does not depend on the order they were scanned in.
 */
import { sayCodes, sayEnglish, type SayCode, type SayParams } from './explain';
import { divideRounded, formatMoney } from '../money';
import type { MemberState } from './member-state';
import type { EarnRule, Program, Promotion, Reward, Stage, Tier } from './program';
import { addDays, addMonths, amountOnDay, daysBetween, inWindow, localParts } from './time';
import { expiryWarnings } from './expiry';
import type { MemberEffectsBody } from '../documents';
import { membershipUntil } from '../ledger/membership';
import { NO_WINDOW_BUCKET, validStampBuckets } from '../ledger/stamps';
import { allocate, amountAt, lineAmountMinor, matchesFilter, type BasketLine } from './basket';
import { claimsOf, planPromotion, type PromotionPlan } from './promotions';

export { allocate, lineAmountMinor, matchesFilter, type BasketLine };

/** What the cashier redeems: a reward (`count` of it, default one, up to its `maxPerOrder`) or points paid with. */
export type RedeemChoice =
  { kind: 'reward'; rewardId: string; count?: number } | { kind: 'points'; points: number } | null;

/** Promo codes as the engine reads them: trimmed, in capitals, each once, in the order entered. */
export function codesOf(codes: readonly string[] | undefined): string[] {
  return [...new Set((codes ?? []).map((c) => c.trim().toUpperCase()).filter((c) => c.length > 0))];
}

/** The member-state key (`offerUses`) under which a promotion's uses per member are counted. */
export function promotionUseKey(promotionId: string): string {
  return `promotion:${promotionId}`;
}

/** The member-state key (`offerUses`) counting the coupons a member was given for a promotion. */
export function couponIssuedKey(promotionId: string): string {
  return `coupon:${promotionId}`;
}

/** Coupons a member holds for a promotion: given, less used (never below zero). */
export function couponsHeld(state: MemberState, promotionId: string): number {
  const uses = state.offerUses;
  return Math.max(0, (uses[couponIssuedKey(promotionId)] ?? 0) - (uses[promotionUseKey(promotionId)] ?? 0));
}

export type QuoteInput = {
  program: Program;
  /** `accountId`: the household account the member earns into and redeems from (defaults to the member). */
  member: { id: string; state: MemberState; accountId?: string } | null;
  basket: BasketLine[];
  at: string;
  timeZone: string;
  redeem?: RedeemChoice;
  /** Promo codes entered or scanned (any case). */
  codes?: readonly string[];
  /**
   * Single-use coupon codes among `codes`, as the caller found them in the program's coupon batches (the till in
   * the batches it received, the server in its coupon ledger): the batch, and whether the code is used already.
   */
  batchCodes?: Readonly<Record<string, { batch: string; used: boolean }>>;
  offline?: boolean;
};

export type QuoteLine = {
  lineId: string;
  amountMinor: number;
  discountMinor: number;
  totalMinor: number;
  points: number;
  explanation: string[];
  /** Stamps the line earned per stamp-card id (bucket and count); absent when it earned none. */
  stamps?: Record<string, LineStamps>;
};

/** The stamps one line earned on one card: today's bucket (or the card's only one) and how many. */
export type LineStamps = { bucket: string; n: number };

/** One thing the engine did: `code` and `params` for the till to translate (shared/engine/explain.ts), `text` in English. */
export type Explanation = {
  ruleId: string;
  code: SayCode;
  params: SayParams;
  text: string;
  points?: number;
  discountMinor?: number;
};
/** Why a redemption was refused: a coded error, with what the till translates. */
export type QuoteError = { code: string; message: string; say: SayCode; params: SayParams };

/** What a committed sale changes in the member's state besides points: commutative increments (shared/ledger). */
export type MemberEffects = MemberEffectsBody;

/** A sale's effects on member state when it has none. */
export const NO_MEMBER_EFFECTS: Readonly<MemberEffects> = Object.freeze({
  stamps: {},
  offerUses: {},
  grants: [],
  redeemedPoints: 0,
  membership: null,
});

export type BonusGrant = {
  memberId: string;
  points: number;
  naturalId: string;
  ruleId: string;
  say: SayCode;
  text: string;
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
  explanation: Explanation[];
  affordableRewards: Array<{ rewardId: string; name: string; cost: number; kind: Reward['benefit']['kind'] }>;
  tierProgress: {
    current: string | null;
    next: string | null;
    remaining: number | null;
    metric: 'spend' | 'points';
  } | null;
  expiryWarnings: Array<{ points: number; expiresAt: string }>;
  errors: QuoteError[];
  /** Earned points split by kind, for the ledger. */
  earnedByRule: Array<{ ruleId: string; points: number; text: string }>;
  bonuses: BonusGrant[];
  donation: { cause: string; amountMinor: number } | null;
  effects: MemberEffects;
};

/** The tier a member holds now: what the window earns them, never below the tier the server says they hold (downgrades happen at the window end, on the server). */
export const currentTier = (program: Program, state: MemberState, extraSpend = 0, extraPoints = 0): Tier | null => {
  const metric =
    program.tierRules.metric === 'spend'
      ? state.tierWindow.spendMinor + extraSpend
      : state.tierWindow.points + extraPoints;
  let reached: Tier | null = null;
  for (const t of program.tiers) if (metric >= t.threshold) reached = t;
  const heldIndex = program.tiers.findIndex((t) => t.id === state.tier);
  const reachedIndex = reached ? program.tiers.indexOf(reached) : -1;
  return heldIndex > reachedIndex ? program.tiers[heldIndex]! : reached;
};

/** A line's `stamps` field: the cards it kept stamps on, or nothing when it kept none. */
function lineStampsOf(earned: Record<string, LineStamps> | undefined): { stamps?: Record<string, LineStamps> } {
  const kept = Object.entries(earned ?? {}).filter(([, e]) => e.n > 0);
  return kept.length > 0 ? { stamps: Object.fromEntries(kept) } : {};
}

function activeMembership(program: Program, state: MemberState, at: string) {
  const m = membershipUntil(state);
  if (!m || Date.parse(m.validUntil) <= Date.parse(at)) return null;
  return program.memberships.find((p) => p.id === m.planId) ?? null;
}

const ruleText = (rule: EarnRule, currency: string): string => {
  if (rule.label) return rule.label;
  switch (rule.kind) {
    case 'per-currency':
      return `${rule.points} pt per ${formatMoney({ minor: rule.perMinor, currency })}`;
    case 'per-kg':
      return `${rule.points} pts per kg`;
    case 'per-item':
      return `${rule.points} pts per item`;
    case 'per-order':
      return `${rule.points} pts per order`;
    case 'multiplier':
      return `${rule.percent / 100}×`;
  }
};

/** What an earn rule gave, as the till translates it. */
function ruleSay(
  rule: Exclude<EarnRule, { kind: 'multiplier' }>,
  points: number,
): { code: SayCode; params: SayParams } {
  if (rule.label) return { code: 'earn-label', params: { points, label: rule.label } };
  if (rule.kind === 'per-currency')
    return { code: 'earn-per-currency', params: { points, rate: rule.points, perMinor: rule.perMinor } };
  return { code: `earn-${rule.kind}`, params: { points, rate: rule.points } };
}

const redeemedToday = (state: MemberState, at: string, timeZone: string): number =>
  amountOnDay(state.redeemedToday, 'points', localParts(at, timeZone).date);

const rewardValid = (r: Reward, at: string, timeZone: string, tier: Tier | null): boolean => {
  const date = localParts(at, timeZone).date;
  if (r.validFrom && date < r.validFrom) return false;
  if (r.validTo && date > r.validTo) return false;
  if (r.tiers && (!tier || !r.tiers.includes(tier.id))) return false;
  return true;
};

/**
 * Prices a basket (see the file's header). With `spendSameOrderPoints`, a redemption may use the points the order
 * itself earns: it stands when the balance, less what is redeemed, plus what the order earns after the redemption's
 * discount, is zero or above; otherwise the quote is the one without it, with NOT_ENOUGH_POINTS.
 */
export function quote(input: QuoteInput): Quote {
  const q = quoteOnce(input);
  if (!input.program.spendSameOrderPoints || q.balanceAfter === null || q.balanceAfter >= 0 || q.pointsRedeemed === 0)
    return q;
  const plain = quoteOnce({ ...input, redeem: null });
  const balance = (plain.balanceBefore ?? 0) + plain.pointsEarned;
  return {
    ...plain,
    errors: [
      ...plain.errors,
      {
        code: 'NOT_ENOUGH_POINTS',
        message: sayEnglish('points-not-enough', { balance }, plain.currency),
        say: 'points-not-enough',
        params: { balance },
      },
    ],
  };
}

function quoteOnce(input: QuoteInput): Quote {
  const { program, member, at, timeZone } = input;
  const state = member?.state ?? null;
  const lines = [...input.basket].sort((a, b) => (a.lineId < b.lineId ? -1 : a.lineId > b.lineId ? 1 : 0));
  const currency = program.currency;
  const errors: Quote['errors'] = [];
  const explanation: Explanation[] = [];
  const say = (code: SayCode, params: SayParams) => sayEnglish(code, params, currency);
  /** Something the engine did, with its English text made from its code. */
  const explain = (
    ruleId: string,
    code: SayCode,
    params: SayParams,
    extra: { points?: number; discountMinor?: number } = {},
  ) => explanation.push({ ruleId, code, params, text: say(code, params), ...extra });
  const refuse = (code: string, sayCode: SayCode, params: SayParams = {}) =>
    errors.push({ code, message: say(sayCode, params), say: sayCode, params });
  const notes = new Map<string, string[]>(lines.map((l) => [l.lineId, []]));
  const effects: MemberEffects = { stamps: {}, offerUses: {}, grants: [], redeemedPoints: 0, membership: null };
  /** Per line, the stamps it earned on each card (so a return can take back its share). */
  const lineStamps = new Map<string, Record<string, LineStamps>>();
  /** Per line, the units given free (a stamp card's, a free-item reward's): they earn no per-item points. */
  const freeUnits = new Map<string, number>();
  const giveUnitFree = (l: BasketLine) => {
    freeUnits.set(l.lineId, (freeUnits.get(l.lineId) ?? 0) + 1);
  };
  /** Units of a product in the basket (a weighed line is one). */
  const unitsOfProduct = (productId: string) =>
    lines.filter((l) => l.productId === productId).reduce((n, l) => n + (l.unit === 'kg' ? 1 : l.quantity), 0);
  /** The units of a line still paid for (a weighed line is one unit). */
  const paidUnits = (l: BasketLine) => (l.unit === 'kg' ? 1 : l.quantity) - (freeUnits.get(l.lineId) ?? 0);
  /** One paid unit's price as the line stands now: what a free unit takes off, whichever unit of the line it is. */
  const paidUnitPrice = (l: BasketLine) => {
    const paid = paidUnits(l);
    return paid > 0 ? divideRounded(amount.get(l.lineId)!, paid, 'down') : 0;
  };

  const gross = new Map(lines.map((l) => [l.lineId, lineAmountMinor(l)]));
  const amount = new Map(gross);
  const subtotalMinor = [...gross.values()].reduce((a, b) => a + b, 0);
  const tier = state ? currentTier(program, state) : null;
  const plan = state ? activeMembership(program, state, at) : null;
  let offerBonus = 0;
  const offerBonusLines: Array<{ points: number; lines: BasketLine[]; text: string }> = [];
  let pointsRedeemed = 0;
  let donation: Quote['donation'] = null;

  /**
   * Takes money off a line. `code` names the rule's text for one line; once the rule discounts a second line,
   * its explanation becomes `code-all` (the same text without the product), if there is one.
   */
  const discount = (line: BasketLine, minor: number, ruleId: string, code: SayCode, params: SayParams) => {
    const d = Math.min(minor, amount.get(line.lineId)!);
    if (d <= 0) return 0;
    amount.set(line.lineId, amount.get(line.lineId)! - d);
    notes.get(line.lineId)!.push(say(code, { ...params, amountMinor: d }));
    const prior = explanation.find((e) => e.ruleId === ruleId);
    if (prior) {
      prior.discountMinor = (prior.discountMinor ?? 0) + d;
      const all = `${code}-all`;
      if ((sayCodes as string[]).includes(all)) prior.code = all as SayCode;
      const { product: _product, ...rest } = prior.params;
      prior.params = { ...rest, amountMinor: prior.discountMinor };
      prior.text = say(prior.code, prior.params);
    } else explain(ruleId, code, { ...params, amountMinor: d }, { discountMinor: d });
    return d;
  };

  const spreadBasketDiscount = (minor: number, ruleId: string, code: SayCode, params: SayParams) => {
    const base = lines.reduce((s, l) => s + amount.get(l.lineId)!, 0);
    if (minor <= 0 || base <= 0) return;
    const shares = allocate(
      Math.min(minor, base),
      lines.map((l) => ({ key: l.lineId, numerator: BigInt(amount.get(l.lineId)!) * BigInt(Math.min(minor, base)) })),
      BigInt(base),
    );
    for (const l of lines) {
      const d = shares.get(l.lineId) ?? 0;
      if (d > 0) {
        amount.set(l.lineId, amount.get(l.lineId)! - d);
        notes.get(l.lineId)!.push(say(code, { ...params, amountMinor: d }));
      }
    }
    const total = Math.min(minor, base);
    explain(ruleId, code, { ...params, amountMinor: total }, { discountMinor: total });
  };

  const percentPerks = (stage: 'discount-card' | 'tier' | 'membership', line: BasketLine): number => {
    if (!state) return 0;
    if (stage === 'discount-card') {
      const card = program.discountCard;
      if (!card || (card.segment && !state.segments.includes(card.segment)) || !matchesFilter(card.filter, line))
        return 0;
      return card.percent;
    }
    if (stage === 'tier') return line.tags.includes('no-discount') ? 0 : (tier?.perks.percentOff ?? 0);
    return line.tags.includes('no-discount') ? 0 : (plan?.perks.percentOff ?? 0);
  };
  const perkSay = (
    stage: 'discount-card' | 'tier' | 'membership',
    percent: number,
    product: string,
  ): { code: SayCode; params: SayParams } =>
    stage === 'discount-card'
      ? { code: 'discount-card', params: { percent, product } }
      : stage === 'tier'
        ? { code: 'tier-discount', params: { percent, tier: tier?.name ?? '', product } }
        : { code: 'membership-discount', params: { percent, plan: plan?.name ?? 'membership', product } };
  const doneStages = new Set<Stage>();

  // --- Redemption checks happen up front, so an invalid choice changes nothing.
  const redeem = input.redeem ?? null;
  let reward: Reward | null = null;
  /** How many of the reward. */
  let count = 1;
  let payPoints = 0;
  if (redeem && !member) refuse('CARD_NOT_FOUND', 'redeem-no-member');
  if (redeem && state) {
    if (redeem.kind === 'reward') {
      reward = program.rewards.find((r) => r.id === redeem.rewardId) ?? null;
      if (!reward) refuse('NOT_FOUND', 'reward-unknown', { reward: redeem.rewardId });
      else if (!rewardValid(reward, at, timeZone, tier)) {
        refuse('NOT_ALLOWED', 'reward-unavailable', { reward: reward.name });
        reward = null;
      } else if (subtotalMinor < reward.minBasketMinor) {
        refuse('BASKET_TOO_SMALL', 'reward-basket-too-small', {
          reward: reward.name,
          amountMinor: reward.minBasketMinor,
        });
        reward = null;
      } else if (
        redeem.count !== undefined &&
        (!Number.isSafeInteger(redeem.count) || redeem.count < 1 || redeem.count > reward.maxPerOrder)
      ) {
        refuse('BAD_COUNT', 'reward-count', { reward: reward.name, max: reward.maxPerOrder });
        reward = null;
      } else if (
        reward.benefit.kind === 'free-item' &&
        unitsOfProduct(reward.benefit.productId) < (redeem.count ?? 1)
      ) {
        refuse('NOT_ALLOWED', 'reward-free-item-first', { reward: reward.name });
        reward = null;
      } else count = redeem.count ?? 1;
    } else if (!program.payWithPoints) {
      refuse('NOT_ALLOWED', 'points-not-allowed');
    } else if (!Number.isSafeInteger(redeem.points) || redeem.points <= 0) {
      refuse('BAD_POINTS', 'points-bad');
    } else if (redeem.points % program.payWithPoints.blockPoints !== 0) {
      refuse('BAD_POINTS', 'points-block', { block: program.payWithPoints.blockPoints });
    } else payPoints = redeem.points;
    const wanted = reward ? reward.cost * count : payPoints;
    if (wanted > 0) {
      const capLeft = program.offlineRedemptionCapPerDay - redeemedToday(state, at, timeZone);
      // With same-order points the balance is checked once this order's points are known (see `quote`).
      if (wanted > state.balance && !program.spendSameOrderPoints) {
        refuse('NOT_ENOUGH_POINTS', 'points-not-enough', { balance: state.balance });
        reward = null;
        payPoints = 0;
      } else if (input.offline && wanted > capLeft) {
        refuse('OFFLINE_CAP_REACHED', 'offline-cap', { left: Math.max(0, capLeft) });
        reward = null;
        payPoints = 0;
      }
    }
  }

  /** Per line, what the points base differs from the program's by: promotions that earn the other way (`pointsOn`). */
  const pointsBaseShift = new Map<string, number>();

  // --- Promo codes: each entered code names a promotion this sale may have; a code that cannot be used is refused.
  const codeOf = new Map<string, string>();
  for (const code of codesOf(input.codes)) {
    const coupon = input.batchCodes?.[code];
    const promo = coupon
      ? program.promotions.find((p) => p.couponBatch === coupon.batch)
      : program.promotions.find((p) => p.code === code);
    if (!promo) refuse('CODE_UNKNOWN', 'code-unknown', { code });
    else if (coupon?.used) refuse('COUPON_USED', 'coupon-used', { code });
    else if (coupon && codeOf.has(promo.id)) refuse('COUPON_ONE_PER_SALE', 'coupon-one-per-sale', { code });
    else if (!inWindow(promo.window, at, timeZone)) refuse('CODE_UNAVAILABLE', 'code-unavailable', { code });
    else if (promo.audience === 'members' && !state) refuse('CARD_NOT_FOUND', 'code-members-only', { code });
    else if (
      promo.maxUsesPerMember !== undefined &&
      state &&
      (state.offerUses[promotionUseKey(promo.id)] ?? 0) >= promo.maxUsesPerMember
    )
      refuse('CODE_USED', 'code-used', { code });
    else codeOf.set(promo.id, code);
  }

  /** Promotions, for everyone on the sale (with a card or without): each on what the earlier rules left. */
  const applyPromotions = () => {
    const basket = { lines, amount: (l: BasketLine) => amount.get(l.lineId)!, paidUnits, paidUnitPrice };
    const on = program.promotions.filter(
      (p) =>
        inWindow(p.window, at, timeZone) &&
        ((p.code === undefined && p.couponBatch === undefined) || codeOf.has(p.id)) &&
        (!p.coupon || (state !== null && couponsHeld(state, p.id) > 0)),
    );
    const groupsDone = new Set<string>();
    for (const promo of on) {
      if (promo.benefit.kind === 'next-order-coupon') {
        // A coupon for a later sale: counted in the member's state; this sale is not discounted by it.
        const matching = lines.filter((l) => matchesFilter(promo.filter, l) && amount.get(l.lineId)! > 0);
        const claims = state && matching.length > 0 ? claimsOf(promo, basket, matching) : 0;
        const n = Math.min(claims, promo.maxClaimsPerOrder ?? claims);
        const target = program.promotions.find((p) => p.id === (promo.benefit as { promotionId: string }).promotionId);
        if (n === 0 || !target) continue;
        const key = couponIssuedKey(target.id);
        effects.offerUses[key] = (effects.offerUses[key] ?? 0) + n;
        explain(`promotion:${promo.id}`, 'coupon-issued', { promotion: target.name, count: n });
        continue;
      }
      if (promo.benefit.kind === 'points') {
        // Points, not money: like an offer's bonus, spread over the matching lines so a return takes them back.
        const matching = lines.filter((l) => matchesFilter(promo.filter, l) && amount.get(l.lineId)! > 0);
        const claims = state && matching.length > 0 ? claimsOf(promo, basket, matching) : 0;
        const n = Math.min(claims, promo.maxClaimsPerOrder ?? claims);
        const code = codeOf.get(promo.id);
        if (n === 0) {
          if (code) explain(`promotion:${promo.id}`, 'code-not-met', { code, promotion: promo.name });
          continue;
        }
        const points = promo.benefit.points * n;
        offerBonus += points;
        offerBonusLines.push({ points, lines: matching, text: promo.name });
        explain(`promotion:${promo.id}`, 'offer-points', { points, offer: promo.name }, { points });
        if (promo.maxUsesPerMember !== undefined) effects.offerUses[promotionUseKey(promo.id)] = 1;
        continue;
      }
      if (promo.group !== undefined && groupsDone.has(promo.group)) continue;
      // Of a group, the promotion worth most on the basket as it stands (the first of equals).
      const candidates = promo.group === undefined ? [promo] : on.filter((p) => p.group === promo.group);
      if (promo.group !== undefined) groupsDone.add(promo.group);
      let best: { promo: Promotion; plan: PromotionPlan } | null = null;
      for (const p of candidates) {
        const plan = planPromotion(p, basket, state !== null);
        if (plan && (!best || plan.totalMinor > best.plan.totalMinor)) best = { promo: p, plan };
      }
      if (!best) {
        for (const p of candidates) {
          const code = codeOf.get(p.id);
          if (code) explain(`promotion:${p.id}`, 'code-not-met', { code, promotion: p.name });
        }
        continue;
      }
      const pointsOn = best.promo.pointsOn ?? program.pointsBase.discounts;
      for (const e of best.plan.perLine) {
        const d = discount(e.line, e.minor, `promotion:${best.promo.id}`, 'promotion-discount', {
          promotion: best.promo.name,
        });
        for (let i = 0; i < e.freeUnits; i++) giveUnitFree(e.line);
        // Points on the other side of this discount from the program's default: the base moves by it.
        if (pointsOn !== program.pointsBase.discounts)
          pointsBaseShift.set(
            e.line.lineId,
            (pointsBaseShift.get(e.line.lineId) ?? 0) + (pointsOn === 'before' ? d : -d),
          );
      }
      if ((best.promo.maxUsesPerMember !== undefined || best.promo.coupon) && state)
        effects.offerUses[promotionUseKey(best.promo.id)] = 1;
    }
  };

  for (const stage of program.stacking.order) {
    if (doneStages.has(stage)) continue;
    doneStages.add(stage);
    if (stage === 'promotion') {
      applyPromotions();
      continue;
    }
    if (!state) continue;
    if (stage === 'member-price') {
      for (const l of lines) {
        const mp = program.memberPrices.find((p) => p.productId === l.productId);
        if (mp && mp.priceMinor < l.unitPriceMinor)
          discount(l, amountAt(l, l.unitPriceMinor) - amountAt(l, mp.priceMinor), 'member-price', 'member-price', {
            product: l.name,
          });
      }
    } else if (stage === 'offer') {
      for (const offer of program.offers) {
        if (!inWindow(offer.window, at, timeZone)) continue;
        if (offer.memberIds && !offer.memberIds.includes(member!.id)) continue;
        if (offer.segments && !offer.segments.some((s) => state.segments.includes(s))) continue;
        if (offer.maxUses !== null && (state.offerUses[offer.id] ?? 0) >= offer.maxUses) continue;
        const hit = lines.filter((l) => matchesFilter(offer.filter, l));
        if (hit.length === 0) continue;
        const b = offer.benefit;
        if (b.kind === 'bonus-points') {
          offerBonus += b.points;
          offerBonusLines.push({ points: b.points, lines: hit, text: offer.name });
          explain(`offer:${offer.id}`, 'offer-points', { points: b.points, offer: offer.name }, { points: b.points });
        } else {
          for (const l of hit) {
            const d =
              b.kind === 'percent-off'
                ? divideRounded(amount.get(l.lineId)! * b.percent, 100, 'down')
                : amount.get(l.lineId)! - amountAt(l, b.priceMinor);
            discount(l, d, `offer:${offer.id}`, 'offer-discount', { offer: offer.name, product: l.name });
          }
        }
        effects.offerUses[offer.id] = 1;
      }
    } else if (stage === 'stamp') {
      const today = localParts(at, timeZone).date;
      for (const card of program.stampCards) {
        // Stamps that still count today, oldest first; this sale's increments go to today's bucket.
        const valid = validStampBuckets(state.stamps[card.id], today, card.windowDays);
        const todayKey = card.windowDays === null ? NO_WINDOW_BUCKET : today;
        const buckets = new Map(valid);
        const deltas: Record<string, number> = {};
        const bump = (key: string, n: number) => {
          buckets.set(key, (buckets.get(key) ?? 0) + n);
          deltas[key] = (deltas[key] ?? 0) + n;
        };
        let count = valid.reduce((sum, [, n]) => sum + n, 0);
        let touched = false;
        for (const l of lines.filter((x) => matchesFilter(card.filter, x))) {
          // Units still paid for: one an earlier rule gave away (a promotion's) neither stamps nor is freed again.
          const units = Math.max(0, paidUnits(l));
          for (let u = 0; u < units; u++) {
            touched = true;
            if (count >= card.every - 1) {
              // One paid unit's price: a unit an earlier rule (a free-item reward) gave away is not paid for twice.
              discount(l, paidUnitPrice(l), `stamp:${card.id}`, 'stamp-free', { card: card.name, every: card.every });
              giveUnitFree(l);
              // The free unit uses every − 1 stamps, oldest first.
              let use = card.every - 1;
              for (const key of [...buckets.keys()].sort()) {
                const take = Math.min(use, Math.max(0, buckets.get(key)!));
                if (take > 0) bump(key, -take);
                use -= take;
                if (use === 0) break;
              }
              count -= card.every - 1;
            } else {
              bump(todayKey, 1);
              count++;
              const earned = lineStamps.get(l.lineId) ?? {};
              earned[card.id] = { bucket: todayKey, n: (earned[card.id]?.n ?? 0) + 1 };
              lineStamps.set(l.lineId, earned);
            }
          }
        }
        // Stamps a free unit of this sale used again are not the lines' to give back: take them off the lines
        // that earned first, so the lines hold what the sale left in today's bucket.
        let spent =
          [...lineStamps.values()].reduce((sum, e) => sum + (e[card.id]?.n ?? 0), 0) -
          Math.max(0, deltas[todayKey] ?? 0);
        for (const l of lines) {
          const earned = lineStamps.get(l.lineId)?.[card.id];
          if (spent <= 0 || !earned) continue;
          const take = Math.min(spent, earned.n);
          earned.n -= take;
          spent -= take;
        }
        if (touched) {
          const nonZero = Object.fromEntries(Object.entries(deltas).filter(([, n]) => n !== 0));
          if (Object.keys(nonZero).length > 0) effects.stamps[card.id] = nonZero;
          explain(`stamp:${card.id}`, 'stamp-progress', {
            card: card.name,
            count: Math.max(0, count),
            needed: card.every - 1,
          });
        }
      }
    } else if (stage === 'discount-card' || stage === 'tier' || stage === 'membership') {
      const group = program.stacking.exclusive.find((g) => g.includes(stage)) ?? [stage];
      for (const s of group) doneStages.add(s);
      for (const l of lines) {
        let best: { stage: 'discount-card' | 'tier' | 'membership'; pct: number } | null = null;
        for (const s of group) {
          const pct = percentPerks(s, l);
          if (pct > 0 && (!best || pct > best.pct)) best = { stage: s, pct };
        }
        if (best) {
          const perk = perkSay(best.stage, best.pct, l.name);
          discount(l, divideRounded(amount.get(l.lineId)! * best.pct, 100, 'down'), best.stage, perk.code, perk.params);
        }
      }
    } else if (stage === 'reward' && reward) {
      const b = reward.benefit;
      if (b.kind === 'amount-off')
        spreadBasketDiscount(b.amountMinor * count, `reward:${reward.id}`, 'reward-discount-all', {
          reward: reward.name,
        });
      else if (b.kind === 'percent-off') {
        for (const l of lines.filter((x) => matchesFilter(b.filter, x))) {
          discount(
            l,
            divideRounded(amount.get(l.lineId)! * b.percent, 100, 'down'),
            `reward:${reward.id}`,
            'reward-discount',
            {
              reward: reward.name,
              product: l.name,
            },
          );
        }
      } else if (b.kind === 'free-item') {
        // Units still paid for: one a stamp card or a promotion already gave away is not the reward's to give again.
        const paid = lines
          .filter((x) => x.productId === b.productId)
          .reduce((n, x) => n + Math.max(0, paidUnits(x)), 0);
        if (paid < count) {
          refuse('NOT_ALLOWED', 'reward-free-item-first', { reward: reward.name });
          continue;
        }
        for (let k = 0; k < count; k++) {
          const l = lines.find((x) => x.productId === b.productId && paidUnits(x) > 0)!;
          discount(l, paidUnitPrice(l), `reward:${reward.id}`, 'reward-discount-all', { reward: reward.name });
          giveUnitFree(l);
        }
      } else {
        donation = { cause: b.cause, amountMinor: b.amountMinor * count };
        explain(`reward:${reward.id}`, 'reward-donation', {
          reward: reward.name,
          amountMinor: b.amountMinor * count,
          cause: b.cause,
        });
      }
      pointsRedeemed = reward.cost * count;
      explain(
        `reward:${reward.id}:cost`,
        'reward-cost',
        { points: pointsRedeemed, reward: reward.name },
        { points: -pointsRedeemed },
      );
    } else if (stage === 'points' && payPoints > 0 && program.payWithPoints) {
      const { minorPerPoint, maxPercent, blockPoints } = program.payWithPoints;
      const left = lines.reduce((s, l) => s + amount.get(l.lineId)!, 0);
      const cap = divideRounded(left * maxPercent, 100, 'down');
      const capped = Math.min(payPoints, Math.floor(cap / minorPerPoint));
      const points = capped - (capped % blockPoints);
      if (points < payPoints) explain('pay-with-points:cap', 'points-cap', { percent: maxPercent, points });
      if (points > 0) {
        spreadBasketDiscount(points * minorPerPoint, 'pay-with-points', 'points-paid', { points });
        pointsRedeemed += points;
        explain('pay-with-points:cost', 'points-cost', { points }, { points: -points });
      }
    }
  }

  const totalMinor = lines.reduce((s, l) => s + amount.get(l.lineId)!, 0);
  const discountMinor = subtotalMinor - totalMinor;

  /** `total` points over lines in proportion to what they cost now (equal shares for free lines). */
  const spread = (total: number, over: BasketLine[]): Map<string, number> => {
    const weights = over.map((l) => ({ key: l.lineId, w: BigInt(Math.max(1, amount.get(l.lineId)!)) }));
    const sum = weights.reduce((s, x) => s + x.w, 0n);
    return allocate(
      total,
      weights.map((x) => ({ key: x.key, numerator: x.w * BigInt(total) })),
      sum,
    );
  };

  // --- Earning.
  const linePoints = new Map<string, number>(lines.map((l) => [l.lineId, 0]));
  const earnedByRule: Quote['earnedByRule'] = [];
  let pointsFromRules = 0;
  if (state && totalMinor >= program.minSpendMinor) {
    const base = new Map(
      lines.map((l) => {
        const a =
          (program.pointsBase.discounts === 'after' ? amount.get(l.lineId)! : gross.get(l.lineId)!) +
          (pointsBaseShift.get(l.lineId) ?? 0);
        const net =
          program.pointsBase.tax === 'excluded' ? divideRounded(a * 10_000, 10_000 + (l.taxRateBp ?? 0), 'down') : a;
        return [l.lineId, net];
      }),
    );
    const multipliers = program.earn.filter(
      (r): r is Extract<EarnRule, { kind: 'multiplier' }> =>
        r.kind === 'multiplier' && inWindow(r.window, at, timeZone),
    );
    const globalPct = BigInt(tier?.multiplier ?? 100) * BigInt(plan?.perks.multiplier ?? 100);
    const linePct = (l: BasketLine): bigint => {
      let pct = 100n;
      for (const m of multipliers) if (matchesFilter(m.filter, l)) pct += BigInt(m.percent - 100);
      return pct;
    };
    for (const rule of program.earn) {
      if (rule.kind === 'multiplier' || !inWindow(rule.window, at, timeZone)) continue;
      const eligible = lines.filter(
        // A line given away earns nothing, unless a promotion that earns on the price before it gave it away.
        (l) => matchesFilter(rule.filter, l) && (amount.get(l.lineId)! > 0 || (pointsBaseShift.get(l.lineId) ?? 0) > 0),
      );
      if (eligible.length === 0) continue;
      let total: number;
      let shares: Map<string, number>;
      if (rule.kind === 'per-order') {
        if (totalMinor < rule.minSpendMinor) continue;
        total = Number((BigInt(rule.points) * globalPct) / 10_000n);
        shares = spread(total, eligible);
      } else {
        const unitBase = (l: BasketLine): bigint =>
          rule.kind === 'per-currency'
            ? BigInt(base.get(l.lineId)!)
            : rule.kind === 'per-kg'
              ? l.unit === 'kg' && l.grams
                ? BigInt(l.grams)
                : 0n
              : BigInt(Math.max(0, paidUnits(l)));
        const den =
          (rule.kind === 'per-currency' ? BigInt(rule.perMinor) : rule.kind === 'per-kg' ? 1000n : 1n) * 100n * 10_000n;
        const parts = eligible.map((l) => ({
          key: l.lineId,
          numerator: unitBase(l) * BigInt(rule.points) * linePct(l) * globalPct,
        }));
        const sum = parts.reduce((a, p) => a + p.numerator, 0n);
        total = program.rounding === 'down' ? Number(sum / den) : Number((sum * 2n + den) / (2n * den));
        shares = allocate(total, parts, den);
      }
      if (total <= 0) continue;
      for (const [lineId, pts] of shares) {
        if (pts === 0) continue;
        linePoints.set(lineId, linePoints.get(lineId)! + pts);
        notes.get(lineId)!.push(`+${pts} pts: ${ruleText(rule, currency)}`);
      }
      pointsFromRules += total;
      earnedByRule.push({ ruleId: rule.id, points: total, text: ruleText(rule, currency) });
      const said = ruleSay(rule, total);
      explain(rule.id, said.code, said.params, { points: total });
    }
    for (const m of multipliers) {
      const hit = lines.filter((l) => matchesFilter(m.filter, l)).map((l) => l.name);
      if (hit.length > 0)
        explain(
          m.id,
          m.label ? 'multiplier-label' : 'multiplier',
          m.label
            ? { factor: m.percent / 100, label: m.label, products: hit.join(', ') }
            : { factor: m.percent / 100, products: hit.join(', ') },
        );
    }
    if (tier && tier.multiplier !== 100)
      explain(`tier:${tier.id}`, 'tier-multiplier', { factor: tier.multiplier / 100, tier: tier.name });
    if (plan && plan.perks.multiplier !== 100)
      explain(`membership:${plan.id}`, 'membership-multiplier', {
        factor: plan.perks.multiplier / 100,
        plan: plan.name,
      });
  } else if (state && totalMinor < program.minSpendMinor) {
    explain('min-spend', 'min-spend', { amountMinor: program.minSpendMinor });
  }
  if (offerBonus > 0) earnedByRule.push({ ruleId: 'offers', points: offerBonus, text: 'offer bonus' });
  // Offer points belong to the lines that earned them, so a return takes them back.
  for (const o of offerBonusLines) {
    for (const [lineId, pts] of spread(o.points, o.lines)) {
      if (pts === 0) continue;
      linePoints.set(lineId, linePoints.get(lineId)! + pts);
      notes.get(lineId)!.push(`+${pts} pts: ${o.text}`);
    }
  }

  // --- One-off bonuses with natural ids: the same grant from two tills collapses into one on the server.
  const bonuses: BonusGrant[] = [];
  if (state && member && lines.length > 0) {
    const local = localParts(at, timeZone);
    const bday = program.bonuses.birthday;
    if (bday && state.birthday) {
      const thisYear = `${local.year}-${state.birthday}`;
      const naturalId = `birthday:${member.id}:${local.year}`;
      if (Math.abs(daysBetween(thisYear, local.date)) <= bday.windowDays && !state.grants.includes(naturalId)) {
        bonuses.push({
          memberId: member.accountId ?? member.id,
          points: bday.points,
          naturalId,
          ruleId: 'bonus:birthday',
          say: 'bonus-birthday',
          text: say('bonus-birthday', { points: bday.points }),
        });
      }
    }
    const ref = program.bonuses.referral;
    if (ref && state.referredBy) {
      const naturalId = `referral:${state.referredBy}:${member.id}`;
      if (!state.grants.includes(naturalId)) {
        if (ref.referee > 0)
          bonuses.push({
            memberId: member.accountId ?? member.id,
            points: ref.referee,
            naturalId: `${naturalId}:referee`,
            ruleId: 'bonus:referral',
            say: 'bonus-referee',
            text: say('bonus-referee', { points: ref.referee }),
          });
        if (ref.referrer > 0)
          bonuses.push({
            memberId: state.referredBy,
            points: ref.referrer,
            naturalId: `${naturalId}:referrer`,
            ruleId: 'bonus:referral',
            say: 'bonus-referrer',
            text: say('bonus-referrer', { points: ref.referrer }),
          });
        effects.grants.push(naturalId);
      }
    }
    for (const b of bonuses) {
      if (b.ruleId === 'bonus:birthday') effects.grants.push(b.naturalId);
      explain(b.ruleId, b.say, { points: b.points }, { points: b.points });
    }
  }
  const ownBonus = bonuses
    .filter((b) => b.memberId === (member?.accountId ?? member?.id))
    .reduce((s, b) => s + b.points, 0);
  const pointsEarned = pointsFromRules + offerBonus + ownBonus;

  // --- Paid membership bought in this basket: a line tagged `membership:<plan>`.
  if (state) {
    for (const l of lines) {
      const planTag = l.tags.find((t) => t.startsWith('membership:'));
      const bought = planTag
        ? program.memberships.find((p) => p.id === planTag.slice('membership:'.length))
        : undefined;
      if (bought) {
        const held = membershipUntil(state);
        const from =
          held && Date.parse(held.validUntil) > Date.parse(at)
            ? held.validUntil.slice(0, 10)
            : localParts(at, timeZone).date;
        effects.membership = { planId: bought.id, months: bought.termMonths };
        explain(`membership:${bought.id}`, 'membership-bought', {
          plan: bought.name,
          date: addMonths(from, bought.termMonths),
        });
      }
    }
    effects.redeemedPoints = pointsRedeemed;
  }

  const balanceBefore = state ? state.balance : null;
  const balanceAfter = state ? state.balance - pointsRedeemed + pointsEarned : null;
  const tierAfter = state ? currentTier(program, state, totalMinor, pointsFromRules + offerBonus) : null;
  const metricAfter = state
    ? program.tierRules.metric === 'spend'
      ? state.tierWindow.spendMinor + totalMinor
      : state.tierWindow.points + pointsFromRules + offerBonus
    : 0;
  const nextTier = state
    ? (program.tiers.find(
        (t) => t.threshold > metricAfter && program.tiers.indexOf(t) > program.tiers.indexOf(tierAfter!),
      ) ?? null)
    : null;

  return {
    currency,
    subtotalMinor,
    discountMinor,
    totalMinor,
    pointsEarned,
    pointsRedeemed,
    balanceBefore,
    balanceAfter,
    tierBefore: tier?.name ?? null,
    tierAfter: tierAfter?.name ?? null,
    lines: lines.map((l) => ({
      lineId: l.lineId,
      amountMinor: gross.get(l.lineId)!,
      discountMinor: gross.get(l.lineId)! - amount.get(l.lineId)!,
      totalMinor: amount.get(l.lineId)!,
      points: linePoints.get(l.lineId)!,
      explanation: notes.get(l.lineId)!,
      ...lineStampsOf(lineStamps.get(l.lineId)),
    })),
    explanation,
    affordableRewards: state
      ? program.rewards
          .filter(
            (r) =>
              r.cost <= state.balance + (program.spendSameOrderPoints ? pointsEarned : 0) &&
              subtotalMinor >= r.minBasketMinor &&
              rewardValid(r, at, timeZone, tier),
          )
          .map((r) => ({ rewardId: r.id, name: r.name, cost: r.cost, kind: r.benefit.kind }))
      : [],
    tierProgress:
      state && program.tiers.length > 0
        ? {
            current: tierAfter?.name ?? null,
            next: nextTier?.name ?? null,
            remaining: nextTier ? nextTier.threshold - metricAfter : null,
            metric: program.tierRules.metric,
          }
        : null,
    expiryWarnings: state ? expiryWarnings(program, state, at, timeZone) : [],
    errors,
    earnedByRule,
    bonuses,
    donation,
    effects,
  };
}

export { addDays };
