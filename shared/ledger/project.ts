/**
 * The one projection: how ledger entries and sale effects change a member.
 * The till's offline view (server snapshot + its unconfirmed journal) and
 * the server's apply step both call `project`; no other code changes member
 * state.
 *
 * Every fact is a commutative increment with a natural id (the entry id; the
 * sale id for a sale's effects), never "the count after this sale": points
 * and spend are sums, lots and stamps are per-day sums (lots.ts, stamps.ts),
 * offer uses are sums, grants a set, the redemption day a (latest day, sum)
 * pair, membership a set of terms, a household the first one joined. So any order of any number of tills'
 * facts gives the same state. `project` takes a set: a fact given twice (same
 * kind and id) counts once; callers never pass a fact the state already holds
 * (the server's primary keys and the till's watermark see to that).
 */
import type { LedgerType, MemberEffectsBody } from '../documents';
import type { MemberState } from '../engine/member-state';
import { addOnDay, localDate } from '../engine/time';
import { earnLot, expireLot, spendPoints } from './lots';
import { addStamps, emptyStampCard } from './stamps';
import { addMembershipTerm } from './membership';

export type EntryFact = {
  kind: 'entry';
  id: string;
  /** The account the points belong to (a household's shared account, a referrer). */
  memberId: string;
  type: LedgerType;
  points: number;
  at: string;
  naturalId: string | null;
  ruleId: string | null;
};

export type SaleFact = {
  kind: 'sale';
  id: string;
  /** The member who shopped. */
  memberId: string;
  at: string;
  /** The sale's total (negative for a return): spend inside the tier window. */
  spendMinor: number;
  effects: MemberEffectsBody | null;
};

/** A member joined to a household: from now on their points live on its account (`householdId`). */
export type HouseholdFact = {
  kind: 'household';
  id: string;
  memberId: string;
  at: string;
  householdId: string;
};

export type LedgerFact = EntryFact | SaleFact | HouseholdFact;

/** Every time rule runs in the store's time zone. */
export type ProjectionContext = { timeZone: string };

function union(a: readonly string[], b: readonly string[]): string[] {
  return [...new Set([...a, ...b])].sort();
}

function later(a: string | null, b: string): string {
  return a === null || Date.parse(b) > Date.parse(a) ? b : a;
}

/** The store-local earn day an expiry entry closes: `expire:<member>:<day>:<expiry date>`. */
export function expiredBucketDay(naturalId: string | null): string | null {
  const parts = naturalId?.split(':') ?? [];
  return parts[0] === 'expire' && parts.length === 4 ? parts[2]! : null;
}

function applyEntry(state: MemberState, e: EntryFact, ctx: ProjectionContext): MemberState {
  const day = localDate(e.at, ctx.timeZone);
  const bucket = e.type === 'expire' ? expiredBucketDay(e.naturalId) : null;
  const lots =
    bucket !== null
      ? expireLot(state.lots, bucket, day, e.points)
      : e.points > 0
        ? earnLot(state.lots, day, e.points)
        : e.points < 0
          ? spendPoints(state.lots, day, -e.points)
          : state.lots;
  // Earned points count toward the tier window; a return takes its share back out.
  const tierPoints = e.type === 'earn' || e.ruleId === 'refund:earn';
  return {
    ...state,
    balance: state.balance + e.points,
    lots,
    tierWindow: tierPoints ? { ...state.tierWindow, points: state.tierWindow.points + e.points } : state.tierWindow,
    grants: e.naturalId && e.type !== 'expire' ? union(state.grants, [e.naturalId]) : state.grants,
    lastActivityAt: e.type === 'earn' || e.type === 'redeem' ? later(state.lastActivityAt, e.at) : state.lastActivityAt,
  };
}

function applySale(state: MemberState, s: SaleFact, ctx: ProjectionContext): MemberState {
  const day = localDate(s.at, ctx.timeZone);
  const next: MemberState = {
    ...state,
    tierWindow: { ...state.tierWindow, spendMinor: state.tierWindow.spendMinor + s.spendMinor },
    lastActivityAt: later(state.lastActivityAt, s.at),
  };
  const fx = s.effects;
  if (!fx) return next;
  const stamps = { ...state.stamps };
  for (const [card, deltas] of Object.entries(fx.stamps)) {
    stamps[card] = addStamps(stamps[card] ?? emptyStampCard(), deltas, day);
  }
  const offerUses = { ...state.offerUses };
  for (const [offer, n] of Object.entries(fx.offerUses)) offerUses[offer] = (offerUses[offer] ?? 0) + n;
  const membershipTerms = fx.membership
    ? addMembershipTerm(state.membershipTerms, {
        id: s.id,
        planId: fx.membership.planId,
        from: day,
        months: fx.membership.months,
      })
    : state.membershipTerms;
  return {
    ...next,
    stamps,
    offerUses,
    grants: union(state.grants, fx.grants),
    redeemedToday: addOnDay(state.redeemedToday, 'points', day, fx.redeemedPoints),
    membershipTerms,
    wallet: applyWallet(state.wallet, fx, day),
  };
}

/** The eWallet: the balance moves by the sale's signed change; what was spent counts on its store-local day. */
function applyWallet(wallet: MemberState['wallet'], fx: MemberEffectsBody, day: string): MemberState['wallet'] {
  const change = fx.walletMinor ?? 0;
  const spent = fx.walletSpentMinor ?? 0;
  if (change === 0 && spent === 0) return wallet;
  return { balanceMinor: wallet.balanceMinor + change, spentToday: addOnDay(wallet.spentToday, 'minor', day, spent) };
}

/**
 * A member joins a household once: the first join stands (the server parks a member's second join, so every
 * order of facts gives the same state).
 */
function applyHousehold(state: MemberState, h: HouseholdFact): MemberState {
  return state.householdId === null ? { ...state, householdId: h.householdId } : state;
}

/** One fact applied to one member's state. */
export function applyFact(state: MemberState, fact: LedgerFact, ctx: ProjectionContext): MemberState {
  switch (fact.kind) {
    case 'entry':
      return applyEntry(state, fact, ctx);
    case 'sale':
      return applySale(state, fact, ctx);
    case 'household':
      return applyHousehold(state, fact);
  }
}

/** A set of facts applied to one member's state (duplicates by kind and id count once). */
export function project(state: MemberState, facts: readonly LedgerFact[], ctx: ProjectionContext): MemberState {
  const seen = new Set<string>();
  let out = state;
  for (const f of facts) {
    const key = `${f.kind}:${f.id}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out = applyFact(out, f, ctx);
  }
  return out;
}
