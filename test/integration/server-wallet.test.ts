/**
 * The eWallet under the server's authority, over real HTTP on PGlite and a real PostgreSQL: a top-up at one till
 * is spendable at another once it syncs; two offline tills spending the same money both stand and the member is
 * flagged (wallet-overdraft); the next top-up covers the debt; a wallet payment without a member, or one the
 * program has no wallet for, is parked with its code. After each: the till's view equals the server's member.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memberStateSchema, type MemberState } from '../../shared/engine/member-state';
import { demoUlid } from '../../src-server/seed';
import { saleDoc } from '../support/journal';
import { changeProgram, postgresUrl, startHarness, type Backend, type Harness } from '../support/server-harness';
import { TestTill } from '../support/test-till';

const backends: Backend[] = postgresUrl() ? ['pglite', 'postgres'] : ['pglite'];
const COFFEE = 'p-011'; // Ground coffee 500 g, 6.99

async function serverState(h: Harness, memberId: string): Promise<MemberState> {
  const [r] = await h.db.query<{ state: unknown }>('SELECT state FROM members WHERE id = $1', [memberId]);
  return memberStateSchema.parse(r!.state);
}

async function flags(h: Harness, kind: string): Promise<Array<{ member_id: string | null; detail: unknown }>> {
  return h.db.query('SELECT member_id, detail FROM review_flags WHERE kind = $1 ORDER BY id', [kind]);
}

describe.each(backends)('the eWallet on %s', (backend) => {
  let h: Harness & { tokens: string[] };
  let a: TestTill;
  let b: TestTill;

  beforeAll(async () => {
    h = await startHarness(backend, ['WALLET-TILL-1', 'WALLET-TILL-2']);
    await changeProgram(h, (program) => ({
      ...program,
      wallet: { maxBalanceMinor: 20_000, minTopUpMinor: 500, offlineSpendCapPerDayMinor: 1_500 },
    }));
    a = new TestTill(h.url, h.tokens[0]!, 'till-1');
    b = new TestTill(h.url, h.tokens[1]!, 'till-2');
    await a.sync();
    await b.sync();
  });
  afterAll(async () => h?.close());

  it('a top-up at one till pays at another; offline both tills spend the same money, and the server flags it', async () => {
    const m = demoUlid(7);
    // 6.99 of coffee and 20.00 on the wallet: 26.99 in cash; the top-up earns no points.
    const [sale] = a.sell(m, [[COFFEE]], { topUpMinor: 2_000 });
    expect(sale!.kind === 'sale' && [sale!.body.totalMinor, sale!.body.effects?.walletMinor]).toEqual([2_699, 2_000]);
    await a.pushAll();
    expect((await serverState(h, m)).wallet.balanceMinor).toBe(2_000);
    expect(sale!.kind === 'sale' && sale!.body.lines.map((l) => [l.kind, l.points > 0])).toEqual([
      ['item', true],
      ['topup', false],
    ]);
    // At the other till, online: the wallet pays the whole 6.99.
    await b.sync();
    expect(b.view(m).state.wallet.balanceMinor).toBe(2_000);
    b.sell(m, [[COFFEE]], { walletMinor: 699 });
    await b.pushAll();
    expect((await serverState(h, m)).wallet.balanceMinor).toBe(1_301);
    await a.sync();
    await b.sync();
    // Offline, each till lets 8.00 go of the 13.01 (the day's cap of 15.00 counts the 6.99 spent online): together
    // 16.00, 2.99 more than there was.
    a.sell(m, [[COFFEE, 2]], { walletMinor: 800, offline: true });
    b.sell(m, [[COFFEE, 2]], { walletMinor: 800, offline: true });
    expect(() => a.sell(m, [[COFFEE]], { walletMinor: 100, offline: true })).toThrow(/Offline/);
    const viewA = a.view(m).state;
    await a.pushAll();
    expect(await serverState(h, m)).toEqual(viewA);
    expect(await flags(h, 'wallet-overdraft')).toEqual([]);
    const [reply] = await b.pushAll();
    expect(reply!.parked).toEqual([]);
    expect((await serverState(h, m)).wallet.balanceMinor).toBe(-299);
    expect(await flags(h, 'wallet-overdraft')).toEqual([{ member_id: m, detail: { balanceMinor: -299 } }]);
    // Back online: nothing to spend until a top-up covers the debt.
    await a.sync();
    expect(() => a.sell(m, [[COFFEE]], { walletMinor: 100 })).toThrow(/holds 0/);
    a.sell(m, [[COFFEE]], { topUpMinor: 1_000 });
    await a.pushAll();
    expect((await serverState(h, m)).wallet.balanceMinor).toBe(701);
  });

  it('parks a wallet payment without a member; books one over what the wallet held, and flags it', async () => {
    const base = saleDoc({ tillId: 'till-1', tillSeq: a.nextSeq(), memberId: null });
    const anonymous = {
      ...base,
      body: { ...base.body, tenders: [{ kind: 'wallet' as const, amountMinor: 119 }] },
    } as typeof base;
    a.write(anonymous);
    const [first] = await a.pushAll();
    expect(first!.parked.map((p) => [p.id, p.code])).toEqual([[anonymous.id, 'WALLET_WITHOUT_MEMBER']]);
    // A till that wrote a wallet payment the member's wallet could not make: the goods left, so the payment is
    // booked (the wallet goes below zero) and the sale is flagged for review.
    const m = demoUlid(8);
    await a.sync();
    a.sell(m, [[COFFEE]], { topUpMinor: 500 });
    await a.pushAll();
    await a.sync();
    const [sale] = a.sell(m, [[COFFEE]], { walletMinor: 500 });
    if (sale!.kind !== 'sale') throw new Error('a sale first');
    const over = {
      ...sale!,
      body: {
        ...sale!.body,
        tenders: [{ kind: 'wallet' as const, amountMinor: 699 }],
        effects: { ...sale!.body.effects!, walletMinor: -699, walletSpentMinor: 699 },
      },
    };
    a.journal[a.journal.indexOf(sale!)] = over;
    await a.pushAll();
    expect((await serverState(h, m)).wallet.balanceMinor).toBe(-199);
    expect((await flags(h, 'wallet-overdraft')).map((f) => f.member_id)).toContain(m);
    const [stored] = await h.db.query<{ check_status: string }>('SELECT check_status FROM sales WHERE id = $1', [
      over.id,
    ]);
    expect(stored!.check_status).not.toBe('verified');
  });
});
