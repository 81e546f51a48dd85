/**
 * Promotions (the `promotion` stage of a quote): what one promotion takes off
 * a basket as it stands, planned before anything is applied so that a group's
 * promotions can be compared and only the one worth most applied.
 *
 * Units are what a free or discounted item is made of: a line of 3 is three
 * units at one unit's price, a weighed line is one unit. Everything that picks
 * units (the cheapest, buy-x-get-y) works on units, so a basket gets the same
 * discount however its items are split into lines.
 */
import { divideRounded } from '../money';
import { allocate, matchesFilter, type BasketLine } from './basket';
import type { Promotion } from './program';

/** What the stage needs to know of a line as the earlier stages left it. */
export type PromotionBasket = {
  lines: readonly BasketLine[];
  amount: (line: BasketLine) => number;
  paidUnits: (line: BasketLine) => number;
  paidUnitPrice: (line: BasketLine) => number;
};

/** A planned discount: money off per line, and how many of the line's units it makes free. */
export type PromotionPlan = {
  totalMinor: number;
  perLine: Array<{ line: BasketLine; minor: number; freeUnits: number }>;
  claims: number;
};

type Unit = { line: BasketLine; priceMinor: number };

/** Every unit still paid for, cheapest first (ties by line, so the pick does not depend on scan order). */
function unitsOf(basket: PromotionBasket, lines: readonly BasketLine[]): Unit[] {
  const units: Unit[] = [];
  for (const line of lines) {
    const n = basket.paidUnits(line);
    const priceMinor = basket.paidUnitPrice(line);
    for (let i = 0; i < n; i++) units.push({ line, priceMinor });
  }
  return units.sort((a, b) =>
    a.priceMinor !== b.priceMinor ? a.priceMinor - b.priceMinor : a.line.lineId < b.line.lineId ? -1 : 1,
  );
}

/** A line's amount without VAT, rounded down. */
function netOf(amountMinor: number, line: BasketLine): number {
  return divideRounded(amountMinor * 10_000, 10_000 + (line.taxRateBp ?? 0), 'down');
}

/** How many times the basket meets the condition (0 = not at all), before the program's cap. */
export function claimsOf(promo: Promotion, basket: PromotionBasket, matching: readonly BasketLine[]): number {
  const c = promo.condition;
  let claims = Number.POSITIVE_INFINITY;
  if (c.minQuantity !== undefined) {
    const units = matching.reduce((s, l) => s + Math.max(0, basket.paidUnits(l)), 0);
    claims = Math.min(claims, Math.floor(units / c.minQuantity));
  }
  if (c.minAmountMinor !== undefined) {
    const over = c.amountOf === 'order' ? basket.lines : matching;
    const spend = over.reduce((s, l) => s + (c.tax === 'excluded' ? netOf(basket.amount(l), l) : basket.amount(l)), 0);
    claims = Math.min(claims, Math.floor(spend / c.minAmountMinor));
  }
  return claims === Number.POSITIVE_INFINITY ? 1 : claims;
}

/** Money off per line, from units discounted one by one. */
function planUnits(discounted: ReadonlyArray<{ unit: Unit; minor: number }>, claims: number): PromotionPlan {
  const byLine = new Map<string, { line: BasketLine; minor: number; freeUnits: number }>();
  for (const { unit, minor } of discounted) {
    if (minor <= 0) continue;
    const entry = byLine.get(unit.line.lineId) ?? { line: unit.line, minor: 0, freeUnits: 0 };
    entry.minor += minor;
    if (minor >= unit.priceMinor) entry.freeUnits++;
    byLine.set(unit.line.lineId, entry);
  }
  const perLine = [...byLine.values()];
  return { totalMinor: perLine.reduce((s, e) => s + e.minor, 0), perLine, claims };
}

