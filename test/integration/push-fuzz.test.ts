/**
 * Fuzzing the push endpoint over real HTTP (PGlite): thousands of generated
 * bodies — valid pushes with one value anywhere replaced by something
 * hostile, random JSON, broken JSON, wrong headers. Whatever comes in: no
 * answer is a 5xx, every 4xx carries a coded error, and a 4xx writes nothing
 * (a fingerprint of every table the push path writes is unchanged).
 * FUZZ_RUNS sets the count (default 5,000; `npm run bench -- fuzz` runs more).
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoUlid } from '../../src-server/seed';
import { WIRE_HEADER, WIRE_VERSION } from '../../shared/replication';
import { startHarness, type Harness } from '../support/server-harness';
import { TestTill } from '../support/test-till';

const RUNS = Number(process.env.FUZZ_RUNS ?? 5000);

const hostile = fc.oneof(
  fc.jsonValue(),
  fc.constantFrom(
    9007199254740991,
    -9007199254740992,
    1e308,
    -0,
    0.5,
    Number.MAX_VALUE,
    '',
    '\u0000',
    'a\ud800',
    '\udc00b',
    '0000-01-01T00:00:00Z',
    '2026-11-30T10:00:00+23:59',
    '2026-13-45T99:99:99Z',
    'XXX',
    'x'.repeat(70_000),
    '01KDVDNA000000000000000000',
    null,
    true,
    [],
    {},
    { __proto__: { polluted: true } },
  ),
);

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** Every path to a value inside a JSON value. */
function paths(v: Json, at: Array<string | number> = []): Array<Array<string | number>> {
  const out: Array<Array<string | number>> = [at];
  if (Array.isArray(v)) v.forEach((x, i) => out.push(...paths(x, [...at, i])));
  else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) out.push(...paths(x, [...at, k]));
  return out;
}

function replaceAt(v: Json, path: ReadonlyArray<string | number>, value: unknown): Json {
  if (path.length === 0) return value as Json;
  const [head, ...rest] = path;
  if (Array.isArray(v)) return v.map((x, i) => (i === head ? replaceAt(x, rest, value) : x));
  if (v && typeof v === 'object') return { ...v, [head!]: replaceAt((v as Record<string, Json>)[head!]!, rest, value) };
  return v;
}

describe('push endpoint fuzz', () => {
  let h: Harness;
  let valid: Json[];

  const fingerprint = async () => {
    const [r] = await h.db.query<Record<string, string>>(
      `SELECT (SELECT count(*) FROM sales) AS sales, (SELECT count(*) FROM ledger_entries) AS entries,
              (SELECT count(*) FROM journal_inbox) AS inbox, (SELECT count(*) FROM parked_docs) AS parked,
              (SELECT count(*) FROM review_flags) AS flags, (SELECT count(*) FROM till_epochs) AS epochs,
              (SELECT coalesce(sum(acked_till_seq), 0) FROM till_epochs) AS acked,
              (SELECT coalesce(sum(clock_offset_ms), 0) FROM till_epochs) AS offsets,
              (SELECT max(seq) FROM members) AS seq, (SELECT count(*) FROM member_versions) AS versions`,
    );
    return JSON.stringify(r);
  };

  beforeAll(async () => {
    h = await startHarness('pglite', ['FUZZ-1']);
    const till = new TestTill(h.url, h.token, 'till-1');
    await till.sync();
    // Valid pushes to mutate: sales with and without a member, a redemption, a lone bonus.
    for (let i = 0; i < 6; i++) {
      till.sell(i % 3 === 0 ? null : demoUlid(10 + i), [
        ['p-001', 1 + i],
        ['p-011', 1],
      ]);
      if (i === 4) till.sell(demoUlid(10), [['p-010']], { redeem: { kind: 'reward', rewardId: 'one-off' } });
    }
    valid = till.journal.map((_, i, all) => ({
      epoch: till.epoch,
      sentAt: new Date().toISOString(),
      rows: all.slice(i, i + 3).map((d) => ({ newDocumentState: d, assumedMasterState: null })),
    }));
  });
  afterAll(async () => h?.close());

  it(`answers ${RUNS} generated bodies with no 5xx, coded 4xx errors, and 4xx writes nothing`, async () => {
    const statuses = new Map<number, number>();
    const body = fc.oneof(
      {
        weight: 6,
        arbitrary: fc.tuple(fc.nat(), fc.nat(), hostile).map(([b, p, value]) => {
          const base = valid[b % valid.length]!;
          const all = paths(base);
          return JSON.stringify(replaceAt(base, all[p % all.length]!, value));
        }),
      },
      { weight: 2, arbitrary: fc.jsonValue().map((v) => JSON.stringify(v)) },
      { weight: 1, arbitrary: fc.string({ maxLength: 200 }) },
      { weight: 1, arbitrary: fc.nat().map((b) => JSON.stringify(valid[b % valid.length])) },
    );
    const headers = fc.record({
      auth: fc.constantFrom('good', 'good', 'good', 'good', 'good', 'good', 'good', 'good', 'wrong', 'none'),
      wire: fc.constantFrom(String(WIRE_VERSION), String(WIRE_VERSION), String(WIRE_VERSION), '1', 'x', ''),
      type: fc.constantFrom('application/json', 'application/json', 'application/json', 'text/plain'),
    });
    await fc.assert(
      fc.asyncProperty(body, headers, async (text, hd) => {
        const before = await fingerprint();
        const res = await fetch(`${h.url}/api/v1/replication/journal/push`, {
          method: 'POST',
          headers: {
            'content-type': hd.type,
            [WIRE_HEADER]: hd.wire,
            ...(hd.auth === 'none' ? {} : { authorization: `Bearer ${hd.auth === 'good' ? h.token : 'nope'}` }),
          },
          body: text,
        });
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        const reply = (await res.json().catch(() => null)) as { error?: { code?: unknown } } | null;
        expect(res.status).toBeLessThan(500);
        if (res.status >= 400) {
          expect(typeof reply?.error?.code).toBe('string');
          expect(await fingerprint()).toBe(before);
        } else expect(res.status).toBe(200);
      }),
      { numRuns: RUNS },
    );
    // The generator reached both sides of the edge.
    expect(statuses.get(200) ?? 0).toBeGreaterThan(0);
    expect(statuses.get(400) ?? 0).toBeGreaterThan(RUNS / 4);
    console.log(`push fuzz: ${RUNS} bodies, statuses ${JSON.stringify(Object.fromEntries(statuses))}`);
  });
});
