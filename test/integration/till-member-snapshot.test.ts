/**
 * A chain's members on a till: the member snapshot endpoints of the real
 * server (real HTTP, PGlite and PostgreSQL) and the till's real member sync
 * and member store (Dexie on fake-indexeddb), with 20,000 members.
 *
 * - Bootstrap: every member of the server is on the till exactly once, each
 *   found by card and id; progress reports counts, total, rate, time left.
 * - A sync stopped mid-bootstrap resumes at the page after the last stored
 *   one, never from the start.
 * - Members changed, added and erased during the bootstrap end up as the
 *   server has them; a till away for a while catches up by pull, without a
 *   second bootstrap — also a till a week (50,000 changes) behind, from its
 *   own checkpoint, with cards moved, phones changed, members erased and
 *   enrolled meanwhile.
 * - A damaged page is refused and fetched again; a snapshot the server no
 *   longer has starts over; every bad request gets its code.
 * - Member documents carry only the asking till database's watermark.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import {
  memberRecord,
  parseKeysPage,
  parseMemberRecord,
  parseRowsPage,
  snapshotRoutes,
  splitSnapshotPage,
  type MemberRecord,
} from '../../shared/member-snapshot';
import { memberSchema } from '../../shared/documents';
import { createTillDatabase, type TillDatabase } from '../../src-renderer/src/db/database';
import type { MemberSyncStatus } from '../../src-renderer/src/db/member-sync';
import { searchMembersByName } from '../../src-renderer/src/db/members';
import { tillEpoch } from '../../src-renderer/src/db/sales';
import { memberDocColumns, memberFromRow, type MemberRow } from '../../src-server/rows';
import { safeSeq, stampSeq } from '../../src-server/seq';
import { chainCardNumber, chainMember, chainMemberId, chainName } from '../../shared/demo-chain';
import { seedChain } from '../../src-server/seed-chain';
import { nodeTillStorage } from '../support/node-storage';
import { callApi, postgresUrl, startHarness, type Backend, type Harness } from '../support/server-harness';
import { memberStoreName, openMemberStore } from '../../src-renderer/src/db/member-store';
import { membersReady, nodeIndexedDb, startTillMembers, until } from '../support/till-members';

const CHAIN = 20_000;
const backends: Backend[] = ['pglite', 'postgres'];

/** `n` members of the demo chain (src-server/seed-chain.ts), numbered from `from`. */
async function seedMembers(h: Harness, n: number, from = 0): Promise<void> {
  await seedChain(h.db, { members: n, products: 0, firstMember: from });
}

/** The server's members as documents for till database `epoch` ('': none). */
async function serverMembers(h: Harness, epoch = ''): Promise<MemberRow[]> {
  return h.db.query<MemberRow>(
    `SELECT ${memberDocColumns('$1::text')} FROM members WHERE NOT deleted ORDER BY members.id`,
    [epoch],
  );
}

/** The till's store equals the server's members, record for record, for this till database. */
async function expectSameAsServer(h: Harness, records: MemberRecord[], epoch: string): Promise<void> {
  const server = (await serverMembers(h, epoch)).map((r) => memberRecord(memberFromRow(r, epoch), epoch));
  const local = [...records].sort((a, b) => (a.id < b.id ? -1 : 1));
  expect(local.length).toBe(server.length);
  expect(new Set(local.map((m) => m.id)).size).toBe(local.length);
  expect(local).toEqual(server);
}

/** A fetch that counts calls per route and can change an answer. */
function countingFetch(edit?: (url: string, res: Response) => Promise<Response>) {
  const calls: string[] = [];
  const f: typeof fetch = async (input, init) => {
    const url = input instanceof Request ? input.url : input.toString();
    calls.push(url);
    const res = await fetch(input, init);
    return edit ? edit(url, res) : res;
  };
  return {
    fetch: f,
    calls,
    pages: () => calls.filter((u) => u.includes(snapshotRoutes.page)),
    keyPages: () => calls.filter((u) => u.includes(snapshotRoutes.keys)),
  };
}

