/**
 * Personal data over real HTTP, on PGlite and PostgreSQL: what a till pulls
 * about members (no phone, e-mail or birth date; a keyed phone hash the till
 * can look typed numbers up by), the export of everything the server holds
 * about a member, erasure (personal fields gone, ledger and sums unchanged,
 * the erased document reaching a real till on its live stream and a till
 * that pulls later), who may do either, and the rotation of the phone key.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storeConfigSchema, type StoreConfig } from '../../shared/documents';
import { memberPhoneHash } from '../../shared/phone';
import { createTillDatabase, type TillDatabase } from '../../src-renderer/src/db/database';
import { lookupMember } from '../../src-renderer/src/db/members';
import { startReplication, type Replication } from '../../src-renderer/src/db/replication';
import { preparePhoneLookup } from '../../src-server/privacy/phone-keys';
import { demoCardNumber, demoPhone, demoUlid } from '../../src-server/seed';
import { nodeTillStorage } from '../support/node-storage';
import { memberWhen, membersReady, startTillMembers } from '../support/till-members';
import { callApi, postgresUrl, pull, startHarness, type Backend, type Harness } from '../support/server-harness';
import { TestTill } from '../support/test-till';

const backends: Backend[] = postgresUrl() ? ['pglite', 'postgres'] : ['pglite'];

/** Demo member 5 (Eva Visser) is exported and erased; member 3 (Chloé Martin) is found by phone. */
const ERASED = demoUlid(5);
const FOUND = demoUlid(3);

async function pullAll(h: Harness, collection: string) {
  const docs: Array<Record<string, unknown> & { id: string; seq: number }> = [];
  for (let seq = 0; ;) {
    const { body } = await pull(h.url, h.token, collection, seq, 1000);
    if (body.documents.length === 0) return docs;
    docs.push(...body.documents);
    seq = body.checkpoint.seq;
  }
}

