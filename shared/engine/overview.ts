/**
 * What the member panel shows the moment a card is scanned, read from the
 * program and the member's state: the tier and what the next one needs,
 * points expiring soon, stamp cards, the member's personal offers, the
 * birthday window, the paid membership and its days left, and the perks that
 * are not money off (priority service, events, early access, free delivery).
 *
 * Pure and deterministic, like the rest of the engine: the same program,
 * state and time give the same overview on every till. It returns ids,
 * numbers and dates; the till words them in its language.
 */
import { membershipUntil } from '../ledger/membership';
import { validStampBuckets } from '../ledger/stamps';
import { expiryWarnings } from './expiry';
import type { MemberState } from './member-state';
import type { Perk, Program } from './program';
import { currentTier } from './quote';
import { daysBetween, inWindow, localParts } from './time';

export type PerkKind = Perk['kind'];

export type MemberOverview = {
  tier: { id: string; name: string } | null;
  /** The next tier up and what the window still needs for it: points, or spend in minor units. */
  next: { id: string; name: string; remaining: number; metric: 'points' | 'spend' } | null;
  expiring: Array<{ points: number; expiresAt: string }>;
  /** Stamp cards the member has stamps on; `freeNext`: the next matching item is free. */
  stampCards: Array<{ id: string; name: string; stamps: number; every: number; freeNext: boolean }>;
  /** Offers made to this member (by id or segment) that are open today and not used up. */
  offers: Array<{ id: string; name: string; usesLeft: number | null }>;
  /** Set inside the program's birthday window; `today` on the day itself. */
  birthday: { monthDay: string; today: boolean } | null;
  /** The paid membership: in force (days left, counting today) or lapsed (`daysLeft` 0). */
  membership: { planId: string; name: string; until: string; daysLeft: number } | null;
  perks: Array<{ id: string; kind: PerkKind; name: string }>;
};

/** Days from `today` to the member's birthday, the nearest way round (a birthday on 30 December is 3 days before 2 January). */
function daysToBirthday(monthDay: string, today: string): number {
  const year = Number(today.slice(0, 4));
  let best = Number.POSITIVE_INFINITY;
  for (const y of [year - 1, year, year + 1]) {
    const d = daysBetween(today, `${y}-${monthDay}`);
    if (Math.abs(d) < Math.abs(best)) best = d;
  }
  return best;
}

function holdsPerk(perk: Perk, tierId: string | null, planId: string | null, segments: readonly string[]): boolean {
  const open = !perk.tiers && !perk.memberships && !perk.segments;
  if (open) return true;
  if (tierId !== null && perk.tiers?.includes(tierId)) return true;
  if (planId !== null && perk.memberships?.includes(planId)) return true;
  return perk.segments?.some((s) => segments.includes(s)) ?? false;
}

export function memberOverview(
  program: Program,
  /** The member's state as the till sees it (a household member's points are the shared account's). */
  member: { id: string; state: MemberState },
  at: string,
  timeZone: string,
): MemberOverview {
  const { state } = member;
  const today = localParts(at, timeZone).date;

  const tier = currentTier(program, state);
  const metric = program.tierRules.metric;
  const reached = metric === 'spend' ? state.tierWindow.spendMinor : state.tierWindow.points;
  const held = tier ? program.tiers.indexOf(tier) : -1;
  const up = program.tiers.slice(held + 1).find((t) => t.threshold > reached);
  const next = up ? { id: up.id, name: up.name, remaining: up.threshold - reached, metric } : null;

  const stampCards = program.stampCards.flatMap((card) => {
    const stamps = validStampBuckets(state.stamps[card.id], today, card.windowDays).reduce((sum, [, n]) => sum + n, 0);
    if (stamps <= 0) return [];
    return [{ id: card.id, name: card.name, stamps, every: card.every, freeNext: stamps >= card.every - 1 }];
  });

  const offers = program.offers.flatMap((offer) => {
    const personal =
      (offer.memberIds?.includes(member.id) ?? false) ||
      (offer.segments?.some((s) => state.segments.includes(s)) ?? false);
    if (!personal || !inWindow(offer.window, at, timeZone)) return [];
    const used = state.offerUses[offer.id] ?? 0;
    if (offer.maxUses !== null && used >= offer.maxUses) return [];
    return [{ id: offer.id, name: offer.name, usesLeft: offer.maxUses === null ? null : offer.maxUses - used }];
  });

  let birthday: MemberOverview['birthday'] = null;
  if (state.birthday) {
    const days = daysToBirthday(state.birthday, today);
    if (Math.abs(days) <= (program.bonuses.birthday?.windowDays ?? 0))
      birthday = { monthDay: state.birthday, today: days === 0 };
  }

  const term = membershipUntil(state);
  const plan = term ? program.memberships.find((p) => p.id === term.planId) : undefined;
  let membership: MemberOverview['membership'] = null;
  if (term && plan) {
    const until = term.validUntil.slice(0, 10);
    membership = { planId: plan.id, name: plan.name, until, daysLeft: Math.max(0, daysBetween(today, until)) };
  }
  const planInForce = membership && membership.daysLeft > 0 ? membership.planId : null;

  const perks: MemberOverview['perks'] = program.perks
    .filter((p) => inWindow(p.window, at, timeZone) && holdsPerk(p, tier?.id ?? null, planInForce, state.segments))
    .map((p) => ({ id: p.id, kind: p.kind, name: p.name }));
  if (tier?.perks.freeDelivery && !perks.some((p) => p.kind === 'free-delivery'))
    perks.push({ id: `tier:${tier.id}`, kind: 'free-delivery', name: tier.name });

  return {
    tier: tier ? { id: tier.id, name: tier.name } : null,
    next,
    expiring: expiryWarnings(program, state, at, timeZone),
    stampCards,
    offers,
    birthday,
    membership,
    perks,
  };
}
