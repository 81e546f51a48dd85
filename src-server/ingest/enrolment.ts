/**
 * A member enrolled at a till (shared/enrolment.ts), taken from its push.
 *
 * Invariants:
 * - The member is inserted with the id and the first state the till gave it
 *   (`enrolledState`), and a member version at seq 0 holding that state: the
 *   till quoted its first sales on exactly that version, so their re-check
 *   is exact.
 * - Never a silent merge: a phone number or e-mail address another member
 *   already has is flagged (`duplicate-contact`, one flag per other member
 *   and field) and both members stay; a card number another member already
 *   holds is flagged (`duplicate-card`) and the new member gets a retired
 *   card (`~` + id) until head office gives it one, so no scan finds two.
 * - A card the till says it gave out from its ranges but that is not in them
 *   is parked (`CARD_NOT_IN_RANGE`), and so is an enrolment whose member id
 *   exists already: nothing is written for either.
 * - An unknown referrer is flagged and dropped; the member is still enrolled.
 */
import type { EnrolmentBody, MemberDoc } from '../../shared/documents';
import { enrolledState } from '../../shared/enrolment';
import { inCardRanges, type CardRange } from '../../shared/member-card';
import type { Query } from '../db';
import { phoneColumns } from '../privacy/phone-keys';
import { retiredCardNumber } from '../privacy/members';
import { flag, memberRow, park, type Batch } from './batch';

export async function takeEnrolment(q: Query, b: Batch, doc: MemberDoc, e: EnrolmentBody): Promise<void> {
  const id = doc.memberId;
  const till = b.till.tillId;
  if (await memberRow(q, b, id))
    return park(q, b, doc, { code: 'MEMBER_EXISTS', reason: `Member ${id} is enrolled already` });
  if (e.cardSource === 'range') {
    const ranges = await q<CardRange>('SELECT first, last FROM card_ranges WHERE till_id = $1', [till]);
    if (!inCardRanges(e.cardNumber, ranges))
      return park(q, b, doc, {
        code: 'CARD_NOT_IN_RANGE',
        reason: `Card ${e.cardNumber} is not in the card ranges of till ${till}`,
      });
  }
  let card = e.cardNumber;
  // A card another member holds, or one blocked when it was reported lost.
  const [holder] = await q<{ id: string }>(
    `SELECT id FROM members WHERE card_number = $1
     UNION ALL SELECT member_id FROM blocked_cards WHERE card_number = $1 LIMIT 1`,
    [card],
  );
  if (holder) {
    await flag(q, 'duplicate-card', id, till, holder.id, { cardNumber: card, otherMemberId: holder.id });
    card = retiredCardNumber(id);
  }
  const others = await q<{ id: string; phone: boolean; email: boolean }>(
    `SELECT id, ($1 <> '' AND phone = $1) AS phone, ($2 <> '' AND lower(email) = $2) AS email FROM members
      WHERE erased_at IS NULL AND NOT deleted AND (($1 <> '' AND phone = $1) OR ($2 <> '' AND lower(email) = $2))
      ORDER BY id LIMIT 20`,
    [e.phone, e.email],
  );
  for (const o of others) {
    for (const field of ['phone', 'email'] as const) {
      if (o[field]) await flag(q, 'duplicate-contact', id, till, o.id, { field, otherMemberId: o.id });
    }
  }
  let state = enrolledState(e);
  if (e.referrerId && !(await memberRow(q, b, e.referrerId))) {
    await flag(q, 'referrer-unknown', id, till, e.referrerId, { referrerId: e.referrerId });
    state = { ...state, referredBy: null };
  }
  const { phoneHash, phoneKeyId } = await phoneColumns(q, e.phone, e.storeId);
  await q(
    `INSERT INTO members (id, card_number, store_id, name, phone, email, enrolled_at, state, seq,
                          phone_hash, phone_key_id, birth_year, consent, enrolled_at_till)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 0, $9, $10, $11, $12, $13)`,
    [
      id,
      card,
      e.storeId,
      e.name,
      e.phone,
      e.email,
      doc.at,
      JSON.stringify(state),
      phoneHash,
      phoneKeyId,
      e.birthday?.year ?? null,
      JSON.stringify({ ...e.consent, cashierId: e.cashierId }),
      till,
    ],
  );
  await q(`INSERT INTO member_versions (member_id, seq, state) VALUES ($1, 0, $2) ON CONFLICT DO NOTHING`, [
    id,
    JSON.stringify(state),
  ]);
  // Later units of this push (the sign-up bonus, first sales) find the member; its mark moves with the push
  // (no till database has one yet).
  b.memberRows.set(id, { id, state, marks: new Map([[b.epoch, 0]]) });
  b.touched.add(id);
  b.enrolled = true;
}
