/**
 * The member overview (what the panel shows on a scan), numbers by hand.
 * Time: 2026-11-24 (a Tuesday), store in Europe/Amsterdam.
 */
import { describe, expect, it } from 'vitest';
import { emptyMemberState, memberOverview, validateProgram, type ProgramInput } from '../../../shared/engine';
import { BARE_PROGRAM, testProgram, testState } from './fixtures';

const AT = '2026-11-24T10:00:00Z';
const TZ = 'Europe/Amsterdam';
const M = '01KDVDNA000000000000000002';

const program = testProgram;
const state = testState;

const tiers: ProgramInput['tiers'] = [
  { id: 'member', name: 'Member', threshold: 0 },
  { id: 'silver', name: 'Silver', threshold: 500 },
  { id: 'gold', name: 'Gold', threshold: 2000, perks: { percentOff: 0, freeDelivery: true } },
];

describe('the member overview', () => {
  it('names the tier and what the next one needs, in points or in spend', () => {
    const p = program({ tiers });
    // 380 points in the window: Member, 120 to Silver.
    const o = memberOverview(p, { id: M, state: state({ tierWindow: { spendMinor: 0, points: 380 } }) }, AT, TZ);
    expect(o.tier).toEqual({ id: 'member', name: 'Member' });
    expect(o.next).toEqual({ id: 'silver', name: 'Silver', remaining: 120, metric: 'points' });
    // Spend-based: 1,234.00 spent, Gold at 2,000.00 → 766.00 to go.
    const spendTiers = tiers.map((t) => ({ ...t, threshold: t.threshold * 100 }));
    const bySpend = program({
      tiers: spendTiers,
      tierRules: { metric: 'spend', windowMonths: 12, downgradeGraceDays: 0 },
    });
    const s = memberOverview(
      bySpend,
      { id: M, state: state({ tierWindow: { spendMinor: 1234_00, points: 0 } }) },
      AT,
      TZ,
    );
    expect(s.next).toEqual({ id: 'gold', name: 'Gold', remaining: 2000_00 - 1234_00, metric: 'spend' });
  });

  it('has no next tier at the top, and counts from the tier the server says is held', () => {
    const p = program({ tiers });
    const top = memberOverview(p, { id: M, state: state({ tierWindow: { spendMinor: 0, points: 2500 } }) }, AT, TZ);
    expect(top.tier?.id).toBe('gold');
    expect(top.next).toBeNull();
    // Gold held (downgrades wait for the window end) with 100 points in the new window: no "next" below Gold.
    const held = memberOverview(
      p,
      { id: M, state: state({ tier: 'gold', tierWindow: { spendMinor: 0, points: 100 } }) },
      AT,
      TZ,
    );
    expect(held.tier?.id).toBe('gold');
    expect(held.next).toBeNull();
    // Gold's free delivery is a perk badge.
    expect(top.perks).toEqual([{ id: 'tier:gold', kind: 'free-delivery', name: 'Gold' }]);
  });

  it('lists points expiring inside the warning days, oldest first', () => {
    const p = program({ expiry: { mode: 'months-after-earn', months: 12, warnDays: 30 } });
    // Earned 2025-12-04 → expire 2026-12-04 (10 days); 2025-12-30 → 2026-12-30 (36 days: not yet warned).
    const s = state({
      balance: 300,
      lots: { asOf: '2025-12-30', buckets: { '2025-12-04': [120, 0], '2025-12-30': [180, 0] }, spent: 0 },
    });
    expect(memberOverview(p, { id: M, state: s }, AT, TZ).expiring).toEqual([{ points: 120, expiresAt: '2026-12-04' }]);
  });

  it('shows stamp cards with stamps, and says when the next item is free', () => {
    const p = program({
      stampCards: [
        { id: 'coffee', name: 'Coffee card', filter: { categories: ['coffee'] }, every: 10, windowDays: null },
        { id: 'wash', name: 'Car wash', filter: { categories: ['wash'] }, every: 5, windowDays: 30 },
        { id: 'tea', name: 'Tea card', filter: { categories: ['tea'] }, every: 6, windowDays: null },
      ],
    });
    const s = state({
      stamps: {
        coffee: { asOf: '2026-11-20', buckets: { all: 9 } },
        // 2 stamps 40 days ago (outside the 30-day window) and 3 this month: 3 count.
        wash: { asOf: '2026-11-20', buckets: { '2026-10-15': 2, '2026-11-20': 3 } },
      },
    });
    expect(memberOverview(p, { id: M, state: s }, AT, TZ).stampCards).toEqual([
      { id: 'coffee', name: 'Coffee card', stamps: 9, every: 10, freeNext: true },
      { id: 'wash', name: 'Car wash', stamps: 3, every: 5, freeNext: false },
    ]);
  });

  it('lists the offers made to this member that are open and not used up, never the offers for everyone', () => {
    const offer = (id: string, over: object) => ({
      id,
      name: `Offer ${id}`,
      filter: {},
      benefit: { kind: 'percent-off', percent: 10 },
      ...over,
    });
    const p = program({
      offers: [
        offer('mine', { memberIds: [M], maxUses: 2 }),
        offer('segment', { segments: ['coffee-lovers'] }),
        offer('other', { memberIds: ['someone-else'] }),
        offer('everyone', {}),
        offer('used', { memberIds: [M], maxUses: 1 }),
        offer('later', { memberIds: [M], window: { from: '2026-12-01' } }),
      ] as ProgramInput['offers'],
    });
    const s = state({ segments: ['coffee-lovers'], offerUses: { mine: 1, used: 1 } });
    expect(memberOverview(p, { id: M, state: s }, AT, TZ).offers).toEqual([
      { id: 'mine', name: 'Offer mine', usesLeft: 1 },
      { id: 'segment', name: 'Offer segment', usesLeft: null },
    ]);
  });

  it('marks the birthday inside the program window, across the new year too', () => {
    const p = program({ bonuses: { birthday: { points: 100, windowDays: 7 } } });
    const on = (birthday: string, at = AT) => memberOverview(p, { id: M, state: state({ birthday }) }, at, TZ).birthday;
    expect(on('11-24')).toEqual({ monthDay: '11-24', today: true });
    expect(on('11-30')).toEqual({ monthDay: '11-30', today: false });
    expect(on('12-02')).toBeNull(); // 8 days ahead
    expect(on('12-30', '2027-01-02T10:00:00Z')).toEqual({ monthDay: '12-30', today: false }); // 3 days ago
    // No birthday bonus: the badge shows on the day only.
    const plain = program({});
    expect(memberOverview(plain, { id: M, state: state({ birthday: '11-24' }) }, AT, TZ).birthday?.today).toBe(true);
    expect(memberOverview(plain, { id: M, state: state({ birthday: '11-25' }) }, AT, TZ).birthday).toBeNull();
  });

  it('gives the paid membership its days left, and its perks only while it is in force', () => {
    const p = program({
      memberships: [{ id: 'plus', name: 'Plus', feeMinor: 2500, termMonths: 12, perks: { percentOff: 5 } }],
      perks: [
        { id: 'queue', kind: 'priority-service', name: 'Priority checkout', memberships: ['plus'] },
        { id: 'night', kind: 'event', name: 'Members’ night', window: { from: '2026-11-20', to: '2026-11-30' } },
        { id: 'xmas', kind: 'early-access', name: 'Early Christmas sale', window: { from: '2026-12-10' } },
      ],
    });
    const inForce = state({ membership: { planId: 'plus', validUntil: '2026-12-04T00:00:00.000Z' } });
    const o = memberOverview(p, { id: M, state: inForce }, AT, TZ);
    expect(o.membership).toEqual({ planId: 'plus', name: 'Plus', until: '2026-12-04', daysLeft: 10 });
    expect(o.perks.map((x) => x.id)).toEqual(['queue', 'night']);
    // A term bought at a till today adds 12 months after the current end.
    const renewed = state({
      ...inForce,
      membershipTerms: [{ id: 'sale-1', planId: 'plus', from: '2026-11-24', months: 12 }],
    });
    expect(memberOverview(p, { id: M, state: renewed }, AT, TZ).membership?.until).toBe('2027-12-04');
    // Lapsed: shown with 0 days left, and the priority checkout is gone.
    const lapsed = state({ membership: { planId: 'plus', validUntil: '2026-11-01T00:00:00.000Z' } });
    const l = memberOverview(p, { id: M, state: lapsed }, AT, TZ);
    expect(l.membership?.daysLeft).toBe(0);
    expect(l.perks.map((x) => x.id)).toEqual(['night']);
  });

  it('gives perks by tier or segment, and an empty overview to a new member', () => {
    const p = program({
      tiers,
      perks: [
        { id: 'silver-queue', kind: 'priority-service', name: 'Priority service', tiers: ['silver', 'gold'] },
        { id: 'vip', kind: 'other', name: 'Personal shopper', segments: ['vip'] },
      ],
    });
    const silver = state({ tierWindow: { spendMinor: 0, points: 600 }, segments: ['vip'] });
    expect(memberOverview(p, { id: M, state: silver }, AT, TZ).perks.map((x) => x.id)).toEqual(['silver-queue', 'vip']);
    expect(memberOverview(p, { id: M, state: emptyMemberState() }, AT, TZ)).toEqual({
      tier: { id: 'member', name: 'Member' },
      next: { id: 'silver', name: 'Silver', remaining: 500, metric: 'points' },
      expiring: [],
      stampCards: [],
      offers: [],
      birthday: null,
      membership: null,
      perks: [],
    });
  });

  it('refuses a perk that names a tier or plan the program does not have, with its path', () => {
    const r = validateProgram({
      ...BARE_PROGRAM,
      earn: [{ id: 'base', kind: 'per-currency', points: 1, perMinor: 100 }],
      perks: [
        { id: 'a', kind: 'event', name: 'A', tiers: ['platinum'] },
        { id: 'c', kind: 'early-access', name: 'C', memberships: ['plus'] },
      ],
    });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.issues.map((i) => i.path).sort()).toEqual(['perks[0].tiers', 'perks[1].memberships']);
    const kind = validateProgram({ ...program({}), perks: [{ id: 'b', kind: 'teleport', name: 'B' }] });
    expect(kind.ok ? [] : kind.issues.map((i) => i.path)).toEqual(['perks[0].kind']);
  });
});
