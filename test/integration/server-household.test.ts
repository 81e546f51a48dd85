/**
 * Household joins made at the till, taken by the server over real HTTP on PGlite: the member's points move to
 * the household's account, the member's next sale (in the same push) earns into it and is verified by the
 * re-check, the join is audited with its supervisor, and it counts once however often it is pushed. What the
 * server refuses is parked whole and nothing moves: no supervisor, a member with an account of their own that
 * others share, an account that is itself someone's member. Transfers the till got wrong are parked and the
 * server moves the member's real balance itself.
 */
import { monotonicFactory } from 'ulid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JournalDoc } from '../../shared/documents';
import { memberStateSchema } from '../../shared/engine/member-state';
import { householdJoinDocCount, householdJoinDocuments, type HouseholdJoin } from '../../shared/household';
import { demoUlid } from '../../src-server/seed';
import { startHarness, type Harness } from '../support/server-harness';
import { TestTill } from '../support/test-till';

const nextId = monotonicFactory();
const COFFEE = 'p-011'; // Ground coffee 500 g, 6.99

describe('household joins made at the till', () => {
  let h: Harness & { tokens: string[] };
  let till: TestTill;
  beforeAll(async () => {
    h = await startHarness('pglite', ['HOUSEHOLD-TILL-1']);
    till = new TestTill(h.url, h.tokens[0]!, 'till-1');
    await till.sync();
  });
  afterAll(async () => h?.close());

  async function member(id: string) {
    const [r] = await h.db.query<{ state: unknown }>('SELECT state FROM members WHERE id = $1', [id]);
    return memberStateSchema.parse(r!.state);
  }

  async function ledgerSum(memberId: string): Promise<number> {
    const [r] = await h.db.query<{ p: string | null }>(
      'SELECT sum(points) AS p FROM ledger_entries WHERE member_id = $1 AND effective',
      [memberId],
    );
    return Number(r!.p ?? 0);
  }

  function joinDocs(j: Partial<HouseholdJoin> & { memberId: string; householdId: string; points: number }) {
    const n = householdJoinDocCount(j.points);
    const seq = till.nextSeq();
    for (let i = 1; i < n; i++) till.nextSeq();
    return householdJoinDocuments(
      { tillId: 'till-1', storeId: 'store-1' },
      { cashierId: 'cashier-1', supervisorId: 'supervisor-1', ...j },
      { join: nextId(), out: nextId(), in: nextId() },
      seq,
      new Date().toISOString(),
    );
  }

  it('moves the points, earns the next sale into the shared account, audits, and counts once', async () => {
    const finn = demoUlid(6);
    const bram = demoUlid(2);
    const [finnBefore, bramBefore] = [(await member(finn)).balance, (await member(bram)).balance];
    expect(finnBefore).toBeGreaterThan(0);
    const docs = till.write(...joinDocs({ memberId: finn, householdId: bram, points: finnBefore }));
    // The till's view at once: Finn shops on Bram's account, with both balances in it.
    expect(till.view(finn)).toMatchObject({ accountId: bram, state: { balance: finnBefore + bramBefore } });
    const [sale] = till.sell(finn, [[COFFEE, 2]]);
    const earned = till.view(finn).state.balance - finnBefore - bramBefore;
    expect(earned).toBeGreaterThan(0);
    const replies = await till.pushAll();
    expect(replies.flatMap((r) => r.parked)).toEqual([]);

    const [f, b] = [await member(finn), await member(bram)];
    expect(f.householdId).toBe(bram);
    expect(f.balance).toBe(0);
    expect(b.balance).toBe(bramBefore + finnBefore + earned);
    expect(await ledgerSum(finn)).toBe(0);
    expect(await ledgerSum(bram)).toBe(b.balance);
    const [stored] = await h.db.query<{ check_status: string; account: string }>(
      `SELECT s.check_status, (SELECT min(member_id) FROM ledger_entries e WHERE e.sale_id = s.id) AS account
         FROM sales s WHERE s.id = $1`,
      [sale!.id],
    );
    expect(stored).toEqual({ check_status: 'verified', account: bram });

    const audit = (await (
      await fetch(`${h.url}/api/v1/admin/audit?action=till-event.household-join`, {
        headers: { authorization: 'Bearer test-admin' },
      })
    ).json()) as { entries: Array<{ actor: string; target: string; detail: { householdId: string } }> };
    expect(audit.entries).toEqual([
      expect.objectContaining({
        actor: 'cashier:supervisor-1',
        target: finn,
        detail: expect.objectContaining({ householdId: bram }),
      }),
    ]);

    // Pushed again (a reply lost on the way back): one join, one move.
    const again = await till.pushDocs(docs);
    expect(again.body).toMatchObject({ duplicates: docs.length });
    expect((await member(bram)).balance).toBe(b.balance);
    expect((await member(finn)).balance).toBe(0);
  });

  it('parks what no supervisor approved, a holder joining elsewhere and a join to a shared account', async () => {
    const bram = demoUlid(2);
    const finn = demoUlid(6);
    const [m7, m8] = [demoUlid(7), demoUlid(8)];
    const before = await Promise.all([bram, finn, m7, m8].map(async (id) => (await member(id)).balance));
    const byCashier = joinDocs({ memberId: m7, householdId: m8, points: before[2]!, supervisorId: 'cashier-1' });
    const holder = joinDocs({ memberId: bram, householdId: m8, points: before[0]! });
    const toMember = joinDocs({ memberId: m7, householdId: finn, points: before[2]! });
    const self = joinDocs({ memberId: m8, householdId: m8, points: 0 });
    till.write(...byCashier, ...holder, ...toMember, ...self);
    const replies = await till.pushAll();
    const parked = new Map(replies.flatMap((r) => r.parked.map((p) => [p.id, p.code])));
    for (const d of byCashier) expect(parked.get(d.id)).toBe('HOUSEHOLD_NOT_APPROVED');
    for (const d of [...holder, ...toMember, ...self]) expect(parked.get(d.id)).toBe('HOUSEHOLD_INVALID');
    const after = await Promise.all([bram, finn, m7, m8].map(async (id) => (await member(id)).balance));
    expect(after).toEqual(before);
    expect((await member(m7)).householdId).toBeNull();
    expect((await member(bram)).householdId).toBeNull();
    const flags = await h.db.query<{ n: string }>(
      "SELECT count(*) AS n FROM review_flags WHERE kind = 'household-join-parked'",
    );
    expect(Number(flags[0]!.n)).toBe(4);
  });

  it('moves the real balance when the till moved too many points or tampered with a transfer', async () => {
    const [m9, m10, m11, m12] = [demoUlid(9), demoUlid(10), demoUlid(11), demoUlid(12)];
    const [b9, b10, b11, b12] = await Promise.all([m9, m10, m11, m12].map(async (id) => (await member(id)).balance));
    const short = joinDocs({ memberId: m9, householdId: m10, points: b9! + 40 });
    const tampered = joinDocs({ memberId: m11, householdId: m12, points: b11! }) as JournalDoc[];
    const into = tampered[2]!;
    if (into.kind === 'entry') into.body.points += 1_000;
    till.write(...short, ...tampered);
    const replies = await till.pushAll();
    const parked = new Map(replies.flatMap((r) => r.parked.map((p) => [p.id, p.code])));
    expect(parked.has(short[0].id)).toBe(false);
    for (const d of short.slice(1)) expect(parked.get(d.id)).toBe('HOUSEHOLD_TRANSFER_SHORT');
    for (const d of tampered.slice(1)) expect(parked.get(d.id)).toBe('HOUSEHOLD_TRANSFER_INVALID');
    expect(await Promise.all([m9, m10, m11, m12].map(async (id) => (await member(id)).balance))).toEqual([
      0,
      b10! + b9!,
      0,
      b12! + b11!,
    ]);
    for (const id of [m9, m10, m11, m12]) expect(await ledgerSum(id)).toBe((await member(id)).balance);
    expect((await member(m9)).householdId).toBe(m10);
    expect((await member(m11)).householdId).toBe(m12);
  });
});