describe.each(backends)('personal data on %s', (backend) => {
  let h: Harness & { tokens: string[] };
  const auth: Record<'admin' | 'manager' | 'auditor', string> = { admin: '', manager: '', auditor: '' };

  const memberRow = async (id: string) =>
    (
      await h.db.query<{
        name: string;
        card_number: string;
        phone: string;
        email: string;
        phone_hash: string;
        state: { balance: number; birthday: string | null; segments: string[] };
        seq: string;
        erased_at: unknown;
      }>('SELECT name, card_number, phone, email, phone_hash, state, seq, erased_at FROM members WHERE id = $1', [id])
    )[0]!;
  const ledgerOf = async (id: string) =>
    (
      await h.db.query<{ n: string; points: string | null }>(
        'SELECT count(*) AS n, sum(points) FILTER (WHERE effective) AS points FROM ledger_entries WHERE member_id = $1',
        [id],
      )
    )[0]!;
  const storeDoc = async (): Promise<StoreConfig> => {
    const store = (await pullAll(h, 'refdata')).find((d) => d.id === 'store:store-1')!;
    return storeConfigSchema.parse(store.data);
  };

  beforeAll(async () => {
    h = await startHarness(backend, ['TEST-TILL-1', 'TEST-TILL-2', 'TEST-TILL-3']);
    for (const role of ['auditor', 'manager', 'admin'] as const) {
      const r = await callApi(h.url, 'POST', '/api/v1/admin/users', 'Bearer test-admin', {
        id: `${role}-1`,
        name: `The ${role}`,
        role,
      });
      expect(r.status).toBe(201);
      auth[role] = `Bearer ${String(r.body.credential)}`;
    }
  });
  afterAll(async () => h?.close());

  it('tills pull members without phone, e-mail or birth date, with a keyed phone hash', async () => {
    const members = await pullAll(h, 'members');
    expect(members).toHaveLength(20);
    const store = await storeDoc();
    expect(store.country).toBe('NL');
    expect(store.phoneKeys).toHaveLength(1);
    const key = store.phoneKeys[0]!;
    for (const m of members) {
      expect(Object.keys(m).sort()).toEqual(
        [
          '_deleted',
          'cardNumber',
          'enrolledAt',
          'id',
          'name',
          'phoneHash',
          'seq',
          'state',
          'storeId',
          'tillMarks',
        ].sort(),
      );
      const text = JSON.stringify(m);
      expect(text).not.toContain('@example.com');
      expect(text).not.toContain('+316');
      // The only birthday a till may hold is the month and day the birthday bonus needs.
      expect((m.state as { birthday: unknown }).birthday ?? null).toBeNull();
      const server = await memberRow(m.id);
      expect(server.phone).not.toBe('');
      expect(m.phoneHash).toMatch(/^[0-9a-f]{64}$/);
      expect(m.phoneHash).toBe(memberPhoneHash(server.phone, 'NL', key.secret));
    }
    // The key reaches enrolled tills only: the pull needs a till token.
    const anonymous = await fetch(`${h.url}/api/v1/replication/refdata/pull?seq=0`);
    expect(anonymous.status).toBe(401);
  });

  it('a till finds a member by the phone number typed in national or international form', async () => {
    const till = new TestTill(h.url, h.tokens[0]!, 'till-1');
    await till.sync();
    expect(demoPhone(3)).toBe('+31610000002');
    for (const typed of ['06 1000 0002', '0610000002', '+31 6 10000002', '0031610000002']) {
      expect(
        till.findByPhone(typed).map((m) => m.id),
        typed,
      ).toEqual([FOUND]);
    }
    expect(till.findByPhone('06 9999 9999')).toEqual([]);
  });

  it('exports everything the server holds about a member, to managers and admins only', async () => {
    // A sale first, so the member has more than the opening entry.
    const till = new TestTill(h.url, h.tokens[0]!, 'till-1');
    await till.sync();
    till.sell(ERASED, [['p-011', 2]]);
    await till.pushAll();

    expect((await callApi(h.url, 'GET', `/api/v1/admin/members/${ERASED}/export`, auth.auditor)).body.error?.code).toBe(
      'FORBIDDEN_ROLE',
    );
    const r = await callApi(h.url, 'GET', `/api/v1/admin/members/${ERASED}/export`, auth.manager);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-disposition')).toBe(`attachment; filename="member-${ERASED}.json"`);
    const e = r.body as {
      format: string;
      member: Record<string, unknown>;
      state: { balance: number };
      ledgerEntries: Array<{ type: string; points: number; effective: boolean }>;
      sales: Array<{ id: string; totalMinor: number; lines: unknown[] }>;
      household: { accountId: string; memberIds: string[] };
    };
    expect(e.format).toBe('kassa-member-export/1');
    expect(e.member).toMatchObject({
      id: ERASED,
      cardNumber: demoCardNumber(5),
      name: 'Eva Visser',
      phone: demoPhone(5),
      email: 'member-5@example.com',
      storeId: 'store-1',
      erasedAt: null,
    });
    expect(e.ledgerEntries.map((x) => x.type)).toEqual(['adjust', 'earn']);
    expect(e.state.balance).toBe(e.ledgerEntries.filter((x) => x.effective).reduce((s, x) => s + x.points, 0));
    expect(e.sales).toHaveLength(1);
    expect(e.sales[0]!.lines).toHaveLength(1);
    expect(e.household).toEqual({ accountId: ERASED, memberIds: [ERASED] });
    const audited = await h.db.query<{ actor: string }>(
      "SELECT actor FROM audit_log WHERE action = 'member.export' AND target = $1",
      [ERASED],
    );
    expect(audited.map((a) => a.actor)).toEqual(['manager-1']);
  });

  it('answers a malformed id with 400 and an unknown one with 404, in the one error shape', async () => {
    for (const [method, path] of [
      ['GET', 'export'],
      ['POST', 'erase'],
    ] as const) {
      const bad = await callApi(h.url, method, `/api/v1/admin/members/not-a-ulid/${path}`, auth.admin);
      expect(bad.status).toBe(400);
      expect(bad.body).toEqual({ error: { code: 'BAD_REQUEST', message: expect.stringContaining('id') } });
      const unknown = await callApi(h.url, method, `/api/v1/admin/members/${demoUlid(999)}/${path}`, auth.admin);
      expect(unknown.status).toBe(404);
      expect(unknown.body).toEqual({ error: { code: 'NOT_FOUND', message: `No member ${demoUlid(999)}` } });
    }
  });

  it('erases a member: personal data gone, ledger and sums unchanged, every till gets the erased document', async () => {
    // A birthday (month-day, as the engine keeps it) and a segment, in the member and its kept versions.
    await h.db.query(
      `UPDATE members SET state = state || '{"birthday": "11-24", "segments": ["students"]}'::jsonb WHERE id = $1`,
      [ERASED],
    );
    await h.db.query(
      `UPDATE member_versions SET state = state || '{"birthday": "11-24", "segments": ["students"]}'::jsonb
        WHERE member_id = $1`,
      [ERASED],
    );
    // A real till (RxDB on IndexedDB) on its live stream.
    const db: TillDatabase = await createTillDatabase({
      name: `privacy-${backend}-${Date.now()}`,
      storage: nodeTillStorage(),
    });
    const replication: Replication = await startReplication(db, {
      serverUrl: h.url,
      token: h.tokens[1]!,
      tillId: 'till-2',
      retryMs: 200,
    });
    const members = await startTillMembers(db, { serverUrl: h.url, token: h.tokens[1]! });
    try {
      await replication.awaitInitial();
      await membersReady(members);
      const store = await storeDoc();
      expect((await lookupMember(members.store, demoCardNumber(5), store)).kind).toBe('found');
      expect((await lookupMember(members.store, '06 1000 0004', store)).kind).toBe('found');

      const before = { member: await memberRow(ERASED), ledger: await ledgerOf(ERASED) };
      const summary = async () => (await callApi(h.url, 'GET', '/api/v1/admin/summary', auth.auditor)).body;
      const summaryBefore = await summary();

      // Only an admin may erase; a refusal changes nothing.
      for (const role of ['auditor', 'manager'] as const) {
        const refused = await callApi(h.url, 'POST', `/api/v1/admin/members/${ERASED}/erase`, auth[role], {});
        expect(refused.status).toBe(403);
        expect(refused.body.error?.code).toBe('FORBIDDEN_ROLE');
      }
      expect(await memberRow(ERASED)).toEqual(before.member);

      const erased = await callApi(h.url, 'POST', `/api/v1/admin/members/${ERASED}/erase`, auth.admin, {
        note: 'request 2026-17',
      });
      expect(erased.status).toBe(200);
      expect(erased.body).toMatchObject({ ok: true, id: ERASED, changed: true, erasedAt: expect.any(String) });

      // Server side: personal fields removed, the card retired, the state's birthday and segments gone everywhere.
      const after = await memberRow(ERASED);
      expect(after).toMatchObject({
        name: 'Erased member',
        card_number: `~${ERASED}`,
        phone: '',
        email: '',
        phone_hash: '',
      });
      expect(after.state.birthday).toBeNull();
      expect(after.state.segments).toEqual([]);
      expect(Number(after.seq)).toBeGreaterThan(Number(before.member.seq));
      const versions = await h.db.query<{ state: { birthday: unknown; segments: unknown[] } }>(
        'SELECT state FROM member_versions WHERE member_id = $1',
        [ERASED],
      );
      expect(versions.length).toBeGreaterThan(1);
      for (const v of versions) {
        expect(v.state.birthday).toBeNull();
        expect(v.state.segments).toEqual([]);
      }

      // The ledger is kept as it was, under the member's id: balance, entries and every sum the same.
      expect(after.state.balance).toBe(before.member.state.balance);
      expect(await ledgerOf(ERASED)).toEqual(before.ledger);
      expect(Number(before.ledger.points)).toBe(after.state.balance);
      expect(await summary()).toEqual(summaryBefore);

      // The till on its live stream has the erased document; the old card and the phone find nobody.
      const onTill = await memberWhen(members, ERASED, (m) => m?.name === 'Erased member', 15_000);
      expect(onTill).toMatchObject({ cardNumber: `~${ERASED}`, phoneHash: '' });
      expect(onTill!.state.balance).toBe(before.member.state.balance);
      expect(await lookupMember(members.store, demoCardNumber(5), store)).toEqual({
        kind: 'not-found',
        asPhone: false,
      });
      expect(await lookupMember(members.store, '06 1000 0004', store)).toEqual({ kind: 'not-found', asPhone: true });

      // A till that pulls afterwards gets the same.
      const later = new TestTill(h.url, h.tokens[2]!, 'till-3');
      await later.sync();
      expect(later.members.get(ERASED)).toMatchObject({ name: 'Erased member', cardNumber: `~${ERASED}` });
      expect(later.findByPhone(demoPhone(5))).toEqual([]);

      // Erasing again changes nothing and says so.
      const again = await callApi(h.url, 'POST', `/api/v1/admin/members/${ERASED}/erase`, auth.admin);
      expect(again.body).toEqual({ ok: true, id: ERASED, changed: false, erasedAt: erased.body.erasedAt });
      expect((await memberRow(ERASED)).seq).toBe(after.seq);
      const audits = await h.db.query<{ actor: string; detail: Record<string, unknown> }>(
        "SELECT actor, detail FROM audit_log WHERE action = 'member.erase' AND target = $1",
        [ERASED],
      );
      expect(audits).toEqual([{ actor: 'admin-1', detail: { note: 'request 2026-17' } }]);

      // The export now holds no personal data either.
      const exported = await callApi(h.url, 'GET', `/api/v1/admin/members/${ERASED}/export`, auth.admin);
      expect(exported.body.member).toMatchObject({
        name: 'Erased member',
        phone: '',
        email: '',
        cardNumber: `~${ERASED}`,
        erasedAt: erased.body.erasedAt,
      });
      expect(JSON.stringify(exported.body)).not.toMatch(/Eva Visser|member-5@example\.com|\+31610000004|11-24/);
      expect((exported.body.ledgerEntries as unknown[]).length).toBe(Number(before.ledger.n));

      // A sale the till made for the member before it heard of the erasure is still taken.
      const offline = new TestTill(h.url, h.tokens[0]!, 'till-1');
      await offline.sync();
      offline.sell(ERASED, [['p-001', 1]]);
      const [reply] = await offline.pushAll();
      expect(reply!.parked).toEqual([]);
    } finally {
      await replication.stop();
      await members.stop();
      await db.close();
    }
  });

  it('rotating the phone key re-hashes every phone; tills find members again with the new key', async () => {
    const oldKey = (await storeDoc()).phoneKeys[0]!;
    const before = new Map((await pullAll(h, 'members')).map((m) => [m.id, m]));
    expect((await callApi(h.url, 'POST', '/api/v1/admin/phone-key/rotate', auth.manager, {})).status).toBe(403);

    const r = await callApi(h.url, 'POST', '/api/v1/admin/phone-key/rotate', auth.admin, {});
    expect(r.status).toBe(200);
    // 19 members with a phone (the erased one has none), one store.
    expect(r.body).toMatchObject({ ok: true, previousKeyId: oldKey.id, rehashedMembers: 19, stores: 1 });

    const store = await storeDoc();
    expect(store.phoneKeys.map((k) => k.id)).toEqual([r.body.keyId, oldKey.id]);
    const after = await pullAll(h, 'members');
    for (const m of after) {
      const was = before.get(m.id)!;
      if (m.id === ERASED) {
        expect(m.phoneHash).toBe('');
        continue;
      }
      expect(m.phoneHash).not.toBe(was.phoneHash);
      expect(m.seq).toBeGreaterThan(was.seq);
      expect(m.phoneHash).toBe(memberPhoneHash((await memberRow(m.id)).phone, 'NL', store.phoneKeys[0]!.secret));
    }
    const till = new TestTill(h.url, h.tokens[0]!, 'till-1');
    await till.sync();
    expect(till.findByPhone('06 1000 0002').map((m) => m.id)).toEqual([FOUND]);
    const audited = await h.db.query<{ actor: string; target: string }>(
      "SELECT actor, target FROM audit_log WHERE action = 'phone-key.rotate'",
    );
    expect(audited).toEqual([{ actor: 'admin-1', target: r.body.keyId }]);
  });

  it('a server start hashes members left without a hash (an upgrade) and re-publishes them', async () => {
    await h.db.query("UPDATE members SET phone_hash = '', phone_key_id = NULL WHERE id = $1", [FOUND]);
    const seq = Number((await memberRow(FOUND)).seq);
    const prepared = await preparePhoneLookup(h.db);
    expect(prepared.rehashed).toBe(1);
    expect(prepared.stores).toBe(0);
    const row = await memberRow(FOUND);
    expect(row.phone_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(Number(row.seq)).toBeGreaterThan(seq);
    // Nothing left to do: a second start changes nothing.
    expect(await preparePhoneLookup(h.db)).toMatchObject({ rehashed: 0, stores: 0 });
  });
});
