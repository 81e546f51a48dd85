/**
 * Checkpoints under concurrent writers, on a real PostgreSQL server.
 *
 * Eight writers push in overlapping transactions (every statement in them is
 * surrounded by random sleeps, so commits interleave) while a live puller
 * follows the members collection by checkpoint over HTTP. Each of 400
 * members is changed exactly once, so a single skipped row would leave the
 * puller with a stale member. At the end the puller must hold every member
 * exactly as the database does.
 *
 * A second test shows, step by step on two connections, the row a naive
 * `nextval` loses and that with `stampSeq` a puller stops below it instead
 * (writers never wait for each other). A third holds one transaction open
 * with a low seq while the writers push and commit above it: no pull may
 * pass it, and once it commits the puller receives it. On PGlite (one
 * connection) the bound is simply the newest seq.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db, Query } from '../../src-server/db';
import { ulid } from 'ulid';
import { ingestPush } from '../../src-server/ingest';
import { safeSeq, stampSeq } from '../../src-server/seq';
import { demoUlid } from '../../src-server/seed';
import { entryDoc } from '../support/journal';
import { postgresUrl, pull, startHarness, type Harness } from '../support/server-harness';

const WRITERS = 8;
const MEMBERS = 400;
const PER_PUSH = 5;

/** The same database, with a random pause before and after every statement inside a transaction. */
const jittery = (db: Db): Db => ({
  ...db,
  tx: (fn) =>
    db.tx((q) => {
      const slow: Query = async <T>(sql: string, params?: readonly unknown[]) => {
        await q('SELECT pg_sleep($1)', [Math.random() * 0.01]);
        const rows = await q<T>(sql, params);
        await q('SELECT pg_sleep($1)', [Math.random() * 0.01]);
        return rows;
      };
      return fn(slow);
    }),
});

