/**
 * Members' till marks in their own table (`member_marks`, migration 021), on PGlite and a real PostgreSQL:
 * the member row and its versions hold none, each till database receives exactly its own mark, a sale
 * quoted on an older member version is re-checked against the mark that version had, and the migration
 * moves the marks a database already held.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memberSchema, type SaleDoc } from '../../shared/documents';
import { memberStateSchema, type MemberState } from '../../shared/engine/member-state';
import { validStampBuckets } from '../../shared/ledger';
import { snapshotRoutes, type MemberRecord } from '../../shared/member-snapshot';
import { routes, WIRE_HEADER, WIRE_VERSION } from '../../shared/replication';
import { buildServer } from '../../src-server/app';
import { migrate } from '../../src-server/migrate';
import { demoUlid } from '../../src-server/seed';
import {
  callApi,
  openTestDb,
  postgresUrl,
  pull,
  startHarness,
  useStampAndOfferProgram,
  type Backend,
  type Harness,
  startFaultyServer,
} from '../support/server-harness';
import { TestTill } from '../support/test-till';

const backends: Backend[] = postgresUrl() ? ['pglite', 'postgres'] : ['pglite'];
const TILLS = 5;
const MILK = 'p-001';
const COFFEE = 'p-011'; // Ground coffee 500 g, in the coffee stamp card's category

async function serverState(h: Harness, memberId: string): Promise<MemberState> {
  const [r] = await h.db.query<{ state: unknown }>('SELECT state FROM members WHERE id = $1', [memberId]);
  return memberStateSchema.parse(r!.state);
}

/** The member's rows in `member_marks`, in seq order. */
async function markRows(h: Harness, memberId: string): Promise<Array<{ epoch: string; seq: number; mark: number }>> {
  const rows = await h.db.query<{ epoch: string; seq: string | number; mark: string | number }>(
    'SELECT epoch, seq, mark FROM member_marks WHERE member_id = $1 ORDER BY seq, epoch',
    [memberId],
  );
  return rows.map((r) => ({ epoch: r.epoch, seq: Number(r.seq), mark: Number(r.mark) }));
}

/** Till database `epoch`'s mark on the member at its version `seq` (null: now), as the server reads it. */
async function markAt(h: Harness, memberId: string, epoch: string, seq: number | null): Promise<number> {
  const rows = await markRows(h, memberId);
  return rows.filter((r) => r.epoch === epoch && (seq === null || r.seq <= seq)).at(-1)?.mark ?? 0;
}

/** A till's newest tillSeq: the mark the server gives its database once everything it sold is taken. */
function lastSeq(t: TestTill): number {
  return t.journal.at(-1)!.tillSeq;
}

function coffeeStamps(state: MemberState): number {
  const today = new Date().toISOString().slice(0, 10);
  return validStampBuckets(state.stamps['coffee-card'], today, null).reduce((s, [, n]) => s + n, 0);
}

