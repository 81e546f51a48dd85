/**
 * The chain's phone key: tills find a member by phone through a keyed hash
 * (shared/phone.ts), so a till's copy of the members holds no phone number.
 *
 * Invariants:
 * - At most one current key (`phone_keys.retired_at IS NULL`). It is made
 *   once, on first need, under an advisory lock, so server nodes starting
 *   together agree on it; it lives in the database, so every node has it.
 * - Every member with a phone is stored with its hash under the current key
 *   (`phone_hash`, `phone_key_id`). A member hashed under another key (after
 *   an upgrade from a server without hashes, after a rotation) is re-hashed
 *   and re-stamped, so every till pulls the new hash through replication.
 * - The store documents tills pull (`store:<id>`) carry the current key
 *   first and the previous one after it: during a rotation a till that has
 *   the new key but not yet every re-hashed member still finds each member.
 * - Writers call these before `stampSeq` (which stamps last), so the key lock
 *   is always taken before the sequence lock.
 */
import { randomBytes } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import { ulid } from 'ulid';
import { storeConfigSchema, type StoreConfig } from '../../shared/documents';
import { memberPhoneHash, type PhoneKey } from '../../shared/phone';
import type { Db, Query } from '../db';
import { stampSeq } from '../seq';
import { tillCardKeys } from './card-keys';

const PHONE_KEY_LOCK = 7_301_006;
/** Members re-hashed per query page. */
const PAGE = 5_000;

async function lockKeys(q: Query): Promise<void> {
  await q('SELECT pg_advisory_xact_lock($1)', [PHONE_KEY_LOCK]);
}

function newKey(): PhoneKey {
  return { id: `pk-${ulid()}`, secret: randomBytes(32).toString('hex') };
}

/** The current phone key, made (once) if there is none yet. */
export async function currentPhoneKey(q: Query): Promise<PhoneKey> {
  await lockKeys(q);
  const [row] = await q<PhoneKey>('SELECT id, secret FROM phone_keys WHERE retired_at IS NULL');
  if (row) return row;
  const key = newKey();
  await q('INSERT INTO phone_keys (id, secret) VALUES ($1, $2)', [key.id, key.secret]);
  return key;
}

/** The keys tills hold: the current one, then the one it replaced (if any). */
export async function tillPhoneKeys(q: Query): Promise<PhoneKey[]> {
  const current = await currentPhoneKey(q);
  const previous = await q<PhoneKey>(
    'SELECT id, secret FROM phone_keys WHERE retired_at IS NOT NULL ORDER BY retired_at DESC, id DESC LIMIT 1',
  );
  return [current, ...previous];
}

/**
 * Hashes every member's phone that is not hashed under `key` yet (with its store's country as the default
 * region). Returns the ids whose hash changed: the caller stamps them, last, in the same transaction.
 */
export async function rehashPhones(q: Query, key: PhoneKey): Promise<string[]> {
  const changed: string[] = [];
  let after = '';
  for (;;) {
    const rows = await q<{ id: string; phone: string; phone_hash: string; country: string | null }>(
      `SELECT m.id, m.phone, m.phone_hash, s.country FROM members m LEFT JOIN stores s ON s.id = m.store_id
        WHERE m.id > $1 AND m.phone <> '' AND m.phone_key_id IS DISTINCT FROM $2
        ORDER BY m.id LIMIT $3`,
      [after, key.id, PAGE],
    );
    if (rows.length === 0) return changed;
    const hashes = rows.map((r) => memberPhoneHash(r.phone, r.country, key.secret));
    await q(
      `UPDATE members AS m SET phone_hash = u.hash, phone_key_id = $3
         FROM (SELECT unnest($1::text[]) AS id, unnest($2::text[]) AS hash) AS u
        WHERE m.id = u.id`,
      [rows.map((r) => r.id), hashes, key.id],
    );
    rows.forEach((r, i) => {
      if (r.phone_hash !== hashes[i]) changed.push(r.id);
    });
    after = rows.at(-1)!.id;
  }
}

/** The phone hash and key id to store with a member's phone (for code that writes a member). */
export async function phoneColumns(
  q: Query,
  phone: string,
  storeId: string,
): Promise<{ phoneHash: string; phoneKeyId: string | null }> {
  if (phone === '') return { phoneHash: '', phoneKeyId: null };
  const key = await currentPhoneKey(q);
  const [store] = await q<{ country: string | null }>('SELECT country FROM stores WHERE id = $1', [storeId]);
  return { phoneHash: memberPhoneHash(phone, store?.country ?? null, key.secret), phoneKeyId: key.id };
}

/**
 * Writes the store documents tills pull (`store:<id>`, all stores or the ones named) from the stores table
 * and the phone keys. Returns the ids of the documents that changed: the caller stamps them, last.
 */
export async function publishStores(q: Query, storeIds?: readonly string[]): Promise<string[]> {
  const keys = await tillPhoneKeys(q);
  const cardKeys = await tillCardKeys(q);
  const stores = await q<{
    id: string;
    name: string;
    currency: string;
    time_zone: string;
    program_id: string;
    country: string | null;
    data: unknown;
  }>(
    `SELECT s.id, s.name, s.currency, s.time_zone, s.program_id, s.country, r.data
       FROM stores s LEFT JOIN refdata r ON r.id = 'store:' || s.id
      WHERE $1::text[] IS NULL OR s.id = ANY($1::text[]) ORDER BY s.id`,
    [storeIds ? [...storeIds] : null],
  );
  const changed: string[] = [];
  for (const s of stores) {
    const data: StoreConfig = storeConfigSchema.parse({
      id: s.id,
      name: s.name,
      currency: s.currency,
      timeZone: s.time_zone,
      programId: s.program_id,
      country: s.country,
      phoneKeys: keys,
      cardKeys,
    });
    if (isDeepStrictEqual(s.data, data)) continue;
    await q(
      `INSERT INTO refdata (id, kind, key, data, seq) VALUES ($1, 'store', $2, $3, 0)
       ON CONFLICT (id) DO UPDATE SET data = EXCLUDED.data, deleted = false`,
      [`store:${s.id}`, s.id, JSON.stringify(data)],
    );
    changed.push(`store:${s.id}`);
  }
  return changed;
}

/**
 * At server start: makes the phone key if there is none, hashes every member not hashed under it, and
 * brings the store documents up to date; what changed is re-stamped, so tills pull it.
 */
export async function preparePhoneLookup(db: Db): Promise<{ keyId: string; rehashed: number; stores: number }> {
  return db.tx(async (q) => {
    const key = await currentPhoneKey(q);
    const members = await rehashPhones(q, key);
    const stores = await publishStores(q);
    await stampSeq(q, 'members', members);
    await stampSeq(q, 'refdata', stores);
    return { keyId: key.id, rehashed: members.length, stores: stores.length };
  });
}

/**
 * Replaces the current key with a new one: every member's phone is re-hashed and every store document carries
 * the new key (and the previous one). Returns what changed; the caller stamps it, last, in the same transaction.
 */
export async function rotatePhoneKey(
  q: Query,
): Promise<{ keyId: string; previousKeyId: string; memberIds: string[]; storeDocIds: string[] }> {
  const previous = await currentPhoneKey(q);
  await q('UPDATE phone_keys SET retired_at = now() WHERE id = $1', [previous.id]);
  const key = newKey();
  await q('INSERT INTO phone_keys (id, secret) VALUES ($1, $2)', [key.id, key.secret]);
  const memberIds = await rehashPhones(q, key);
  const storeDocIds = await publishStores(q);
  return { keyId: key.id, previousKeyId: previous.id, memberIds, storeDocIds };
}
