/** The server's expiry job on PGlite: due lots expire once, with natural ids; running it again changes nothing. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openLots } from '../../shared/ledger';
import { memberStateSchema } from '../../shared/engine/member-state';
import { DEMO_EXPIRING_POINTS, demoUlid } from '../../src-server/seed';
import { startHarness, type Harness } from '../support/server-harness';

const run = (h: Harness, at: string) =>
  fetch(`${h.url}/api/v1/admin/expire`, {
    method: 'POST',
    headers: { authorization: 'Bearer test-admin', 'content-type': 'application/json' },
    body: JSON.stringify({ at }),
  });

describe('points expiry (server job)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness('pglite');
  });
  afterAll(async () => h?.close());

  it('expires lots 24 months after they were earned, once', async () => {
    const member = demoUlid(2); // opening balance 137, earned 2026-01-01
    const before = await fetch(`${h.url}/api/v1/admin/members/${member}`, {
      headers: { authorization: 'Bearer test-admin' },
    });
    expect(((await before.json()) as { member: { state: { balance: number } } }).member.state.balance).toBe(137);

    // Member 4's demo lot was earned so long ago that it expires ten days after seeding: it goes first, alone.
    const soon = new Date(Date.now() + 11 * 86_400_000).toISOString();
    expect(await (await run(h, soon)).json()).toMatchObject({ entries: 1, points: DEMO_EXPIRING_POINTS });

    const early = await run(h, '2027-12-31T10:00:00Z');
    expect(await early.json()).toMatchObject({ entries: 0 });

    const due = await run(h, '2028-01-02T10:00:00Z');
    const result = (await due.json()) as { members: number; entries: number; points: number };
    expect(result.entries).toBe(19); // every demo member but the first (opening 0) has one lot
    const after = (await (
      await fetch(`${h.url}/api/v1/admin/members/${member}`, { headers: { authorization: 'Bearer test-admin' } })
    ).json()) as {
      member: { state: unknown };
      entries: Array<{ type: string; points: number; natural_id: string }>;
    };
    const state = memberStateSchema.parse(after.member.state);
    expect(state.balance).toBe(0);
    expect(openLots(state.lots)).toEqual([]);
    expect(after.entries.find((e) => e.type === 'expire')).toMatchObject({
      points: -137,
      natural_id: `expire:${member}:2026-01-01:2028-01-01`,
    });

    expect(await (await run(h, '2028-01-03T10:00:00Z')).json()).toMatchObject({ entries: 0 });
    const [sum] = await h.db.query<{ p: string }>(
      'SELECT sum(points) AS p FROM ledger_entries WHERE member_id = $1 AND effective',
      [member],
    );
    expect(Number(sum!.p)).toBe(0);
  });

  it('needs the admin token', async () => {
    const res = await fetch(`${h.url}/api/v1/admin/expire`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(res.status).toBe(401);
  });
});