describe.each(backends)('member marks on %s', (backend) => {
  let h: Harness & { tokens: string[] };
  let tills: TestTill[];

  beforeAll(async () => {
    h = await startHarness(
      backend,
      Array.from({ length: TILLS }, (_, i) => `MARKS-TILL-${i + 1}`),
    );
    // Every 5th coffee free: a sale's price depends on the stamps the till's view counts.
    await useStampAndOfferProgram(h, 5);
    tills = h.tokens.map((token, i) => new TestTill(h.url, token, `till-${i + 1}`));
    for (const t of tills) await t.sync();
  });
  afterAll(async () => h?.close());

  it('the member row and its versions hold no marks; after sales from 5 tills each pulls exactly its own mark', async () => {
    const m = demoUlid(4);
    for (const [i, t] of tills.entries()) {
      await t.sync();
      for (let k = 0; k <= i; k++) t.sell(m, [[MILK, k + 1]]);
      await t.pushAll();
    }
    const columns = await h.db.query<{ table_name: string; column_name: string }>(
      `SELECT table_name, column_name FROM information_schema.columns
        WHERE table_name IN ('members', 'member_versions') AND column_name LIKE '%mark%'`,
    );
    expect(columns).toEqual([]);
    const [row] = await h.db.query<Record<string, unknown>>('SELECT * FROM members WHERE id = $1', [m]);
    expect(JSON.stringify(row)).not.toMatch(/mark/i);
    const versions = await h.db.query<{ seq: string | number }>(
      'SELECT seq FROM member_versions WHERE member_id = $1 ORDER BY seq',
      [m],
    );
    for (const v of await h.db.query<Record<string, unknown>>('SELECT * FROM member_versions WHERE member_id = $1', [
      m,
    ]))
      expect(Object.keys(v).sort()).toEqual(['member_id', 'seq', 'state']);

    // One push per till, one member write each: one mark row each, for the pushing till's database only, at the
    // version that write made.
    const rows = await markRows(h, m);
    expect(rows.map((r) => r.epoch)).toEqual(tills.map((t) => t.epoch));
    expect(rows.map((r) => r.mark)).toEqual(tills.map((t) => lastSeq(t)));
    const versionSeqs = new Set(versions.map((v) => Number(v.seq)));
    for (const r of rows) expect(versionSeqs.has(r.seq)).toBe(true);

    for (const t of tills) {
      const { body } = await pull(h.url, t.token, 'members', 0, 500, t.epoch);
      const doc = memberSchema.parse(body.documents.find((d) => d.id === m));
      expect(doc.tillMarks).toEqual({ [t.epoch]: lastSeq(t) });
      // The online lookup (a till whose snapshot is not complete) reads the same mark.
      const lookup = await callApi(
        h.url,
        'GET',
        `${snapshotRoutes.lookup}?id=${m}&epoch=${t.epoch}`,
        `Bearer ${t.token}`,
      );
      const record = JSON.parse((lookup.body as { members: string[] }).members[0]!) as MemberRecord;
      expect(record.tillMark).toBe(lastSeq(t));
      // And what the till shows is what the server holds.
      await t.pull();
      expect(t.view(m).state).toEqual(await serverState(h, m));
    }
    // A pull that names no till database gets no mark; head office sees every database's.
    const { body } = await pull(h.url, h.token, 'members', 0, 500);
    expect(memberSchema.parse(body.documents.find((d) => d.id === m)).tillMarks).toEqual({});
    const admin = await callApi(h.url, 'GET', `/api/v1/admin/members/${m}`, 'Bearer test-admin');
    expect((admin.body as { member: { tillMarks: unknown } }).member.tillMarks).toEqual(
      Object.fromEntries(tills.map((t) => [t.epoch, lastSeq(t)])),
    );
  });

  it('a sale quoted on an older member version is re-checked against the mark that version had', async () => {
    const m = demoUlid(6);
    const [a, b] = tills as [TestTill, TestTill];
    await a.sync();
    await b.sync();
    expect(coffeeStamps(a.view(m).state)).toBe(0);
    a.sell(m, [[COFFEE, 2]]);
    await a.pushAll();
    const firstMark = lastSeq(a);
    // Till B sells too: a new member version that moves only B's mark.
    b.sell(m, [[COFFEE]]);
    await b.pushAll();
    await a.pull();
    const quoted = a.members.get(m)!;
    expect(quoted.tillMarks).toEqual({ [a.epoch]: firstMark });
    expect(await markAt(h, m, a.epoch, quoted.seq)).toBe(firstMark);
    expect((await markRows(h, m)).filter((r) => r.seq === quoted.seq).map((r) => r.epoch)).toEqual([b.epoch]);

    // A sells again and pushes, but does not pull: its next sale is quoted on the version it holds, and its
    // view counts the sale above that version's mark (4 stamps: this coffee is the free one). This sale goes
    // through a server node that does not re-check, so no view of that version is carried forward in this
    // process (views.ts): the next sale's view is rebuilt from the version and its mark.
    const other = await buildServer({ db: h.db, adminToken: null, recheck: false });
    await other.listen({ port: 0, host: '127.0.0.1' });
    try {
      const address = other.server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      const body = {
        epoch: a.epoch,
        sentAt: new Date().toISOString(),
        rows: a.sell(m, [[COFFEE]]).map((d) => ({ newDocumentState: d, assumedMasterState: null })),
      };
      const res = await fetch(`http://127.0.0.1:${port}${routes.push}`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${a.token}`,
          'content-type': 'application/json',
          [WIRE_HEADER]: String(WIRE_VERSION),
        },
        body: JSON.stringify(body),
      });
      expect(res.status).toBe(200);
      a.markPushed();
    } finally {
      await other.close();
    }
    expect(await markAt(h, m, a.epoch, null)).toBe(lastSeq(a));
    expect(coffeeStamps(a.view(m).state)).toBe(4);
    const docs = a.sell(m, [[COFFEE]]);
    const sale = docs.find((d): d is SaleDoc => d.kind === 'sale')!;
    expect(sale.body.memberSeq).toBe(quoted.seq);
    expect(sale.body.totalMinor).toBe(0);
    const [reply] = await a.pushAll();
    expect(reply!.parked).toEqual([]);
    const [stored] = await h.db.query<{ check_status: string }>('SELECT check_status FROM sales WHERE id = $1', [
      sale.id,
    ]);
    expect(stored!.check_status).toBe('verified');
    const flagged = await h.db.query('SELECT kind FROM review_flags WHERE ref_id = $1', [sale.id]);
    expect(flagged).toEqual([]);
    await a.pull();
    expect(a.view(m).state).toEqual(await serverState(h, m));
    expect(coffeeStamps(await serverState(h, m))).toBe(0);
  });

  it('documents parked whole move their member past them with one mark row', async () => {
    // A server whose database refuses the member write once: the push is parked whole (ingest/index.ts).
    const server = await startFaultyServer(h.db, 'UPDATE members SET state');
    try {
      const url = server.url;
      const t = new TestTill(url, h.tokens[2]!, 'till-3');
      await t.sync();
      const m = demoUlid(8);
      const before = await markRows(h, m);
      const docs = t.sell(m, [[MILK]]);
      const reply = await t.pushDocs(docs);
      expect((reply.body as { parked: Array<{ code: string }> }).parked.map((p) => p.code)).toEqual(
        docs.map(() => 'APPLY_FAILED'),
      );
      const after = await markRows(h, m);
      expect(after.slice(0, before.length)).toEqual(before);
      expect(after.slice(before.length).map((r) => [r.epoch, r.mark])).toEqual([[t.epoch, docs.at(-1)!.tillSeq]]);
      // The till stops counting them: its view after pulling is the server's member.
      await t.pull();
      expect(t.members.get(m)!.tillMarks).toEqual({ [t.epoch]: docs.at(-1)!.tillSeq });
      expect(t.view(m).state).toEqual(await serverState(h, m));
    } finally {
      await server.close();
    }
  });
});

describe.each(backends)('migration 021 on %s', (backend) => {
  it('moves the marks of members and their versions into member_marks, keeping each change once', async () => {
    const db = await openTestDb(backend);
    try {
      await migrate(db, { through: '020' });
      await db.query(
        `INSERT INTO stores (id, name, currency, time_zone, program_id) VALUES ('s', 'S', 'EUR', 'UTC', 'p')`,
      );
      const member = (id: string, seq: number, marks: Record<string, number>) =>
        db.query(
          `INSERT INTO members (id, card_number, store_id, name, enrolled_at, state, till_marks, seq)
           VALUES ($1, $1, 's', $1, now(), '{}', $2, $3)`,
          [id, JSON.stringify(marks), seq],
        );
      const version = (id: string, seq: number, marks: Record<string, number>) =>
        db.query(`INSERT INTO member_versions (member_id, seq, state, till_marks) VALUES ($1, $2, '{}', $3)`, [
          id,
          seq,
          JSON.stringify(marks),
        ]);
      // M1: E1 sold at 10 and 30, E2 at 20; a version at 40 changed no mark (an adjustment).
      await version('M1', 5, {});
      await version('M1', 10, { E1: 3 });
      await version('M1', 20, { E1: 3, E2: 7 });
      await version('M1', 30, { E1: 9, E2: 7 });
      await version('M1', 40, { E1: 9, E2: 7 });
      await member('M1', 40, { E1: 9, E2: 7 });
      // M2: its row moved past a version (marks written without a version of their own), M3 has none.
      await version('M2', 11, { E3: 1 });
      await member('M2', 12, { E3: 4 });
      await member('M3', 13, {});
      // 021 first, then whatever came after it.
      expect((await migrate(db))[0]).toBe('021-member-marks.sql');

      const rows = await db.query<{ member_id: string; epoch: string; seq: string | number; mark: string | number }>(
        'SELECT member_id, epoch, seq, mark FROM member_marks ORDER BY member_id, epoch, seq',
      );
      expect(rows.map((r) => [r.member_id, r.epoch, Number(r.seq), Number(r.mark)])).toEqual([
        ['M1', 'E1', 10, 3],
        ['M1', 'E1', 30, 9],
        ['M1', 'E2', 20, 7],
        ['M2', 'E3', 11, 1],
        ['M2', 'E3', 12, 4],
      ]);
      // The mark at a version is the row with the greatest seq at or below it.
      const at = async (id: string, epoch: string, seq: number) =>
        Number(
          (
            await db.query<{ mark: string | number | null }>(
              `SELECT mark FROM member_marks WHERE member_id = $1 AND epoch = $2 AND seq <= $3 ORDER BY seq DESC LIMIT 1`,
              [id, epoch, seq],
            )
          )[0]?.mark ?? 0,
        );
      expect([await at('M1', 'E1', 5), await at('M1', 'E1', 20), await at('M1', 'E1', 40)]).toEqual([0, 3, 9]);
      expect(await at('M1', 'E2', 10)).toBe(0);
      // Compared with members.id, a member_id of another collation could not use the index: every read would scan.
      const collations = await db.query<{ collation_name: string | null }>(
        `SELECT collation_name FROM information_schema.columns
          WHERE (table_name, column_name) IN (('members', 'id'), ('member_marks', 'member_id'))`,
      );
      expect(collations.map((c) => c.collation_name)).toEqual(['C', 'C']);
      const left = await db.query(
        `SELECT table_name FROM information_schema.columns
          WHERE column_name = 'till_marks' AND table_name IN ('members', 'member_versions')`,
      );
      expect(left).toEqual([]);
    } finally {
      await db.close();
    }
  });
});
