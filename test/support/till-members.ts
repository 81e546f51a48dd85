/**
 * The till's member store, product catalogue and their syncs in Node tests:
 * the real modules (member-store.ts and catalog.ts on Dexie, member-sync.ts
 * and catalog-sync.ts in-process) over fake-indexeddb, for a till database
 * made with the real createTillDatabase.
 */
import * as fake from 'fake-indexeddb';
import type { MemberRecord } from '../../shared/member-snapshot';
import type { TillDatabase } from '../../src-renderer/src/db/database';
import type { IndexedDbFactory } from '../../src-renderer/src/db/member-store';
import { startMemberSync, type MemberSync } from '../../src-renderer/src/db/member-sync-client';
import { tillEpoch } from '../../src-renderer/src/db/sales';
import type { ProductRow } from '../../src-renderer/src/db/schemas';

export function nodeIndexedDb(): IndexedDbFactory {
  return fake;
}

export async function startTillMembers(
  db: TillDatabase,
  options: { serverUrl: string; token: string; retryMs?: number; fetch?: typeof fetch; pageSize?: number },
): Promise<MemberSync> {
  return startMemberSync({
    tillDatabaseName: db.name,
    serverUrl: options.serverUrl,
    token: options.token,
    epoch: await tillEpoch(db),
    indexedDb: nodeIndexedDb(),
    retryMs: options.retryMs ?? 200,
    ...(options.fetch ? { fetch: options.fetch } : {}),
    ...(options.pageSize ? { pageSize: options.pageSize } : {}),
  });
}

/** Polls `read` until `ok` holds (every 25 ms, up to `timeoutMs`); returns the last value read. */
export async function until<T>(
  what: string,
  read: () => Promise<T>,
  ok: (v: T) => boolean,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (ok(value)) return value;
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}: ${JSON.stringify(value)?.slice(0, 300)}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Resolves once the member store's bootstrap and the product catalogue's first pull are complete. */
export async function membersReady(sync: MemberSync, timeoutMs = 60_000): Promise<void> {
  await until(
    'the member bootstrap',
    async () => (await sync.store.state()).phase,
    (p) => p === 'ready',
    timeoutMs,
  );
  await until(
    'the product catalogue',
    async () => (await sync.catalog.state()).complete,
    (c) => c,
    timeoutMs,
  );
}

/** The till's products sold by the piece, in id order. */
export async function productsEach(sync: MemberSync): Promise<ProductRow[]> {
  return (await sync.catalog.all()).filter((p) => p.unit === 'each');
}

/** A member from the till's store, once `ok` holds for it. */
export async function memberWhen(
  sync: MemberSync,
  id: string,
  ok: (m: MemberRecord | null) => boolean,
  timeoutMs = 30_000,
): Promise<MemberRecord | null> {
  return until(`member ${id}`, () => sync.store.byId(id), ok, timeoutMs);
}

export async function memberByCard(sync: MemberSync, card: string): Promise<MemberRecord> {
  const m = await sync.store.byCard(card);
  if (!m) throw new Error(`no member with card ${card} on the till`);
  return m;
}
