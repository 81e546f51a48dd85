/**
 * Random multi-till offline histories against the real server (HTTP,
 * PGlite): 2–4 tills sell to a few members offline — stamps, one-time
 * offers, rewards under the offline cap, birthday-free members — and sync
 * in random order. An honest till is never parked, and after everyone has
 * synced every till's view of every member equals the server's member and
 * every balance equals its ledger.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memberStateSchema } from '../../shared/engine/member-state';
import { KassaError } from '../../shared/errors';
import { validStampBuckets } from '../../shared/ledger';
import { demoUlid } from '../../src-server/seed';
import { stampSeq } from '../../src-server/seq';
import { startHarness, useStampAndOfferProgram, type Harness } from '../support/server-harness';
import { TestTill } from '../support/test-till';

const CODES = ['MT-1', 'MT-2', 'MT-3', 'MT-4'];
const PRODUCTS = ['p-001', 'p-010', 'p-011', 'p-012', 'p-014'];

const stepArb = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('sell' as const),
      till: fc.nat(3),
      member: fc.nat(3),
      items: fc.array(fc.tuple(fc.nat(PRODUCTS.length - 1), fc.integer({ min: 1, max: 3 })), {
        minLength: 1,
        maxLength: 3,
      }),
      reward: fc.constantFrom<'one-off' | 'five-off' | null>(null, null, 'one-off', 'five-off'),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('sync' as const), till: fc.nat(3) }) },
);

describe('random multi-till offline histories on the real server', () => {
  let h: Harness & { tokens: string[] };
  let run = 0;

  beforeAll(async () => {
    h = await startHarness('pglite', CODES);
    await useStampAndOfferProgram(h, 4);
  });
  afterAll(async () => h?.close());

  it("an honest till is never parked, and every till ends with the server's member", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 2, max: 4 }),
        fc.array(stepArb, { minLength: 5, maxLength: 25 }),
        async (n, steps) => {
          run++;
          // Each run its own members (four per run) and fresh till databases.
          const members = [0, 1, 2, 3].map((k) => demoUlid(1000 + run * 4 + k));
          await h.db.query(
            `INSERT INTO members (id, card_number, store_id, name, enrolled_at, state, seq)
           SELECT m, 'MT' || m, 'store-1', 'Member ' || m, now(), $2, 0 FROM unnest($1::text[]) AS m`,
            [members, JSON.stringify(memberStateSchema.parse({ balance: 0 }))],
          );
          // Opening points, booked as the server would (an adjust entry backs the balance).
          for (const m of members) {
            await h.db.query(
              `INSERT INTO ledger_entries (id, member_id, till_id, sale_id, type, points, reason, till_seq, till_time)
             VALUES ($1, $1, 'seed', NULL, 'adjust', 1500, 'opening', 0, now())`,
              [m],
            );
            await h.db.query(
              `UPDATE members SET state = jsonb_set(jsonb_set(state, '{balance}', '1500'), '{lots}',
               jsonb_build_object('asOf', to_char(now(), 'YYYY-MM-DD'), 'buckets',
                 jsonb_build_object(to_char(now(), 'YYYY-MM-DD'), jsonb_build_array(1500, 0)), 'spent', 0))
              WHERE id = $1`,
              [m],
            );
          }
          await h.db.tx((q) => stampSeq(q, 'members', members));

          const tills = h.tokens.slice(0, n).map((t, i) => {
            const till = new TestTill(h.url, t, `till-${i + 1}`);
            till.wipe();
            return till;
          });
          for (const t of tills) await t.sync();
          for (const s of steps) {
            const t = tills[s.till % n]!;
            if (s.kind === 'sync') {
              for (const reply of await t.pushAll()) expect(reply.parked).toEqual([]);
              await t.sync();
              continue;
            }
            try {
              t.sell(
                members[s.member]!,
                s.items.map(([p, q]) => [PRODUCTS[p]!, q]),
                { offline: true, redeem: s.reward ? { kind: 'reward', rewardId: s.reward } : null },
              );
            } catch (e) {
              // The till's own view refused it (not enough points, the day's cap, basket too small): nothing written.
              expect(e).toBeInstanceOf(KassaError);
            }
          }
          for (const t of tills) for (const reply of await t.pushAll()) expect(reply.parked).toEqual([]);
          for (const t of tills) {
            await t.sync();
            for (const m of members) {
              const [row] = await h.db.query<{ state: unknown }>('SELECT state FROM members WHERE id = $1', [m]);
              expect(t.view(m).state).toEqual(memberStateSchema.parse(row!.state));
            }
          }
          // Nothing a till did is lost in the merge: every stamp and offer use from every journal is on the server.
          for (const m of members) {
            const [row] = await h.db.query<{ state: unknown }>('SELECT state FROM members WHERE id = $1', [m]);
            const state = memberStateSchema.parse(row!.state);
            const sales = tills.flatMap((t) => t.journal).filter((d) => d.kind === 'sale' && d.body.memberId === m);
            const stamps = sales.reduce(
              (sum, d) =>
                sum +
                (d.kind === 'sale'
                  ? Object.values(d.body.effects?.stamps['coffee-card'] ?? {}).reduce((a, b) => a + b, 0)
                  : 0),
              0,
            );
            const uses = sales.reduce(
              (sum, d) => sum + (d.kind === 'sale' ? (d.body.effects?.offerUses.welcome ?? 0) : 0),
              0,
            );
            expect(
              validStampBuckets(state.stamps['coffee-card'], '2099-12-31', null).reduce((a, [, n]) => a + n, 0),
            ).toBe(stamps);
            expect(state.offerUses.welcome ?? 0).toBe(uses);
          }
          const mismatched = await h.db.query(
            `SELECT m.id FROM members m LEFT JOIN (SELECT member_id, sum(points) AS p FROM ledger_entries
             WHERE effective GROUP BY member_id) l ON l.member_id = m.id
            WHERE (m.state->>'balance')::bigint <> coalesce(l.p, 0)`,
          );
          expect(mismatched).toEqual([]);
        },
      ),
      { numRuns: Number(process.env.MULTI_TILL_RUNS ?? 40) },
    );
  });
});
