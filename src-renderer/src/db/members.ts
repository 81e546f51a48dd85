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
 */
import type { StoreConfig } from '../../../shared/documents';
import { phoneLookupHashes } from '../../../shared/phone';
import type { TillDatabase } from './database';
import type { MemberRow } from './schemas';

export type MemberLookup =
  | { kind: 'found'; member: MemberRow; by: 'card' | 'phone' }
  /** `asPhone`: the text was a possible phone number and was looked up by its hash too. */
  | { kind: 'not-found'; asPhone: boolean }
  | { kind: 'ambiguous' };

export async function lookupMember(
  db: TillDatabase,
  text: string,
  store: Pick<StoreConfig, 'country' | 'phoneKeys'> | null,
): Promise<MemberLookup> {
  const code = text.trim();
  if (code === '') return { kind: 'not-found', asPhone: false };
  const byCard = await db.members.findOne({ selector: { cardNumber: code } }).exec();
  if (byCard) return { kind: 'found', member: byCard.toJSON() as MemberRow, by: 'card' };
  const hashes = store ? phoneLookupHashes(code, store.country, store.phoneKeys) : [];
  if (hashes.length === 0) return { kind: 'not-found', asPhone: false };
  const byPhone = await db.members.find({ selector: { phoneHash: { $in: hashes } }, limit: 2 }).exec();
  if (byPhone.length === 0) return { kind: 'not-found', asPhone: true };
  if (byPhone.length > 1) return { kind: 'ambiguous' };
  return { kind: 'found', member: byPhone[0]!.toJSON() as MemberRow, by: 'phone' };
}
