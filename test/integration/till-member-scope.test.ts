/**
 * Partial replication: a store set to hold its region's members (shared/member-scope.ts) on the real server
 * (real HTTP, PGlite and PostgreSQL) and the till's real member sync and store (Dexie on fake-indexeddb).
 *
 * - The till bootstraps its region's members only (members whose home store is in the region), counted as such,
 *   and catches up on their changes only, its checkpoint moving past the others'.
 * - A member of another region is looked up on the server, also once the store is complete; when the server
 *   cannot be reached the answer says so (`elsewhere-offline`), never "Card not found".
 * - Changing the store's scope makes a running till load its members again, whole chain or region.
 * - A request under a scope the store no longer has answers 409 MEMBER_SCOPE_CHANGED; bad settings are refused
 *   with their codes and change nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chainCardNumber, chainMemberId } from '../../shared/demo-chain';
import { snapshotManifestSchema, snapshotRoutes } from '../../shared/member-snapshot';
import { createTillDatabase, type TillDatabase } from '../../src-renderer/src/db/database';
import { holdsRegionOnly, lookupFallback, type MemberSync } from '../../src-renderer/src/db/member-sync-client';
import { lookupMember } from '../../src-renderer/src/db/members';
import { tillEpoch } from '../../src-renderer/src/db/sales';
import { seedChain } from '../../src-server/seed-chain';
import { stampSeq } from '../../src-server/seq';
import { nodeTillStorage } from '../support/node-storage';
import { callApi, postgresUrl, startHarness, type Backend, type Harness } from '../support/server-harness';
import { membersReady, startTillMembers, until } from '../support/till-members';

const CHAIN = 3_000;
const STORES = ['store-1', 'store-north-2', 'store-south'];
const ADMIN = 'Bearer test-admin';
const backends: Backend[] = ['pglite', 'postgres'];

/** Chain member i's home store (seed-chain.ts spreads members over the stores in turn). */
function homeOf(i: number): string {
  return STORES[i % STORES.length]!;
}

