/**
 * Finding a member at the till from what the cashier scanned or typed: a
 * card number, or a phone number.
 *
 * The till holds no phone numbers, only each member's keyed phone hash
 * (shared/phone.ts). Typed text that is a possible phone number is
 * normalised to E.164 with the store's country as the default region, hashed
 * with the chain's phone keys from the store's config, and looked up by hash.
 * Cards match exactly, first. Two members with the same phone are reported as
 * ambiguous, never resolved by guessing.
 *
 * While the member store's bootstrap is incomplete (`online` given), a
 * member it does not hold is looked up on the server; when the server cannot
 * answer either, the answer is `still-loading`, never "not found".
 */
import type { StoreConfig } from '../../../shared/documents';
import type { MemberRecord } from '../../../shared/member-snapshot';
import { phoneLookupHashes } from '../../../shared/phone';
import type { MemberFinder } from './enrolment';
import type { OnlineLookup } from './member-sync-client';

export type MemberLookup =
  /** `online`: found on the server, because this till's member store is still loading. */
  | { kind: 'found'; member: MemberRecord; by: 'card' | 'phone'; online: boolean }
  /** `asPhone`: the text was a possible phone number and was looked up by its hash too. */
  | { kind: 'not-found'; asPhone: boolean }
  | { kind: 'ambiguous' }
  /** Not in the store, which is still loading, and the server could not be asked. */
  | { kind: 'still-loading' };

async function byPhoneOnline(online: OnlineLookup, hashes: readonly string[]): Promise<MemberRecord[] | 'unreachable'> {
  const found = new Map<string, MemberRecord>();
  for (const phoneHash of hashes) {
    const members = await online({ phoneHash });
    if (members === 'unreachable') return 'unreachable';
    for (const m of members) found.set(m.id, m);
  }
  return [...found.values()];
}

export async function lookupMember(
  store: MemberFinder,
  text: string,
  config: Pick<StoreConfig, 'country' | 'phoneKeys'> | null,
  /** Given while the store's bootstrap is incomplete. */
  online: OnlineLookup | null = null,
): Promise<MemberLookup> {
  const code = text.trim();
  if (code === '') return { kind: 'not-found', asPhone: false };
  const byCard = await store.byCard(code);
  if (byCard) return { kind: 'found', member: byCard, by: 'card', online: false };
  let unreachable = false;
  if (online) {
    const remote = await online({ card: code });
    if (remote === 'unreachable') unreachable = true;
    else if (remote[0]) return { kind: 'found', member: remote[0], by: 'card', online: true };
  }
  const hashes = config ? phoneLookupHashes(code, config.country, config.phoneKeys) : [];
  if (hashes.length === 0) return unreachable ? { kind: 'still-loading' } : { kind: 'not-found', asPhone: false };
  let byPhone = await store.byPhoneHashes(hashes);
  let fromServer = false;
  if (byPhone.length === 0 && online && !unreachable) {
    const remote = await byPhoneOnline(online, hashes);
    if (remote === 'unreachable') unreachable = true;
    else {
      byPhone = remote;
      fromServer = true;
    }
  }
  if (byPhone.length > 1) return { kind: 'ambiguous' };
  if (byPhone[0]) return { kind: 'found', member: byPhone[0], by: 'phone', online: fromServer };
  return unreachable ? { kind: 'still-loading' } : { kind: 'not-found', asPhone: true };
}

/** A member by id: from the store, else (while it loads) from the server; null when neither has it. */
export async function memberById(
  store: MemberFinder,
  id: string,
  online: OnlineLookup | null,
): Promise<MemberRecord | null> {
  const local = await store.byId(id);
  if (local || !online) return local;
  const remote = await online({ id });
  return remote === 'unreachable' ? null : (remote[0] ?? null);
}
