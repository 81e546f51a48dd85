/**
 * Which members a till holds. A chain's tills hold every member (scope '');
 * a store set to its region's members (partial replication) makes its tills
 * hold the members whose home store is in the store's region, and look up
 * every other member on the server when a card is scanned.
 *
 * The scope travels as a key: a digest of the region's store ids, sorted. A
 * till names the key it loaded with on every member request; when a store
 * joins or leaves the region, or the store changes scope, the key changes,
 * the server answers 409 MEMBER_SCOPE_CHANGED, and the till loads its members
 * again (what it held no longer matches what it is sent changes for).
 */
import { z } from 'zod';

/** '' (the whole chain) or 24 hex characters. */
export const memberScopeKeySchema = z.string().regex(/^([0-9a-f]{24})?$/, "'' or a scope key");

export const memberScopeKinds = ['chain', 'region'] as const;
export type MemberScopeKind = (typeof memberScopeKinds)[number];

/** A store's member scope as head office sets it: `region` names the stores that share members (null: the store alone). */
export const memberScopeSettingSchema = z.strictObject({
  scope: z.enum(memberScopeKinds),
  region: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'lower-case letters, digits and dashes')
    .nullable()
    .default(null),
});
export type MemberScopeSetting = z.infer<typeof memberScopeSettingSchema>;

/** The key of a scope over `stores`: a digest of their sorted ids, so any change of the set changes it. */
export async function memberScopeKey(stores: readonly string[]): Promise<string> {
  const text = [...stores].sort().join('\n');
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest).slice(0, 12), (b) => b.toString(16).padStart(2, '0')).join('');
}