/** `total` shared over lines in proportion to what they cost now (largest remainder). */
function planSpread(total: number, over: readonly BasketLine[], basket: PromotionBasket): PromotionPlan {
  const base = over.reduce((s, l) => s + basket.amount(l), 0);
  const minor = Math.min(total, base);
  if (minor <= 0) return { totalMinor: 0, perLine: [], claims: 1 };
  const shares = allocate(
    minor,
    over.map((l) => ({ key: l.lineId, numerator: BigInt(basket.amount(l)) * BigInt(minor) })),
    BigInt(base),
  );
  const perLine = over
    .map((line) => ({ line, minor: shares.get(line.lineId) ?? 0, freeUnits: 0 }))
    .filter((e) => e.minor > 0);
  return { totalMinor: minor, perLine, claims: 1 };
}

/**
 * What `promo` would take off the basket now, or null when it does not apply (its condition not met, nothing to
 * discount). `member`: whether a member is on the sale; the window is checked by the caller.
 */
export function planPromotion(promo: Promotion, basket: PromotionBasket, member: boolean): PromotionPlan | null {
  if (promo.audience === 'members' && !member) return null;
  if (promo.benefit.kind === 'points' || promo.benefit.kind === 'next-order-coupon') return null;
  const matching = basket.lines.filter((l) => matchesFilter(promo.filter, l) && basket.amount(l) > 0);
  const b = promo.benefit;
  if (b.kind !== 'free-product' && matching.length === 0) return null;
  let claims = claimsOf(promo, basket, matching);
  if (claims === 0) return null;
  const cap = promo.maxClaimsPerOrder ?? Number.POSITIVE_INFINITY;

  let plan: PromotionPlan;
  if (b.kind === 'buy-x-get-y') {
    // Sets of buy + get units; the discounted ones are the cheapest (with `getFilter`, the cheapest of those).
    let sets: number;
    let pool: Unit[];
    if (b.getFilter) {
      const getFilter = b.getFilter;
      const bought = matching.filter((l) => !matchesFilter(getFilter, l));
      sets = Math.floor(bought.reduce((s, l) => s + Math.max(0, basket.paidUnits(l)), 0) / b.buy);
      pool = unitsOf(
        basket,
        basket.lines.filter((l) => matchesFilter(getFilter, l) && basket.amount(l) > 0),
      );
    } else {
      pool = unitsOf(basket, matching);
      sets = Math.floor(pool.length / (b.buy + b.get));
    }
    claims = Math.min(sets, cap);
    const picked = pool.slice(0, Math.min(pool.length, claims * b.get));
    plan = planUnits(
      picked.map((unit) => ({ unit, minor: divideRounded(unit.priceMinor * b.percent, 100, 'down') })),
      claims,
    );
  } else if (b.kind === 'free-product') {
    claims = Math.min(claims, cap);
    const pool = unitsOf(
      basket,
      basket.lines.filter((l) => l.productId === b.productId && basket.amount(l) > 0),
    );
    const picked = pool.slice(0, Math.min(pool.length, claims * b.quantity));
    plan = planUnits(
      picked.map((unit) => ({ unit, minor: unit.priceMinor })),
      claims,
    );
  } else if (b.on === 'cheapest') {
    // One cheapest unit per claim.
    claims = Math.min(claims, cap);
    const picked = unitsOf(basket, matching).slice(0, claims);
    plan = planUnits(
      picked.map((unit) => ({
        unit,
        minor:
          b.kind === 'percent-off'
            ? divideRounded(unit.priceMinor * b.percent, 100, 'down')
            : Math.min(unit.priceMinor, b.amountMinor),
      })),
      claims,
    );
  } else {
    const over = b.on === 'order' ? basket.lines.filter((l) => basket.amount(l) > 0) : matching;
    if (b.kind === 'percent-off') {
      // One percentage of the pooled amount, so the total does not depend on how the basket is split into lines.
      const pooled = divideRounded(over.reduce((s, l) => s + basket.amount(l), 0) * b.percent, 100, 'down');
      plan = planSpread(Math.min(pooled, b.maxDiscountMinor ?? pooled), over, basket);
    } else {
      claims = Math.min(claims, cap);
      plan = { ...planSpread(claims * b.amountMinor, over, basket), claims };
    }
  }
  return plan.totalMinor > 0 ? plan : null;
}
