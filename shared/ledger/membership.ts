/**
 * Paid membership as a commutative aggregate: the base term head office set,
 * plus every term bought at a till, folded in purchase-date order (a term
 * starts on its purchase day or when the previous one ends). Two tills
 * selling a renewal offline therefore give two consecutive terms, not one.
 */
import type { MemberState, MembershipTerm } from '../engine/member-state';
import { addMonths } from '../engine/time';

export type MembershipView = { planId: string; validUntil: string };

function byDateThenId(a: MembershipTerm, b: MembershipTerm): number {
  if (a.from !== b.from) return a.from < b.from ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** The membership in force after every term: plan and end (midnight UTC of the end date), or null. */
export function membershipUntil(state: Pick<MemberState, 'membership' | 'membershipTerms'>): MembershipView | null {
  let planId = state.membership?.planId ?? null;
  let end = state.membership ? state.membership.validUntil.slice(0, 10) : null;
  for (const term of [...state.membershipTerms].sort(byDateThenId)) {
    const start = end !== null && end > term.from ? end : term.from;
    end = addMonths(start, term.months);
    planId = term.planId;
  }
  return planId !== null && end !== null ? { planId, validUntil: `${end}T00:00:00.000Z` } : null;
}

export function addMembershipTerm(terms: readonly MembershipTerm[], term: MembershipTerm): MembershipTerm[] {
  if (terms.some((t) => t.id === term.id)) return [...terms];
  return [...terms, term].sort(byDateThenId);
}
