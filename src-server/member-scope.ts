/**
 * The members a till is sent (partial replication, shared/member-scope.ts): every member, or those whose home
 * store is in its store's region. One read per request; the key the till names is checked against it, so a
 * till never mixes members loaded under two scopes.
 */
import { KassaError } from '../shared/errors';
import { memberScopeKey } from '../shared/member-scope';
import type { Query } from './db';

/** Told on the changes channel (seq.ts) when a store's member scope changes: every member stream ends. */
export const MEMBER_SCOPE_PAYLOAD = 'member-scope';

/** `stores` null: the whole chain (key ''). */
export type MemberScope = { key: string; stores: string[] | null };

const CHAIN: MemberScope = { key: '', stores: null };

/** The scope of `storeId`'s tills now. */
export async function memberScopeOf(q: Query, storeId: string): Promise<MemberScope> {
  const rows = await q<{ id: string }>(
    `SELECT o.id FROM stores s JOIN stores o ON o.id = s.id OR (s.region IS NOT NULL AND o.region = s.region)
      WHERE s.id = $1 AND s.member_scope = 'region' ORDER BY o.id`,
    [storeId],
  );
  if (rows.length === 0) return CHAIN;
  const stores = rows.map((r) => r.id);
  return { key: await memberScopeKey(stores), stores };
}

/** The scope of `storeId`'s tills, or 409 MEMBER_SCOPE_CHANGED when it is not the one the till loaded with (`asked`). */
export async function checkedMemberScope(q: Query, storeId: string, asked: string): Promise<MemberScope> {
  const scope = await memberScopeOf(q, storeId);
  if (scope.key !== asked)
    throw new KassaError(
      'MEMBER_SCOPE_CHANGED',
      scope.stores
        ? `This store's tills now hold the members of stores ${scope.stores.join(', ')}: loading members again`
        : "This store's tills now hold the whole chain's members: loading members again",
    );
  return scope;
}
