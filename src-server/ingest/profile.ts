/**
 * A member's contact details or marketing consent changed at a till (shared/documents.ts `profile-edit`).
 *
 * Conflict rule, per field: the latest change by its time wins. A phone or e-mail edit counts at the till's time
 * (`doc.at`), a consent at the consent's own time; each field keeps the time of its last change
 * (`members.profile_changed_at`). An edit older than that is not applied to that field and is flagged
 * (`profile-edit-stale`) for review, with what it would have set; the other fields of the same edit still apply.
 *
 * Invariants: never a merge — a phone or e-mail address another member has is applied and flagged
 * (`duplicate-contact`), as at enrolment; a new phone is hashed under the current key and the member re-stamped, so
 * every till finds them by it; an unknown member parks the edit; an erased member's edit is parked, never applied.
 */
import type { MemberDoc, ProfileEditBody } from '../../shared/documents';
import type { Query } from '../db';
import { phoneColumns } from '../privacy/phone-keys';
import { flag, park, type Batch } from './batch';

type Field = 'phone' | 'email' | 'consent';

export async function takeProfileEdit(q: Query, b: Batch, doc: MemberDoc, e: ProfileEditBody): Promise<void> {
  const till = b.till.tillId;
  const [m] = await q<{ erased_at: unknown; store_id: string; changed: Record<string, string> }>(
    'SELECT erased_at, store_id, profile_changed_at AS changed FROM members WHERE id = $1 FOR UPDATE',
    [doc.memberId],
  );
  if (!m) return park(q, b, doc, { code: 'UNKNOWN_MEMBER', reason: `No member ${doc.memberId} on the server` });
  if (m.erased_at !== null)
    return park(q, b, doc, { code: 'MEMBER_ERASED', reason: `Member ${doc.memberId} was erased` });
  const wanted: Array<[Field, string]> = [];
  if (e.phone !== undefined) wanted.push(['phone', doc.at]);
  if (e.email !== undefined) wanted.push(['email', doc.at]);
  if (e.consent !== undefined) wanted.push(['consent', e.consent.at]);
  const changed = { ...m.changed };
  const applied: Field[] = [];
  for (const [field, at] of wanted) {
    const last = changed[field];
    if (last !== undefined && Date.parse(last) > Date.parse(at)) {
      await flag(q, 'profile-edit-stale', doc.memberId, till, doc.id, { field, editAt: at, lastChangeAt: last });
      continue;
    }
    changed[field] = at;
    applied.push(field);
  }
  if (applied.length === 0) return;
  if (applied.includes('phone')) {
    const { phoneHash, phoneKeyId } = await phoneColumns(q, e.phone!, m.store_id);
    await q('UPDATE members SET phone = $2, phone_hash = $3, phone_key_id = $4 WHERE id = $1', [
      doc.memberId,
      e.phone,
      phoneHash,
      phoneKeyId,
    ]);
  }
  if (applied.includes('email')) await q('UPDATE members SET email = $2 WHERE id = $1', [doc.memberId, e.email]);
  if (applied.includes('consent'))
    await q('UPDATE members SET consent = $2 WHERE id = $1', [
      doc.memberId,
      JSON.stringify({ ...e.consent, cashierId: e.cashierId }),
    ]);
  await q('UPDATE members SET profile_changed_at = $2 WHERE id = $1', [doc.memberId, JSON.stringify(changed)]);
  const phone = applied.includes('phone') ? (e.phone ?? '') : '';
  const email = applied.includes('email') ? (e.email ?? '').toLowerCase() : '';
  if (phone !== '' || email !== '') {
    const others = await q<{ id: string; phone: boolean; email: boolean }>(
      `SELECT id, ($1 <> '' AND phone = $1) AS phone, ($2 <> '' AND lower(email) = $2) AS email FROM members
        WHERE id <> $3 AND erased_at IS NULL AND NOT deleted AND (($1 <> '' AND phone = $1) OR ($2 <> '' AND lower(email) = $2))
        ORDER BY id LIMIT 20`,
      [phone, email, doc.memberId],
    );
    for (const o of others)
      for (const field of ['phone', 'email'] as const)
        if (o[field]) await flag(q, 'duplicate-contact', doc.memberId, till, o.id, { field, otherMemberId: o.id });
  }
  // Re-stamped with the push's members: tills pull the new phone hash.
  b.touched.add(doc.memberId);
}
