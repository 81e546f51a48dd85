/**
 * Member snapshot rows: a member state travels with the fields still at their
 * empty starting value left out, and comes back whole. Checked for every
 * field set and unset, and for states the engine's schema accepts at random.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { emptyMemberState, memberStateSchema, type MemberState } from '../../shared/engine';
import {
  compactMemberState,
  memberRowText,
  parseMemberRecord,
  snapshotRowText,
  type MemberRecord,
} from '../../shared/member-snapshot';

function record(state: MemberState): MemberRecord {
  return {
    id: '01KDVDNA000000000000000001',
    cardNumber: '2990000000001',
    name: 'Member 1',
    phoneHash: '',
    storeId: 'store-1',
    enrolledAt: '2026-01-01T00:00:00.000Z',
    state,
    tillMark: 3,
    seq: 12,
  };
}

/** A state with every field away from its starting value. */
const full: MemberState = memberStateSchema.parse({
  balance: 120,
  lots: { asOf: '2026-03-01', buckets: { '2026-03-01': [120, 0] }, spent: 0 },
  tierWindow: { spendMinor: 12_000, points: 120 },
  tier: 'gold',
  tierSince: '2026-02-01',
  stamps: { wash: { asOf: '2026-03-01', buckets: { '2026-03-01': 2 } } },
  offerUses: { 'offer-1': 1 },
  grants: ['signup:1'],
  householdId: 'hh-1',
  membership: { planId: 'plus', validUntil: '2027-01-01' },
  membershipTerms: [{ id: 't1', planId: 'plus', from: '2026-01-01', months: 12 }],
  redeemedToday: { date: '2026-03-01', points: 10 },
  birthday: '05-04',
  segments: ['students'],
  referredBy: '01KDVDNA000000000000000002',
  lastActivityAt: '2026-03-01T10:00:00.000Z',
  wallet: { balanceMinor: 2_500, spentToday: { date: '2026-03-01', minor: 500 } },
});

describe('member snapshot rows', () => {
  it('leave out what a new member starts with, and give it back on parse', () => {
    expect(compactMemberState(emptyMemberState())).toEqual({});
    expect(parseMemberRecord(memberRowText(record(emptyMemberState())))).toEqual(record(emptyMemberState()));
    expect(memberRowText(record(emptyMemberState())).length).toBeLessThan(
      JSON.stringify(record(emptyMemberState())).length - 150,
    );
  });

  it('keep every field that moved from its starting value, one at a time and all together', () => {
    expect(parseMemberRecord(memberRowText(record(full)))).toEqual(record(full));
    for (const key of Object.keys(full) as (keyof MemberState)[]) {
      const one = { ...emptyMemberState(), [key]: full[key] };
      expect(parseMemberRecord(memberRowText(record(one))), key).toEqual(record(one));
      expect(Object.keys(compactMemberState(one)), key).toEqual([key]);
    }
  });

  it('travel in pages without the keys their columns carry', () => {
    const r = record(full);
    const text = snapshotRowText(r);
    expect(text).not.toContain(r.id);
    expect(text).not.toContain(r.cardNumber);
    expect(() => parseMemberRecord(text)).toThrow(/not a member record/);
    expect(parseMemberRecord(text, { id: r.id, cardNumber: r.cardNumber, phoneHash: r.phoneHash, seq: r.seq })).toEqual(
      r,
    );
  });

  it('round-trip any state mixed from set and unset fields', () => {
    const keys = Object.keys(full) as (keyof MemberState)[];
    fc.assert(
      fc.property(fc.subarray(keys), fc.integer({ min: -1000, max: 100_000 }), (set, balance) => {
        const state = { ...emptyMemberState(), balance } as Record<string, unknown>;
        for (const k of set) state[k] = full[k];
        const r = record(state as MemberState);
        expect(parseMemberRecord(memberRowText(r))).toEqual(r);
        const { id, cardNumber, phoneHash, seq } = r;
        expect(parseMemberRecord(snapshotRowText(r), { id, cardNumber, phoneHash, seq })).toEqual(r);
      }),
    );
  });
});