describe.each(backends)('partial replication on %s', (backend) => {
  const skip = backend === 'postgres' && !postgresUrl();
  let h: Harness & { tokens: string[] };
  const dbs: TillDatabase[] = [];

  async function newTill(): Promise<TillDatabase> {
    const db = await createTillDatabase({
      name: `scope-${backend}-${dbs.length}-${Date.now()}`,
      storage: nodeTillStorage(),
    });
    dbs.push(db);
    return db;
  }

  async function setScope(storeId: string, body: unknown) {
    return callApi(h.url, 'PUT', `/api/v1/admin/stores/${storeId}/member-scope`, ADMIN, body);
  }

  /** Members the server holds whose home store is one of `stores`. */
  async function serverCount(stores: readonly string[] | null): Promise<number> {
    const rows = await h.db.query<{ n: string | number }>(
      stores
        ? 'SELECT count(*) AS n FROM members WHERE NOT deleted AND store_id = ANY($1::text[])'
        : 'SELECT count(*) AS n FROM members WHERE NOT deleted',
      stores ? [stores] : [],
    );
    return Number(rows[0]!.n);
  }

  async function stopped(sync: MemberSync): Promise<void> {
    await sync.stop();
  }

  beforeAll(async () => {
    if (skip) return;
    h = await startHarness(backend, ['SCOPE-1']);
    for (const id of STORES.slice(1)) {
      const made = await callApi(h.url, 'POST', '/api/v1/admin/stores', ADMIN, {
        id,
        name: id,
        currency: 'EUR',
        timeZone: 'Europe/Amsterdam',
        programId: 'supermarket',
      });
      expect(made.status).toBe(201);
    }
    await seedChain(h.db, { members: CHAIN, products: 0, stores: STORES });
    // The north region: the till's own store and one more; the south store stays out of it.
    expect((await setScope('store-north-2', { scope: 'chain', region: 'north' })).status).toBe(200);
  }, 120_000);
  afterAll(async () => {
    for (const db of dbs) await db.close();
    await h?.close();
  });

  it.skipIf(skip)(
    "bootstraps its region's members only, looks the others up online, and says so when it cannot",
    async () => {
      const set = await setScope('store-1', { scope: 'region', region: 'north' });
      expect(set.status).toBe(200);
      expect(set.body).toMatchObject({ scope: 'region', region: 'north', stores: ['store-1', 'store-north-2'] });
      const region = ['store-1', 'store-north-2'];
      const db = await newTill();
      const sync = await startTillMembers(db, { serverUrl: h.url, token: h.token, pageSize: 500, keysPageSize: 700 });
      try {
        await membersReady(sync);
        const held = await sync.store.all();
        // The demo's own members live in store-1 too: every region member, and no other.
        expect(held.length).toBe(await serverCount(region));
        expect(held.every((m) => region.includes(m.storeId))).toBe(true);
        const status = await until(
          'ready status',
          () => Promise.resolve(sync.status()),
          (s) => s.phase === 'ready',
        );
        expect(status).toMatchObject({ partial: true, loaded: held.length, total: held.length });
        expect(holdsRegionOnly(sync)).toBe(true);
        expect(lookupFallback(sync)).toBe(sync.onlineLookup);

        const south = [0, 1, 2, 3, 4, 5].find((i) => homeOf(i) === 'store-south')!;
        const north = [0, 1, 2, 3, 4, 5].find((i) => homeOf(i) === 'store-north-2')!;
        expect(await sync.store.byCard(chainCardNumber(south))).toBeNull();
        expect((await sync.store.byCard(chainCardNumber(north)))?.id).toBe(chainMemberId(north));
        // Another region's member: found on the server, and the answer says it came from there.
        const found = await lookupMember(sync.store, chainCardNumber(south), null, lookupFallback(sync), true);
        expect(found).toMatchObject({ kind: 'found', online: true, member: { id: chainMemberId(south) } });
        // The server out of reach: not "Card not found".
        const offline = await lookupMember(
          sync.store,
          chainCardNumber(south),
          null,
          () => Promise.resolve('unreachable'),
          true,
        );
        expect(offline).toEqual({ kind: 'elsewhere-offline' });
        // A card no one has, with the server answering: not found, as on any till.
        const nobody = await lookupMember(sync.store, '2999999999994', null, lookupFallback(sync), true);
        expect(nobody).toEqual({ kind: 'not-found', asPhone: false });

        // Changes: a south member's change does not reach the till, a north member's does; the checkpoint passes both.
        const before = (await sync.store.state()).checkpoint;
        await h.db.tx(async (q) => {
          await q(`UPDATE members SET name = 'Moved South' WHERE id = $1`, [chainMemberId(south)]);
          await stampSeq(q, 'members', [chainMemberId(south)]);
        });
        const southOnly = await until(
          'the checkpoint past a south change',
          () => sync.store.state(),
          (s) => s.checkpoint > before,
        );
        expect(await sync.store.byCard(chainCardNumber(south))).toBeNull();
        await h.db.tx(async (q) => {
          await q(`UPDATE members SET name = 'Renamed North' WHERE id = $1`, [chainMemberId(north)]);
          await stampSeq(q, 'members', [chainMemberId(north)]);
        });
        await until(
          'the north change',
          () => sync.store.byId(chainMemberId(north)),
          (m) => m?.name === 'Renamed North',
        );
        expect((await sync.store.state()).checkpoint).toBeGreaterThan(southOnly.checkpoint);
        expect((await sync.store.all()).length).toBe(held.length);
      } finally {
        await stopped(sync);
      }
    },
    180_000,
  );

  it.skipIf(skip)(
    'loads its members again when the store changes scope, whole chain or region',
    async () => {
      expect((await setScope('store-1', { scope: 'region', region: 'north' })).status).toBe(200);
      const db = await newTill();
      const sync = await startTillMembers(db, { serverUrl: h.url, token: h.token, pageSize: 1000 });
      try {
        await membersReady(sync);
        const regionCount = await serverCount(['store-1', 'store-north-2']);
        expect((await sync.store.all()).length).toBe(regionCount);
        // Head office makes the store hold the whole chain: the running till starts over and holds everyone.
        expect((await setScope('store-1', { scope: 'chain', region: 'north' })).status).toBe(200);
        const whole = await serverCount(null);
        await until(
          'the whole chain',
          () => sync.store.state(),
          (s) => s.phase === 'ready' && s.count === whole && (s.scope ?? '') === '',
        );
        expect(sync.status().partial).toBe(false);
        expect(lookupFallback(sync)).toBeNull();
        // And back to the region, now with the south store in it too (so its key changes).
        expect((await setScope('store-south', { scope: 'chain', region: 'north' })).status).toBe(200);
        expect((await setScope('store-1', { scope: 'region', region: 'north' })).status).toBe(200);
        await until(
          'the region with three stores',
          () => sync.store.state(),
          (s) => s.phase === 'ready' && (s.scope ?? '') !== '' && s.count === whole,
        );
        expect(sync.status().partial).toBe(true);
      } finally {
        await stopped(sync);
        await setScope('store-south', { scope: 'chain', region: null });
        await setScope('store-1', { scope: 'chain', region: null });
      }
    },
    180_000,
  );

  it.skipIf(skip)('answers a request under an old scope and every bad setting with its code', async () => {
    const auth = `Bearer ${h.token}`;
    expect((await setScope('store-1', { scope: 'region', region: 'north' })).status).toBe(200);
    try {
      const manifest = snapshotManifestSchema.parse((await callApi(h.url, 'GET', snapshotRoutes.manifest, auth)).body);
      expect(manifest.scope).toMatch(/^[0-9a-f]{24}$/);
      expect(manifest.total).toBe(await serverCount(['store-1', 'store-north-2']));
      // The whole chain's key, or another region's: refused, so a till never mixes two scopes.
      for (const [path, code] of [
        [`${snapshotRoutes.page}?seq=${manifest.seq}`, 'MEMBER_SCOPE_CHANGED'],
        [`${snapshotRoutes.keys}?seq=${manifest.seq}&order=id&scope=${'0'.repeat(24)}`, 'MEMBER_SCOPE_CHANGED'],
        [`/api/v1/replication/members/pull?seq=0`, 'MEMBER_SCOPE_CHANGED'],
        [`/api/v1/replication/members/pull?seq=0&scope=nope`, 'PULL_BAD_CHECKPOINT'],
      ] as const) {
        const reply = await callApi(h.url, 'GET', path, auth);
        expect([reply.status, reply.body.error?.code]).toEqual([code === 'PULL_BAD_CHECKPOINT' ? 400 : 409, code]);
      }
      // Products and reference data do not care about the member scope.
      expect((await callApi(h.url, 'GET', '/api/v1/replication/products/pull?seq=0&limit=1', auth)).status).toBe(200);
      // Under its own key the page comes (a page is lines, not one JSON text).
      const ok = await fetch(`${h.url}${snapshotRoutes.page}?seq=${manifest.seq}&scope=${manifest.scope}`, {
        headers: { authorization: auth },
      });
      expect([ok.status, (await ok.text()).length > 0]).toEqual([200, true]);

      const stores = () => h.db.query('SELECT id, member_scope, region FROM stores ORDER BY id');
      const was = await stores();
      for (const [storeId, body, auth2, status, code] of [
        ['store-1', { scope: 'some' }, ADMIN, 400, 'BAD_REQUEST'],
        ['store-1', { scope: 'region', region: 'North Region' }, ADMIN, 400, 'BAD_REQUEST'],
        ['store-1', { scope: 'region', extra: 1 }, ADMIN, 400, 'BAD_REQUEST'],
        ['no-such-store', { scope: 'region' }, ADMIN, 404, 'NOT_FOUND'],
        ['store-1', { scope: 'chain' }, 'Bearer wrong', 401, 'AUTH_INVALID'],
        ['store-1', { scope: 'chain' }, auth, 401, 'AUTH_INVALID'],
      ] as const) {
        const reply = await callApi(h.url, 'PUT', `/api/v1/admin/stores/${storeId}/member-scope`, auth2, body);
        expect([reply.status, reply.body.error?.code]).toEqual([status, code]);
      }
      expect(await stores()).toEqual(was);
    } finally {
      await setScope('store-1', { scope: 'chain', region: null });
    }
    // Back to the whole chain: the chain's key ('') pages again.
    const epoch = await tillEpoch(await newTill());
    const chainPage = await callApi(
      h.url,
      'GET',
      `/api/v1/replication/members/pull?seq=0&limit=5&epoch=${epoch}`,
      `Bearer ${h.token}`,
    );
    expect(chainPage.status).toBe(200);
  });
});