describe.runIf(postgresUrl())('checkpoints with concurrent writers on PostgreSQL', () => {
  let h: Harness;
  beforeAll(async () => {
    // One till per writer: pushes from different tills share no row lock, as in a real chain.
    h = await startHarness(
      'postgres',
      Array.from({ length: WRITERS }, (_, w) => `LOAD-TILL-${w + 1}`),
    );
    const values = Array.from({ length: MEMBERS }, (_, i) => i);
    await h.db.query(
      `INSERT INTO members (id, card_number, store_id, name, enrolled_at, state, seq)
       SELECT m.id, m.card, 'store-1', 'Load test', now(), '{"balance":0,"lots":[],"tierWindow":{"spendMinor":0,"points":0}}', 0
         FROM unnest($1::text[], $2::text[]) AS m(id, card)`,
      [values.map((i) => demoUlid(10_000 + i)), values.map((i) => `LOAD${i}`)],
    );
  });
  afterAll(async () => h?.close());

  it('a live puller ends holding every row', async () => {
    const db = jittery(h.db);
    const held = new Map<string, { seq: number; balance: number }>();
    let checkpoint = 0;
    let writing = true;
    let pulls = 0;

    const puller = (async () => {
      while (writing) {
        const { body } = await pull(h.url, h.token, 'members', checkpoint, 50);
        pulls++;
        for (const d of body.documents) {
          held.set(d.id, { seq: d.seq, balance: (d.state as { balance: number }).balance });
        }
        checkpoint = body.checkpoint.seq;
        if (body.documents.length === 0) await new Promise((r) => setTimeout(r, 2));
      }
      // Writers are done: one last catch-up from the checkpoint (a skipped row would not come back).
      for (;;) {
        const { body } = await pull(h.url, h.token, 'members', checkpoint, 500);
        if (body.documents.length === 0) break;
        for (const d of body.documents)
          held.set(d.id, { seq: d.seq, balance: (d.state as { balance: number }).balance });
        checkpoint = body.checkpoint.seq;
      }
    })();

    const writers = Array.from({ length: WRITERS }, async (_, w) => {
      const tillId = `till-${w + 1}`;
      const epoch = ulid();
      let tillSeq = 0;
      const mine = Array.from({ length: MEMBERS / WRITERS }, (_, i) => w * (MEMBERS / WRITERS) + i);
      for (let i = 0; i < mine.length; i += PER_PUSH) {
        const docs = mine.slice(i, i + PER_PUSH).map((m) => {
          const memberId = demoUlid(10_000 + m);
          // A sign-up bonus: a grant a till may write outside a sale (the program gives 50).
          return entryDoc({
            tillId,
            tillSeq: ++tillSeq,
            memberId,
            points: 50,
            type: 'bonus',
            naturalId: `signup:${memberId}`,
            ruleId: 'bonus:signup',
          });
        });
        const result = await ingestPush(
          db,
          { tillId, storeId: 'store-1' },
          { epoch, sentAt: new Date().toISOString(), rows: docs.map((d) => ({ newDocumentState: d })) },
          { recheck: true },
        );
        expect(result.parked).toEqual([]);
      }
    });
    await Promise.all(writers);
    writing = false;
    await puller;

    const truth = await h.db.query<{ id: string; seq: string; state: { balance: number } }>(
      "SELECT id, seq, state FROM members WHERE card_number LIKE 'LOAD%'",
    );
    expect(truth).toHaveLength(MEMBERS);
    const stale = truth.filter(
      (r) => held.get(r.id)?.seq !== Number(r.seq) || held.get(r.id)?.balance !== r.state.balance,
    );
    expect(stale).toEqual([]);
    for (const r of truth) expect(r.state.balance).toBe(50);
    expect(pulls).toBeGreaterThan(1);
  });

  it('a naive nextval skips a row that commits late; with stampSeq the puller waits for it instead', async () => {
    const url = postgresUrl()!;
    const a = new pg.Client({ connectionString: url });
    const b = new pg.Client({ connectionString: url });
    await a.connect();
    await b.connect();
    const onA: Query = async <T>(sql: string, params?: readonly unknown[]) =>
      (await a.query(sql, params as unknown[])).rows as T[];
    const onB: Query = async <T>(sql: string, params?: readonly unknown[]) =>
      (await b.query(sql, params as unknown[])).rows as T[];
    try {
      // Naive: each writer draws nextval whenever it likes.
      await h.db.query('CREATE TABLE naive_rows (id text PRIMARY KEY, seq bigint NOT NULL)');
      await h.db.query('CREATE SEQUENCE naive_seq');
      await onA('BEGIN');
      await onA("INSERT INTO naive_rows VALUES ('from-a', nextval('naive_seq'))");
      await onB('BEGIN');
      await onB("INSERT INTO naive_rows VALUES ('from-b', nextval('naive_seq'))");
      await onB('COMMIT');
      const firstPull = await h.db.query<{ id: string; seq: string }>('SELECT id, seq FROM naive_rows ORDER BY seq');
      expect(firstPull.map((r) => r.id)).toEqual(['from-b']);
      const naiveCheckpoint = Number(firstPull.at(-1)!.seq);
      await onA('COMMIT');
      const nextPull = await h.db.query('SELECT id FROM naive_rows WHERE seq > $1', [naiveCheckpoint]);
      expect(nextPull).toEqual([]); // from-a is committed but below the checkpoint: skipped for good.

      // With stampSeq: B stamps above A and commits first, without waiting; pulls stop below A's seq.
      const checkpoint = await safeSeq(h.db.query, 'members');
      const [memberA, memberB] = [demoUlid(10_000), demoUlid(10_001)];
      await onA('BEGIN');
      await stampSeq(onA, 'members', [memberA]);
      await onB('BEGIN');
      await stampSeq(onB, 'members', [memberB]);
      await onB('COMMIT');
      const committed = await h.db.query<{ id: string; seq: string }>(
        'SELECT id, seq FROM members WHERE id = $1 AND seq > $2',
        [memberB, checkpoint],
      );
      expect(committed).toHaveLength(1); // B's row is committed and visible to a plain reader …
      const whileOpen = await pull(h.url, h.token, 'members', checkpoint, 100);
      expect(whileOpen.body.documents).toEqual([]); // … but a puller does not pass A's seq while A is open.
      expect(whileOpen.body.checkpoint.seq).toBe(checkpoint);
      expect(await safeSeq(h.db.query, 'members')).toBe(checkpoint);
      await onA('COMMIT');
      const after = await pull(h.url, h.token, 'members', checkpoint, 100);
      expect(after.body.documents.map((d) => d.id)).toEqual([memberA, memberB]);
      expect(await safeSeq(h.db.query, 'members')).toBe(after.body.checkpoint.seq);
    } finally {
      await a.end();
      await b.end();
    }
  });

  it('a long transaction holding a low seq holds pullers back while others commit above it', async () => {
    const client = new pg.Client({ connectionString: postgresUrl()! });
    await client.connect();
    const onLong: Query = async <T>(sql: string, params?: readonly unknown[]) =>
      (await client.query(sql, params as unknown[])).rows as T[];
    try {
      const start = await safeSeq(h.db.query, 'members');
      const slow = demoUlid(10_002);
      await onLong('BEGIN');
      await onLong("UPDATE members SET name = 'Held open' WHERE id = $1", [slow]);
      await stampSeq(onLong, 'members', [slow]);
      const [held] = await onLong<{ seq: string }>('SELECT seq FROM members WHERE id = $1', [slow]);
      // Real pushes from every till commit above it meanwhile (they do not wait on it).
      const tills = Array.from({ length: WRITERS }, (_, w) => `till-${w + 1}`);
      await Promise.all(
        tills.map(async (tillId, w) => {
          const memberId = demoUlid(10_100 + w);
          const result = await ingestPush(
            h.db,
            { tillId, storeId: 'store-1' },
            {
              epoch: ulid(),
              sentAt: new Date().toISOString(),
              rows: [
                {
                  newDocumentState: entryDoc({
                    tillId,
                    tillSeq: 1,
                    memberId,
                    points: 50,
                    type: 'bonus',
                    naturalId: `signup:${memberId}:long`,
                    ruleId: 'bonus:signup',
                  }),
                },
              ],
            },
            { recheck: false },
          );
          expect(result.ackedTillSeq).toBe(1);
        }),
      );
      const [above] = await h.db.query<{ n: string }>('SELECT count(*) AS n FROM members WHERE seq > $1', [
        Number(held!.seq),
      ]);
      expect(Number(above!.n)).toBe(WRITERS);
      let checkpoint = start;
      for (let i = 0; i < 3; i++) {
        const { body } = await pull(h.url, h.token, 'members', checkpoint, 500);
        for (const d of body.documents) expect(d.seq).toBeLessThan(Number(held!.seq));
        checkpoint = body.checkpoint.seq;
      }
      expect(checkpoint).toBeLessThan(Number(held!.seq));
      await onLong('COMMIT');
      const { body } = await pull(h.url, h.token, 'members', checkpoint, 500);
      expect(body.documents[0]?.id).toBe(slow);
      expect(body.documents).toHaveLength(WRITERS + 1);
    } finally {
      await client.end();
    }
  });
});

describe('safeSeq on PGlite (one connection: nothing else is ever in flight)', () => {
  it('is the newest seq of the table, and a pull reaches it', async () => {
    const h = await startHarness('pglite');
    try {
      const [top] = await h.db.query<{ seq: string }>('SELECT max(seq) AS seq FROM members');
      expect(await safeSeq(h.db.query, 'members')).toBe(Number(top!.seq));
      await h.db.tx((q) => stampSeq(q, 'members', [demoUlid(1)]));
      const [after] = await h.db.query<{ seq: string }>('SELECT max(seq) AS seq FROM members');
      expect(await safeSeq(h.db.query, 'members')).toBe(Number(after!.seq));
      const { body } = await pull(h.url, h.token, 'members', Number(top!.seq), 100);
      expect(body.documents.map((d) => d.id)).toEqual([demoUlid(1)]);
      expect(body.checkpoint.seq).toBe(Number(after!.seq));
    } finally {
      await h.close();
    }
  });
});
