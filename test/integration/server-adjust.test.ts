/**
 * Manual points adjustments through the admin API, over real HTTP on PGlite
 * and PostgreSQL: applied once per request id through the shared projection,
 * heard by tills through replication, never below zero, and audited with the
 * balance before and after.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memberSchema } from '../../shared/documents';
import { demoUlid } from '../../src-server/seed';
import { postgresUrl, pull, startHarness, type Backend, type Harness } from '../support/server-harness';

const backends: Backend[] = postgresUrl() ? ['pglite', 'postgres'] : ['pglite'];

async function adjust(h: Harness, member: string, body: unknown, token = 'test-admin') {
  const res = await fetch(`${h.url}/api/v1/admin/members/${member}/adjust`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> & { error?: { code: string } } };
}

async function balanceOnTill(h: Harness, id: string): Promise<number> {
  const docs = (await pull(h.url, h.token, 'members', 0)).body.documents as unknown[];
  const m = docs.map((d) => memberSchema.parse(d)).find((d) => d.id === id)!;
  return m.state.balance;
}

describe.each(backends)('manual points adjustments on %s', (backend) => {
  let h: Harness;
  const member = demoUlid(3);
  beforeAll(async () => {
    h = await startHarness(backend);
  });
  afterAll(async () => h?.close());

  it('adjusts once per request id, reaches tills, and is audited with the balance before and after', async () => {
    const opening = await balanceOnTill(h, member);
    const body = { points: 250, reason: 'Goodwill: broken coffee machine', requestId: 'req-00000001' };
    const first = await adjust(h, member, body);
    expect(first).toMatchObject({ status: 200, body: { duplicate: false, points: 250, balance: opening + 250 } });
    const again = await adjust(h, member, body);
    expect(again).toMatchObject({ status: 200, body: { duplicate: true, entryId: first.body.entryId } });
    expect(await balanceOnTill(h, member)).toBe(opening + 250);
    const entries = await h.db.query<{ type: string; points: string | number; till_id: string }>(
      "SELECT type, points, till_id FROM ledger_entries WHERE member_id = $1 AND type = 'adjust' AND till_id = 'admin'",
      [member],
    );
    expect(entries.map((e) => [e.type, Number(e.points), e.till_id])).toEqual([['adjust', 250, 'admin']]);
    const audit = await fetch(`${h.url}/api/v1/admin/audit?action=member.adjust`, {
      headers: { authorization: 'Bearer test-admin' },
    });
    const { entries: lines } = (await audit.json()) as { entries: Array<{ actor: string; detail: object }> };
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      actor: 'admin',
      detail: { points: 250, balanceBefore: opening, balanceAfter: opening + 250, requestId: 'req-00000001' },
    });
  });

  it('refuses a bad adjustment with a code and changes nothing', async () => {
    const state = async () => [
      await h.db.query('SELECT state, seq FROM members WHERE id = $1', [member]),
      await h.db.query('SELECT count(*) AS n FROM audit_log'),
      await h.db.query('SELECT count(*) AS n FROM ledger_entries'),
    ];
    const before = await state();
    const balance = await balanceOnTill(h, member);
    const ok = { points: 10, reason: 'Correction', requestId: 'req-bad-0001' };
    for (const [who, body, status, code] of [
      [member, { ...ok, points: -(balance + 1) }, 400, 'NOT_ENOUGH_POINTS'],
      [member, { ...ok, points: 0 }, 400, 'BAD_REQUEST'],
      [member, { ...ok, points: 1.5 }, 400, 'BAD_REQUEST'],
      [member, { ...ok, points: 1_000_001 }, 400, 'BAD_REQUEST'],
      [member, { ...ok, reason: '' }, 400, 'BAD_REQUEST'],
      [member, { ...ok, requestId: "x'; DROP TABLE members;--" }, 400, 'BAD_REQUEST'],
      ['not-a-member', ok, 400, 'BAD_REQUEST'],
      [demoUlid(999), ok, 404, 'NOT_FOUND'],
    ] as const) {
      const res = await adjust(h, who, body);
      expect([res.status, res.body.error?.code]).toEqual([status, code]);
    }
    expect(await state()).toEqual(before);
  });
});
