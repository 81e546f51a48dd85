/**
 * The replication endpoints over real HTTP, on PGlite and on a real
 * PostgreSQL server: pull by checkpoint, push, live stream, idempotency, and
 * bad input that changes nothing.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PRODUCT_COUNT, demoUlid } from '../../src-server/seed';
import type { JournalDoc } from '../../shared/documents';
import { entryDoc, row } from '../support/journal';
import { postgresUrl, pull, push, startHarness, type Backend, type Harness } from '../support/server-harness';
import { TestTill } from '../support/test-till';

const backends: Backend[] = postgresUrl() ? ['pglite', 'postgres'] : ['pglite'];
const MEMBER = demoUlid(3); // Chloé Martin, opening balance 274

const counts = async (h: Harness) => {
  const [r] = await h.db.query<{ sales: string; entries: string; seq: string }>(
    `SELECT (SELECT count(*) FROM sales) AS sales, (SELECT count(*) FROM ledger_entries) AS entries, (SELECT max(seq) FROM members) AS seq`,
  );
  return r;
};

describe.each(backends)('replication on %s', (backend) => {
  let h: Harness & { tokens: string[] };
  let a: TestTill;
  let b: TestTill;
  const points = (docs: readonly JournalDoc[]) =>
    docs.reduce((s, d) => s + (d.kind === 'entry' ? d.body.points : 0), 0);
  const balanceOf = async (member: string) =>
    (await h.db.query<{ state: { balance: number } }>('SELECT state FROM members WHERE id = $1', [member]))[0]!.state
      .balance;
  beforeAll(async () => {
    h = await startHarness(backend, ['TEST-TILL-1', 'TEST-TILL-2']);
    a = new TestTill(h.url, h.tokens[0]!, 'till-1');
    b = new TestTill(h.url, h.tokens[1]!, 'till-2');
    await a.sync();
    await b.sync();
  });
  afterAll(async () => h?.close());

  it('enrolment codes are one-time', async () => {
    const res = await fetch(`${h.url}/api/v1/enrol`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"code":"TEST-TILL-1"}',
    });
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ error: { code: 'ENROL_CODE_INVALID' } });
  });

  it('pulls every document by checkpoint, page by page, in seq order', async () => {
    const seen: number[] = [];
    let seq = 0;
    for (;;) {
      const { status, body } = await pull(h.url, h.token, 'products', seq, 7);
      expect(status).toBe(200);
      if (body.documents.length === 0) break;
      seen.push(...body.documents.map((d) => d.seq));
      seq = body.checkpoint.seq;
    }
    expect(seen).toHaveLength(DEMO_PRODUCT_COUNT);
    expect([...seen].sort((a, b) => a - b)).toEqual(seen);
  });

  it('a push is stored once however often it is sent, and moves the balance once', async () => {
    const docs = a.sell(MEMBER, [['p-001', 2]]);
    const first = await a.pushDocs(docs);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({
      conflicts: [],
      accepted: docs.length,
      duplicates: 0,
      ackedTillSeq: docs.length,
    });
    const again = await a.pushDocs(docs);
    expect(again.body).toMatchObject({ accepted: 0, duplicates: docs.length, ackedTillSeq: docs.length });

    const { body } = await pull(h.url, h.token, 'members', 0, 100, a.epoch);
    const member = body.documents.find((d) => d.id === MEMBER) as unknown as {
      state: { balance: number };
      tillMarks: Record<string, number>;
    };
    expect(points(docs)).toBeGreaterThan(0);
    expect(member.state.balance).toBe(274 + points(docs));
    expect(member.tillMarks[a.epoch]).toBe(docs.length);
    const [c] = await h.db.query<{ n: string }>('SELECT count(*) AS n FROM sales WHERE id = $1', [docs[0]!.id]);
    expect(Number(c!.n)).toBe(1);
    a.markPushed();
  });

  it('a malformed push gets 400 PUSH_MALFORMED and writes nothing', async () => {
    const before = await counts(h);
    const good = entryDoc({ tillId: 'till-1', tillSeq: 10, memberId: MEMBER, points: 5 });
    const bad = { ...entryDoc({ tillId: 'till-1', tillSeq: 11, memberId: MEMBER, points: 5 }), body: { points: 1.5 } };
    const res = await push(h.url, h.token, [row(good), { newDocumentState: bad, assumedMasterState: null }]);
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: { code: 'PUSH_MALFORMED' } });
    const garbage = await fetch(`${h.url}/api/v1/replication/journal/push`, {
      method: 'POST',
      headers: { authorization: `Bearer ${h.token}`, 'content-type': 'application/json', 'x-kassa-wire': '1' },
      body: '{"rows": "nope"}',
    });
    expect(garbage.status).toBe(400);
    expect(await counts(h)).toEqual(before);
  });

  it('a wrong or missing token gets 401 and writes nothing', async () => {
    const before = await counts(h);
    const doc = entryDoc({ tillId: 'till-1', tillSeq: 20, memberId: MEMBER, points: 5 });
    const wrong = await push(h.url, 'not-a-token', [row(doc)]);
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toMatchObject({ error: { code: 'AUTH_INVALID' } });
    const missing = await fetch(`${h.url}/api/v1/replication/members/pull?seq=0`);
    expect(missing.status).toBe(401);
    expect(await counts(h)).toEqual(before);
  });

  it("a till cannot write another till's documents (403) nor use an unknown wire version (400)", async () => {
    const before = await counts(h);
    const foreign = entryDoc({ tillId: 'till-2', tillSeq: 1, memberId: MEMBER, points: 5 });
    const res = await push(h.url, h.token, [row(foreign)]);
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ error: { code: 'FORBIDDEN_STORE' } });
    const doc = entryDoc({ tillId: 'till-1', tillSeq: 30, memberId: MEMBER, points: 5 });
    const version = await push(h.url, h.token, [row(doc)], { 'x-kassa-wire': '99' });
    expect(version.status).toBe(400);
    expect(await version.json()).toMatchObject({ error: { code: 'WIRE_VERSION_UNSUPPORTED' } });
    expect(await counts(h)).toEqual(before);
  });

  it('two tills granting the same one-off bonus count it once and flag the second', async () => {
    const member = demoUlid(4);
    const before = await balanceOf(member);
    const naturalId = `signup:${member}`;
    const grant = (t: TestTill) =>
      t.write(
        entryDoc({
          tillId: t.tillId,
          tillSeq: t.nextSeq(),
          memberId: member,
          points: 50,
          type: 'bonus',
          naturalId,
          ruleId: 'bonus:signup',
        }),
      )[0]!;
    grant(a);
    const second = grant(b);
    await a.pushAll();
    await b.pushAll();
    expect(await balanceOf(member)).toBe(before + 50);
    const entries = await h.db.query<{ effective: boolean }>(
      'SELECT effective FROM ledger_entries WHERE natural_id = $1 ORDER BY effective DESC',
      [naturalId],
    );
    expect(entries.map((e) => e.effective)).toEqual([true, false]);
    const flags = await h.db.query('SELECT 1 FROM review_flags WHERE kind = $1 AND ref_id = $2', [
      'natural-id-duplicate',
      second.id,
    ]);
    expect(flags).toHaveLength(1);
  });

  it('offline redemptions that overdraw are kept and flagged for review', async () => {
    const member = demoUlid(5); // opening 548
    await a.sync();
    await b.sync();
    const spent = [a, b].map((t) =>
      t.sell(member, [['p-010']], { offline: true, redeem: { kind: 'reward', rewardId: 'five-off' } }),
    );
    await a.pushAll();
    await b.pushAll();
    expect(await balanceOf(member)).toBe(548 + points(spent[0]!) + points(spent[1]!));
    expect(await balanceOf(member)).toBeLessThan(0);
    const redeems = spent
      .flat()
      .filter((d) => d.kind === 'entry' && d.body.type === 'redeem')
      .map((d) => d.id);
    const kept = await h.db.query('SELECT id FROM ledger_entries WHERE id = ANY($1) AND effective', [redeems]);
    expect(kept).toHaveLength(2);
    const flags = await h.db.query('SELECT 1 FROM review_flags WHERE kind = $1 AND member_id = $2', [
      'negative-balance',
      member,
    ]);
    expect(flags).toHaveLength(1);
  });

  it("applies a till's documents in its own order, whatever order pushes arrive in", async () => {
    const member = demoUlid(7); // opening 822
    await b.sync();
    b.markPushed();
    const acked = (
      await h.db.query<{ acked_till_seq: string }>('SELECT acked_till_seq FROM till_epochs WHERE epoch = $1', [b.epoch])
    )[0]!;
    const first = b.sell(member, [['p-001']]);
    const second = b.sell(member, [['p-002']]);
    const early = await b.pushDocs(second);
    expect(early.body).toMatchObject({ accepted: second.length, ackedTillSeq: Number(acked.acked_till_seq) });
    expect(await balanceOf(member)).toBe(822);
    const late = await b.pushDocs(first);
    expect(late.body).toMatchObject({ accepted: first.length, ackedTillSeq: second.at(-1)!.tillSeq });
    expect(await balanceOf(member)).toBe(822 + points(first) + points(second));
    const [m] = await h.db.query<{ mark: string | number }>(
      'SELECT mark FROM member_marks WHERE member_id = $1 AND epoch = $2 ORDER BY seq DESC LIMIT 1',
      [member, b.epoch],
    );
    expect(Number(m!.mark)).toBe(second.at(-1)!.tillSeq);
    // The early push's documents waited in the inbox, the late one's went in taken: every one is applied.
    const outcomes = await h.db.query<{ outcome: string | null }>(
      'SELECT outcome FROM journal_inbox WHERE id = ANY($1::text[])',
      [[...first, ...second].map((d) => d.id)],
    );
    expect(outcomes.map((o) => o.outcome)).toEqual([...first, ...second].map(() => 'applied'));
  });

  it('a document on a tillSeq another document holds is parked TILL_SEQ_REUSED and changes nothing', async () => {
    const member = demoUlid(8);
    await b.sync();
    b.markPushed();
    const before = await balanceOf(member);
    const taken = b.sell(member, [['p-001']]);
    expect((await b.pushDocs(taken)).body).toMatchObject({ accepted: taken.length, parked: [] });
    const { sales, entries } = (await counts(h))!;
    // The same tillSeq under a new id (a till that lost its counter but kept its epoch).
    const sale = b.sell(member, [['p-003', 4]]).find((d) => d.kind === 'sale')!;
    const reused = { ...sale, id: `${sale.id.slice(0, -1)}Z`, tillSeq: taken[0]!.tillSeq };
    const reply = await b.pushDocs([reused]);
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({
      accepted: 0,
      duplicates: 0,
      parked: [{ id: reused.id, code: 'TILL_SEQ_REUSED' }],
    });
    expect(await balanceOf(member)).toBe(before + points(taken));
    expect(await counts(h)).toMatchObject({ sales, entries });
    const [inbox] = await h.db.query<{ n: string }>('SELECT count(*) AS n FROM journal_inbox WHERE id = $1', [
      reused.id,
    ]);
    expect(Number(inbox!.n)).toBe(0);
  });

  it('the live stream sends a change to the member collection as it happens', async () => {
    const controller = new AbortController();
    const res = await fetch(`${h.url}/api/v1/replication/members/stream?epoch=${a.epoch}`, {
      headers: { authorization: `Bearer ${h.token}` },
      signal: controller.signal,
    });
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    let text = (await reader.read()).value ?? '';
    expect(text).toContain('"RESYNC"');
    const member = demoUlid(6);
    await a.sync();
    a.markPushed();
    const docs = a.sell(member, [['p-003']]);
    await a.pushDocs(docs);
    while (!text.includes(member)) text += (await reader.read()).value ?? '';
    const event = JSON.parse(
      text
        .split('\n')
        .find((l) => l.startsWith('data: {'))!
        .slice(6),
    ) as {
      documents: Array<{ id: string; tillMarks: Record<string, number> }>;
      checkpoint: { seq: number };
    };
    expect(event.documents.map((d) => d.id)).toContain(member);
    expect(event.documents.find((d) => d.id === member)!.tillMarks[a.epoch]).toBe(docs.at(-1)!.tillSeq);
    controller.abort();
  });

  it('a stream asked for checkpoints only sends the new checkpoint, which a pull then reaches', async () => {
    const controller = new AbortController();
    const res = await fetch(`${h.url}/api/v1/replication/members/stream?events=checkpoint`, {
      headers: { authorization: `Bearer ${h.token}` },
      signal: controller.signal,
    });
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    let text = (await reader.read()).value ?? '';
    expect(text).toContain('"RESYNC"');
    // Where a pull stands now: every page up to the last.
    let before = 0;
    for (;;) {
      const page = (await pull(h.url, h.token, 'members', before, 5000)).body;
      before = page.checkpoint.seq;
      if (page.documents.length < 5000) break;
    }
    const member = demoUlid(7);
    await a.sync();
    a.markPushed();
    await a.pushDocs(a.sell(member, [['p-003']]));
    while (!text.includes('"checkpoint"')) text += (await reader.read()).value ?? '';
    controller.abort();
    const event = JSON.parse(
      text
        .split('\n')
        .find((l) => l.startsWith('data: {'))!
        .slice(6),
    ) as { documents: unknown[]; checkpoint: { seq: number } };
    expect(event.documents).toEqual([]);
    expect(event.checkpoint.seq).toBeGreaterThan(before);
    const pulled = (await pull(h.url, h.token, 'members', before, 5000)).body;
    expect(pulled.documents.map((d) => d.id)).toContain(member);
    expect(pulled.checkpoint.seq).toBe(event.checkpoint.seq);
  });

  it('rejects a broken program with the JSON path and keeps the old one', async () => {
    const res = await fetch(`${h.url}/api/v1/admin/programs/supermarket`, {
      method: 'PUT',
      headers: { authorization: 'Bearer test-admin', 'content-type': 'application/json' },
      body: JSON.stringify({
        format: 'kassa-program/1',
        id: 'supermarket',
        version: 2,
        name: 'x',
        currency: 'EUR',
        earn: [{ id: 'a', kind: 'per-currency', points: 1, perMinor: -5 }],
      }),
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { code: string; details: Array<{ path: string }> } };
    expect(body.error.code).toBe('PROGRAM_INVALID');
    expect(body.error.details[0]!.path).toBe('earn[0].perMinor');
    const [p] = await h.db.query<{ data: { version: number } }>(
      "SELECT data FROM refdata WHERE id = 'program:supermarket'",
    );
    expect(p!.data.version).toBe(1);
  });

  it('the admin API answers counts, members, sales and flags, and stores a program with a higher version', async () => {
    const get = async (path: string, token = 'test-admin') => {
      const res = await fetch(`${h.url}${path}`, { headers: { authorization: `Bearer ${token}` } });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> & unknown[] };
    };
    expect((await get('/api/v1/admin/summary', 'wrong')).status).toBe(401);
    const [truth] = await h.db.query<{ sales: string; entries: string; points: string }>(
      `SELECT (SELECT count(*) FROM sales) AS sales, (SELECT count(*) FROM ledger_entries) AS entries,
              (SELECT sum(points) FROM ledger_entries WHERE effective) AS points`,
    );
    const summary = await get('/api/v1/admin/summary');
    expect(summary.body).toMatchObject({
      sales: Number(truth!.sales),
      distinctSales: Number(truth!.sales),
      ledgerEntries: Number(truth!.entries),
      pointsTotal: Number(truth!.points),
    });
    expect(Object.values(summary.body.salesPerTill as Record<string, number>).reduce((x, y) => x + y, 0)).toBe(
      Number(truth!.sales),
    );
    const member = await get(`/api/v1/admin/members/${demoUlid(5)}`);
    const m = member.body as unknown as { member: { state: { balance: number } }; entries: Array<{ points: number }> };
    expect(m.member.state.balance).toBe(m.entries.reduce((x, e) => x + e.points, 0));
    expect((await get('/api/v1/admin/members/nobody')).status).toBe(404);
    const sales = await get('/api/v1/admin/sales?tillId=till-1&limit=5');
    expect(sales.body.every((r) => (r as { till_id: string }).till_id === 'till-1')).toBe(true);
    const flags = await get('/api/v1/admin/review-flags');
    expect((flags.body as Array<{ kind: string }>).map((f) => f.kind)).toEqual(
      expect.arrayContaining(['natural-id-duplicate', 'negative-balance']),
    );

    const program = JSON.parse(readFileSync(new URL('../../examples/supermarket.json', import.meta.url), 'utf8')) as {
      version: number;
      name: string;
    };
    const [before] = await h.db.query<{ seq: string }>("SELECT seq FROM refdata WHERE id = 'program:supermarket'");
    const put = await fetch(`${h.url}/api/v1/admin/programs/supermarket`, {
      method: 'PUT',
      headers: { authorization: 'Bearer test-admin', 'content-type': 'application/json' },
      body: JSON.stringify({ ...program, name: 'Renamed' }),
    });
    expect(put.status).toBe(200);
    expect(await put.json()).toMatchObject({ ok: true, version: program.version + 1 });
    const { body } = await pull(h.url, h.token, 'refdata', Number(before!.seq), 100);
    const doc = body.documents.find((d) => d.id === 'program:supermarket') as unknown as {
      data: { name: string; version: number };
    };
    expect(doc.data).toMatchObject({ name: 'Renamed', version: program.version + 1 });
    const audit = await h.db.query<{ action: string }>("SELECT action FROM audit_log WHERE target = 'supermarket'");
    expect(audit.map((a) => a.action)).toEqual(['program.put']);
  });
});
