/**
 * Finding a member at the till from what the cashier scanned or typed: a
 * card number, a phone number, or the start of a name.
 *
 * The till holds no phone numbers, only each member's keyed phone hash
 * (shared/phone.ts). Typed text that is a possible phone number is
 * normalised to E.164 with the store's country as the default region, hashed
 * with the chain's phone keys from the store's config, and looked up by hash.
 * Cards match exactly, first. Two members with the same phone are reported as
 * ambiguous, never resolved by guessing.
 *
 * Text with a letter in it that is no card is a name: normalised
 * (shared/member-name.ts: accents and case folded, Cyrillic kept) and looked
 * up as a prefix of any word of members' names, at most NAME_MATCHES of
 * them, sorted by name. One match is the member; several are the cashier's
 * to pick from, never picked by guessing. Names are searchable once the
 * store's bootstrap is complete (the server answers no name searches).
 *
 * While the member store's bootstrap is incomplete (`online` given), a
 * member it does not hold is looked up on the server; when the server cannot
 * answer either, the answer is `still-loading`, never "not found". A till
 * holding its region's members only (`regionOnly`) looks up every member it
 * lacks the same way, and answers `elsewhere-offline` when it cannot.
 */
import type { StoreConfig } from '../../../shared/documents';
import type { MemberRecord } from '../../../shared/member-snapshot';
import { looksLikeName, nameQuery, normaliseName } from '../../../shared/member-name';
import { phoneLookupHashes } from '../../../shared/phone';
import type { MemberFinder } from './enrolment';
import type { MemberStore } from './member-store';
import type { OnlineLookup } from './member-sync-client';

export type MemberLookup =
  /** `online`: found on the server, because this till's member store is still loading. */
  | { kind: 'found'; member: MemberRecord; by: 'card' | 'phone'; online: boolean }
  /** `asPhone`: the text was a possible phone number and was looked up by its hash too. */
  | { kind: 'not-found'; asPhone: boolean }
  | { kind: 'ambiguous' }
  /** A card replaced at this till as lost: it finds no one. */
  | { kind: 'blocked' }
  /** The text was a name: the members it starts a word of, sorted by name (`more`: others not shown). */
  | { kind: 'by-name'; members: MemberRecord[]; more: boolean }
  | { kind: 'name-not-found' }
  /** Not in the store, which is still loading, and the server could not be asked. */
  | { kind: 'still-loading' }
  /** Not in the store, which holds its region's members only (partial), and the server could not be asked. */
  | { kind: 'elsewhere-offline' };

/** Members a name search shows at most. */
export const NAME_MATCHES = 20;

/** Members whose name has a word starting with `text` (normalised), at most `limit`, sorted by name then card. */
export async function searchMembersByName(
  store: Pick<MemberStore, 'byNamePrefix'>,
  text: string,
  limit = NAME_MATCHES,
): Promise<{ members: MemberRecord[]; more: boolean }> {
  const found = await store.byNamePrefix(nameQuery(text), limit);
  const sortKey = new Map(found.members.map((m) => [m.id, normaliseName(m.name)]));
  found.members.sort((a, b) => {
    const x = sortKey.get(a.id)!;
    const y = sortKey.get(b.id)!;
    return x < y ? -1 : x > y ? 1 : a.cardNumber < b.cardNumber ? -1 : a.cardNumber > b.cardNumber ? 1 : 0;
  });
  return found;
}

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
  /** Given while the store's bootstrap is incomplete, and on a till that holds its region's members only. */
  online: OnlineLookup | null = null,
  /** The store is complete but holds its region's members only (member-sync-client.ts `holdsRegionOnly`). */
  regionOnly = false,
): Promise<MemberLookup> {
  const unanswered: MemberLookup = regionOnly ? { kind: 'elsewhere-offline' } : { kind: 'still-loading' };
  const code = text.trim();
  if (code === '') return { kind: 'not-found', asPhone: false };
  const byCard = await store.byCard(code);
  if (byCard) return { kind: 'found', member: byCard, by: 'card', online: false };
  if (await store.blocked?.(code)) return { kind: 'blocked' };
  if (looksLikeName(code) && nameQuery(code) !== '') {
    const named = await searchMembersByName(store, code);
    if (named.members.length > 0) return { kind: 'by-name', ...named };
    // Names are searched in the store only (the server answers no name searches): a region's till finds its own.
    return online && !regionOnly ? { kind: 'still-loading' } : { kind: 'name-not-found' };
  }
  let unreachable = false;
  if (online) {
    const remote = await online({ card: code });
    if (remote === 'unreachable') unreachable = true;
    else if (remote[0]) return { kind: 'found', member: remote[0], by: 'card', online: true };
  }
  const hashes = config ? phoneLookupHashes(code, config.country, config.phoneKeys) : [];
  if (hashes.length === 0) return unreachable ? unanswered : { kind: 'not-found', asPhone: false };
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
  return unreachable ? unanswered : { kind: 'not-found', asPhone: true };
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