describe.each(backends)('member snapshot on %s', (backend) => {
  const skip = backend === 'postgres' && !postgresUrl();
  let h: Harness & { tokens: string[] };
  const dbs: TillDatabase[] = [];

  async function newTill(): Promise<TillDatabase> {
    const db = await createTillDatabase({
      name: `snap-${backend}-${dbs.length}-${Date.now()}`,
      storage: nodeTillStorage(),
    });
    dbs.push(db);
    return db;
  }

  beforeAll(async () => {
    if (skip) return;
    h = await startHarness(backend, ['SNAP-1', 'SNAP-2']);
    await seedMembers(h, CHAIN);
  }, 120_000);
  afterAll(async () => {
    for (const db of dbs) await db.close();
    await h?.close();
  });

  it.skipIf(skip)(
    'bootstraps every member exactly once, with counts, rate and time left',
    async () => {
      const db = await newTill();
      const statuses: MemberSyncStatus[] = [];
      const counting = countingFetch();
      const sync = await startTillMembers(db, {
        serverUrl: h.url,
        token: h.token,
        fetch: counting.fetch,
        pageSize: 2000,
      });
      const sub = sync.status$.subscribe((s) => statuses.push(s));
      try {
        await membersReady(sync);
        const epoch = await tillEpoch(db);
        await expectSameAsServer(h, await sync.store.all(), epoch);
        // 20,020 members in pages of 2,000: eleven pages, each asked for once.
        expect(counting.pages().length).toBe(Math.ceil((CHAIN + 20) / 2000));
        for (const i of [0, 1, 777, 10_000, CHAIN - 1]) {
          const card = chainCardNumber(i);
          expect((await sync.store.byCard(card))?.id).toBe(chainMemberId(i));
          expect((await sync.store.byId(chainMemberId(i)))?.cardNumber).toBe(card);
          // By name too: the names column of the row pages made the name keys.
          const named = await searchMembersByName(sync.store, chainName(i), 5);
          expect(named.members.map((m) => m.id)).toContain(chainMemberId(i));
        }
        const loading = statuses.filter((s) => s.phase === 'loading' && s.loaded > 0);
        expect(loading.length).toBeGreaterThan(0);
        expect(loading.every((s) => s.total === CHAIN + 20 && s.rate > 0 && s.secondsLeft !== null)).toBe(true);
        const loaded = loading.map((s) => s.loaded);
        expect(loaded).toEqual([...loaded].sort((a, b) => a - b));
        expect(
          await until(
            'ready status',
            () => Promise.resolve(sync.status()),
            (s) => s.phase === 'ready',
          ),
        ).toMatchObject({
          loaded: CHAIN + 20,
          total: CHAIN + 20,
          secondsLeft: null,
        });
      } finally {
        sub.unsubscribe();
        await sync.stop();
      }
    },
    180_000,
  );

  it.skipIf(skip)(
    'resumes after the last stored page when stopped mid-way, and ends equal to the server',
    async () => {
      const db = await newTill();
      // Stopped first while the key pages are stored: the next start goes on from the last key page.
      const zeroth = countingFetch();
      const sizes = { pageSize: 1000, keysPageSize: 2000 };
      const z = await startTillMembers(db, { serverUrl: h.url, token: h.token, fetch: zeroth.fetch, ...sizes });
      await until(
        'part of the key pages',
        () => z.store.state(),
        (s) => s.phase === 'keys' && s.keyCount >= 4000,
      );
      await z.stop();
      const first = countingFetch();
      const a = await startTillMembers(db, { serverUrl: h.url, token: h.token, fetch: first.fetch, ...sizes });
      const stoppedAt = await until(
        'part of the bootstrap',
        () => a.store.state(),
        (s) => s.count >= 6000,
      );
      await a.stop();
      const keyStarts = first.keyPages().map((u) => new URL(u).searchParams);
      expect(keyStarts.some((q) => q.get('order') === 'id' && q.get('after') === '')).toBe(false);
      expect(keyStarts.some((q) => q.get('order') === 'phone' && q.get('after') === '')).toBe(true);
      expect(first.calls.some((u) => u.endsWith(snapshotRoutes.manifest))).toBe(false);
      const reader = await openMemberStore(memberStoreName(db.name), nodeIndexedDb());
      const state = await reader.state();
      reader.close();
      expect(state.phase).toBe('loading');
      expect(state.count).toBeGreaterThanOrEqual(stoppedAt.count);
      expect(state.after).not.toBe('');

      // Meanwhile head office changes members: a points adjustment, a new member, an erasure.
      const adjusted = chainMemberId(3);
      const adjust = await callApi(h.url, 'POST', `/api/v1/admin/members/${adjusted}/adjust`, 'Bearer test-admin', {
        points: 25,
        reason: 'goodwill',
        requestId: `snap-${backend}`,
      });
      expect(adjust.status).toBe(200);
      await seedMembers(h, 1, CHAIN);
      const erased = await callApi(
        h.url,
        'POST',
        `/api/v1/admin/members/${chainMemberId(CHAIN - 1)}/erase`,
        'Bearer test-admin',
        {
          note: 'request',
        },
      );
      expect(erased.status).toBe(200);

      const second = countingFetch();
      const b = await startTillMembers(db, { serverUrl: h.url, token: h.token, fetch: second.fetch, pageSize: 1000 });
      try {
        await membersReady(b);
        // Resumed: no page asked for from the start again.
        expect(second.pages().some((u) => new URL(u).searchParams.get('after') === '')).toBe(false);
        const epoch = await tillEpoch(db);
        await until(
          'the catch-up',
          async () => (await b.store.byId(adjusted))?.state.balance,
          (balance) => balance === chainMember(3).state.balance + 25,
        );
        await expectSameAsServer(h, await b.store.all(), epoch);
        expect(await b.store.byCard(chainCardNumber(CHAIN - 1))).toBeNull();
        expect((await b.store.byId(chainMemberId(CHAIN)))?.name).toBe(chainName(CHAIN));
      } finally {
        await b.stop();
      }

      // Away for a while: 3,000 members change; the till catches up by pull, without a page of the snapshot.
      await h.db.tx(async (q) => {
        const ids = Array.from({ length: 3000 }, (_, i) => chainMemberId(100 + i));
        await q(`UPDATE members SET name = name || ' (moved)' WHERE id = ANY($1::text[])`, [ids]);
        await stampSeq(q, 'members', ids);
      });
      const third = countingFetch();
      const c = await startTillMembers(db, { serverUrl: h.url, token: h.token, fetch: third.fetch });
      try {
        await until(
          'the week of changes',
          async () => (await c.store.byId(chainMemberId(3099)))?.name,
          (n) => !!n?.endsWith('(moved)'),
        );
        expect(third.pages()).toEqual([]);
        await expectSameAsServer(h, await c.store.all(), await tillEpoch(db));
      } finally {
        await c.stop();
      }
    },
    240_000,
  );

  it.skipIf(skip)(
    'refuses a damaged row page and a key page cut short, and fetches them again; starts over when the snapshot is gone',
    async () => {
      const db = await newTill();
      let damaged = 0;
      let truncated = 0;
      let gone = 0;
      const counting = countingFetch(async (url, res) => {
        if (url.includes(snapshotRoutes.manifest) && gone === 0) {
          // The first manifest names a snapshot this database never handed out (as after a restore).
          gone++;
          const body = (await res.json()) as { seq: number };
          return Response.json({ ...body, seq: body.seq + 10_000_000 });
        }
        if (url.includes(snapshotRoutes.page) && damaged === 0 && res.ok) {
          // A row page with one member's name changed on the way.
          damaged++;
          const text = (await res.text()).replace('"name":"', '"name":"Damaged ');
          return new Response(text, { status: 200 });
        }
        if (url.includes(snapshotRoutes.keys) && truncated === 0 && res.ok) {
          // A key page cut short.
          truncated++;
          const bytes = new Uint8Array(await res.arrayBuffer());
          return new Response(bytes.subarray(0, bytes.length - 100), { status: 200 });
        }
        return res;
      });
      const statuses: MemberSyncStatus[] = [];
      const sync = await startTillMembers(db, {
        serverUrl: h.url,
        token: h.token,
        fetch: counting.fetch,
        pageSize: 5000,
      });
      const sub = sync.status$.subscribe((s) => statuses.push(s));
      try {
        await membersReady(sync);
        expect(gone).toBe(1);
        expect(damaged).toBe(1);
        expect(truncated).toBe(1);
        expect(statuses.some((s) => s.error?.includes('damaged'))).toBe(true);
        await expectSameAsServer(h, await sync.store.all(), await tillEpoch(db));
        expect((await sync.store.all()).some((m) => m.name.startsWith('Damaged'))).toBe(false);
      } finally {
        sub.unsubscribe();
        await sync.stop();
      }
    },
    180_000,
  );

  it.skipIf(skip)('answers every bad request with its code and serves pages compressed', async () => {
    const auth = `Bearer ${h.token}`;
    const get = (path: string, token = auth) => callApi(h.url, 'GET', path, token);
    const manifest = await get(snapshotRoutes.manifest);
    expect(manifest.status).toBe(200);
    const seq = (manifest.body as { seq: number }).seq;
    expect((await get(snapshotRoutes.manifest, 'Bearer nope')).body.error?.code).toBe('AUTH_INVALID');
    expect((await get(snapshotRoutes.manifest, '')).body.error?.code).toBe('AUTH_MISSING');
    for (const bad of [
      'seq=abc',
      'seq=-1',
      `seq=${seq}&limit=0`,
      `seq=${seq}&limit=999999`,
      `seq=${seq}&after=${'9'.repeat(40)}`,
    ]) {
      const r = await get(`${snapshotRoutes.page}?${bad}`);
      expect([r.status, r.body.error?.code], bad).toEqual([400, 'PULL_BAD_CHECKPOINT']);
    }
    const goneReply = await get(`${snapshotRoutes.page}?seq=${seq + 10_000_000}`);
    expect([goneReply.status, goneReply.body.error?.code]).toEqual([409, 'SNAPSHOT_GONE']);
    for (const bad of ['seq=1', `seq=${seq}&order=card`, `seq=${seq}&order=id&limit=0`, `seq=x&order=id`]) {
      const r = await get(`${snapshotRoutes.keys}?${bad}`);
      expect([r.status, r.body.error?.code], bad).toEqual([400, 'PULL_BAD_CHECKPOINT']);
    }
    const goneKeys = await get(`${snapshotRoutes.keys}?seq=${seq + 10_000_000}&order=id`);
    expect([goneKeys.status, goneKeys.body.error?.code]).toEqual([409, 'SNAPSHOT_GONE']);
    expect((await get(`${snapshotRoutes.keys}?seq=${seq}&order=id`, 'Bearer nope')).body.error?.code).toBe(
      'AUTH_INVALID',
    );
    // Key pages: every member once in id order, every member with a phone once in (phone hash, card) order.
    const server = await serverMembers(h);
    const pageAt = async (path: string) => {
      const res = await fetch(`${h.url}${path}`, { headers: { authorization: auth } });
      expect(res.headers.get('content-type')).toMatch(/^application\/x-ndjson/);
      const { header, body } = splitSnapshotPage(new Uint8Array(await res.arrayBuffer()));
      expect(header.sha256).toBe(createHash('sha256').update(body).digest('hex'));
      return { header, text: new TextDecoder().decode(body) };
    };
    for (const order of ['id', 'phone'] as const) {
      const entries: string[][] = [];
      let after: string | null = '';
      while (after !== null) {
        const q = new URLSearchParams({ seq: String(seq), order, after, limit: '3000' });
        const { header, text } = await pageAt(`${snapshotRoutes.keys}?${q.toString()}`);
        const page = parseKeysPage(header, text);
        entries.push(...page.keys.map((k, i) => [k, page.cards[i]!]));
        after = page.next;
      }
      const want =
        order === 'id'
          ? server.map((m) => [m.id, m.card_number])
          : server.filter((m) => m.phone_hash !== '').map((m) => [`${m.phone_hash} ${m.card_number}`, m.card_number]);
      want.sort((x, y) => (x[0]! < y[0]! ? -1 : 1));
      expect(entries.length, order).toBeGreaterThan(CHAIN / 2);
      expect(entries, order).toEqual(want);
    }
    for (const bad of ['', 'card=1&id=2', `phoneHash=xyz`, `id=${'A'.repeat(30)}`]) {
      const r = await get(`${snapshotRoutes.lookup}?${bad}`);
      expect([r.status, r.body.error?.code], bad).toEqual([400, 'BAD_REQUEST']);
    }
    const unknown = await get(`${snapshotRoutes.lookup}?card=2800000000000`);
    expect([unknown.status, unknown.body.error?.code]).toEqual([404, 'MEMBER_NOT_FOUND']);
    const found = await get(`${snapshotRoutes.lookup}?card=${chainCardNumber(5)}&epoch=E1`);
    expect(found.status).toBe(200);
    expect(JSON.parse((found.body as { members: string[] }).members[0]!)).toMatchObject({
      id: chainMemberId(5),
      tillMark: 0,
    });

    const res = await fetch(`${h.url}${snapshotRoutes.page}?seq=${seq}&limit=2000`, {
      headers: { authorization: auth, 'accept-encoding': 'gzip' },
    });
    expect(res.headers.get('content-encoding')).toBe('gzip');
    const { header, body } = splitSnapshotPage(new Uint8Array(await res.arrayBuffer()));
    const page = parseRowsPage(header, new TextDecoder().decode(body));
    expect(page.rows.length).toBe(2000);
    // Card order, and every row with its column keys is the server's member; `next` is the last card of the page.
    const cards = page.cards;
    expect(cards).toEqual([...cards].sort());
    const serverById = new Map((await serverMembers(h)).map((m) => [m.id, memberRecord(memberFromRow(m, ''), '')]));
    page.rows.forEach((row, i) => {
      const keys = { id: page.ids[i]!, cardNumber: cards[i]!, phoneHash: page.phones[i]!, seq: page.seqs[i]! };
      expect(row).not.toContain(keys.cardNumber);
      expect(parseMemberRecord(row, keys)).toEqual(serverById.get(keys.id));
      // The names column: the till makes its name search keys of it without parsing the row.
      expect(page.names[i]).toBe(serverById.get(keys.id)!.name);
    });
    expect(page.next).toBe(cards.at(-1));
  });

  it.skipIf(skip)(
    'sends each till database only its own watermark, however many tills sold to the member',
    async () => {
      const id = chainMemberId(42);
      const marks = Object.fromEntries(
        Array.from({ length: 200 }, (_, i) => [`01KDVDNAEPOCH${String(i).padStart(13, '0')}`, i + 1]),
      );
      await h.db.tx(async (q) => {
        await stampSeq(q, 'members', [id]);
        await q(
          `INSERT INTO member_marks (member_id, epoch, seq, mark)
           SELECT $1, e.key, (SELECT seq FROM members WHERE id = $1), e.value::bigint FROM jsonb_each_text($2::jsonb) e`,
          [id, JSON.stringify(marks)],
        );
      });
      const epoch = Object.keys(marks)[7]!;
      const [row] = await h.db.query<{ seq: string | number }>('SELECT seq FROM members WHERE id = $1', [id]);
      const from = Number(row!.seq) - 1;
      const pullFor = async (e: string) => {
        const r = await callApi(
          h.url,
          'GET',
          `/api/v1/replication/members/pull?seq=${from}&limit=10&epoch=${e}`,
          `Bearer ${h.token}`,
        );
        return (r.body as { documents: unknown[] }).documents
          .map((d) => memberSchema.parse(d))
          .find((d) => d.id === id)!;
      };
      expect((await pullFor(epoch)).tillMarks).toEqual({ [epoch]: 8 });
      expect((await pullFor('01KDVDNAUNKNOWNEPOCH000000')).tillMarks).toEqual({});
      // Without an epoch a document names no till database, so it carries no mark.
      expect((await pullFor('')).tillMarks).toEqual({});
      const lookup = await callApi(
        h.url,
        'GET',
        `${snapshotRoutes.lookup}?id=${id}&epoch=${epoch}`,
        `Bearer ${h.token}`,
      );
      const record = JSON.parse((lookup.body as { members: string[] }).members[0]!) as MemberRecord;
      expect(record.tillMark).toBe(8);
      expect(JSON.stringify(record).length).toBeLessThan(2000);
    },
  );

  it.skipIf(skip)(
    'a till a week behind (50,000 changes) catches up by pull from its checkpoint, without a second snapshot',
    async () => {
      const db = await newTill();
      const first = await startTillMembers(db, { serverUrl: h.url, token: h.token });
      try {
        await membersReady(first);
      } finally {
        await first.stop();
      }
      const reader = await openMemberStore(memberStoreName(db.name), nodeIndexedDb());
      const away = (await reader.state()).checkpoint;
      reader.close();

      // The week: 50,000 changes, 5,000 a transaction, spread over the whole chain (most members two or three
      // times); then cards moved, phones changed and removed, members erased and enrolled.
      const WEEK = 50_000;
      const changed = (k: number) => (k * 7919 + 13) % CHAIN;
      for (let from = 0; from < WEEK; from += 5000) {
        const ks = Array.from({ length: 5000 }, (_, j) => from + j);
        const ids = ks.map((k) => chainMemberId(changed(k)));
        await h.db.tx(async (q) => {
          await q(
            `UPDATE members AS m SET name = u.name, state = jsonb_set(m.state, '{balance}', to_jsonb(u.k))
               FROM unnest($1::text[], $2::text[], $3::int[]) AS u(id, name, k) WHERE m.id = u.id`,
            [ids, ks.map((k) => `Week change ${k}`), ks],
          );
          await stampSeq(q, 'members', ids);
        });
      }
      const movedIds = Array.from({ length: 40 }, (_, i) => chainMemberId(500 + i * 97));
      const phoneIds = Array.from({ length: 40 }, (_, i) => chainMemberId(700 + i * 89));
      await h.db.tx(async (q) => {
        await q(`UPDATE members SET card_number = '27' || substr(card_number, 3) WHERE id = ANY($1::text[])`, [
          movedIds,
        ]);
        await q(
          `UPDATE members SET phone_hash = CASE WHEN right(id, 1) < 'M' THEN ''
             ELSE encode(sha256(convert_to(id, 'UTF8')), 'hex') END WHERE id = ANY($1::text[])`,
          [phoneIds],
        );
        await stampSeq(q, 'members', [...movedIds, ...phoneIds]);
      });
      for (const n of [11, 4321, 15_000]) {
        const erased = await callApi(
          h.url,
          'POST',
          `/api/v1/admin/members/${chainMemberId(n)}/erase`,
          'Bearer test-admin',
          { note: 'request' },
        );
        expect(erased.status).toBe(200);
      }
      await seedMembers(h, 100, CHAIN + 500);
      const top = await h.db.tx((q) => safeSeq(q, 'members'));
      expect(top - away).toBeGreaterThan(WEEK);

      const back = countingFetch();
      const sync = await startTillMembers(db, { serverUrl: h.url, token: h.token, fetch: back.fetch });
      try {
        await until(
          'the week of changes',
          () => sync.store.state(),
          (s) => s.checkpoint >= top,
          120_000,
        );
        // The pull path from where the till stopped: no manifest, no key page, no row page.
        expect(back.calls.some((u) => u.includes(snapshotRoutes.manifest))).toBe(false);
        const pulls = back.calls.filter((u) => u.includes('/replication/members/pull'));
        const froms = pulls.map((u) => Number(new URL(u).searchParams.get('seq')));
        expect(froms[0]).toBe(away);
        expect(froms.every((seq) => seq >= away)).toBe(true);
        // Each member changed comes once, at its newest version: about CHAIN documents, not 50,000.
        expect(pulls.length).toBeLessThan(CHAIN / 1000);
        expect((await sync.store.state()).phase).toBe('ready');
        await expectSameAsServer(h, await sync.store.all(), await tillEpoch(db));
        expect((await sync.store.byId(chainMemberId(changed(WEEK - 1))))?.name).toBe(`Week change ${WEEK - 1}`);
        const renamed = await searchMembersByName(sync.store, `Week change ${WEEK - 1}`, 5);
        expect(renamed.members.map((m) => m.id)).toContain(chainMemberId(changed(WEEK - 1)));
        const oldName = await searchMembersByName(sync.store, chainName(changed(WEEK - 1)), 50);
        expect(oldName.members.map((m) => m.id)).not.toContain(chainMemberId(changed(WEEK - 1)));
        const erasedName = await searchMembersByName(sync.store, chainName(4321), 50);
        expect(erasedName.members.map((m) => m.id)).not.toContain(chainMemberId(4321));
        expect(await sync.store.byCard(chainCardNumber(500))).toBeNull();
        expect((await sync.store.byCard(`27${chainCardNumber(500).slice(2)}`))?.id).toBe(chainMemberId(500));
        // An erased member is re-published without its personal fields, its card retired.
        expect(await sync.store.byCard(chainCardNumber(4321))).toBeNull();
        expect((await sync.store.byId(chainMemberId(4321)))?.name).not.toBe(chainName(4321));
        expect((await sync.store.byId(chainMemberId(CHAIN + 599)))?.name).toBe(chainName(CHAIN + 599));
      } finally {
        await sync.stop();
      }
    },
    300_000,
  );
});
