/**
 * A lost card replaced at a till (shared/documents.ts `card-replace`).
 *
 * Invariants:
 * - The member keeps their id, so their balance, lots, tier and history stay as they are: only the card number
 *   changes, and the member is re-stamped so every till pulls the new number (and loses the old one).
 * - The old number is blocked for good (`blocked_cards`): never given to another member.
 * - Audited with the supervisor. Parked whole, nothing changed, when: no supervisor of the store approved it
 *   (`CARD_REPLACE_NOT_APPROVED`); the member is unknown; the card named as old is not the member's card now
 *   (replaced already, at another till or by head office: `CARD_REPLACE_STALE`, flagged); a number from the
 *   till's ranges is not in them (`CARD_NOT_IN_RANGE`); the new card belongs to someone else or is blocked
 *   (`CARD_IN_USE`, flagged).
 */
import type { CardReplaceBody, MemberDoc } from '../../shared/documents';
import { inCardRanges, type CardRange } from '../../shared/member-card';
import { audit } from '../admin/access';
import type { Query } from '../db';
import { flag, memberRow, park, type Batch } from './batch';
import { staffRole } from './events';

export async function takeCardReplace(q: Query, b: Batch, doc: MemberDoc, r: CardReplaceBody): Promise<void> {
  const till = b.till.tillId;
  await audit(q, { id: `cashier:${r.supervisorId}`, source: `till:${till}` }, 'till-event.card-replace', doc.memberId, {
    docId: doc.id,
    cashierId: r.cashierId,
    supervisorId: r.supervisorId,
    oldCardNumber: r.oldCardNumber,
    newCardNumber: r.newCardNumber,
    tillTime: doc.at,
  });
  const refuse = async (code: string, reason: string, flagged = false) => {
    if (flagged) await flag(q, 'card-replace-parked', doc.memberId, till, doc.id, { code, reason });
    await park(q, b, doc, { code, reason });
  };
  if ((await staffRole(q, b.till.storeId, r.supervisorId)) !== 'supervisor')
    return refuse(
      'CARD_REPLACE_NOT_APPROVED',
      `The card replacement names ${r.supervisorId}, who is not a supervisor of store ${b.till.storeId}`,
    );
  if (!(await memberRow(q, b, doc.memberId)))
    return refuse('UNKNOWN_MEMBER', `No member ${doc.memberId} on the server`);
  const [m] = await q<{ card_number: string }>('SELECT card_number FROM members WHERE id = $1 FOR UPDATE', [
    doc.memberId,
  ]);
  if (m!.card_number !== r.oldCardNumber)
    return refuse(
      'CARD_REPLACE_STALE',
      `The till replaced card ${r.oldCardNumber}, but the member's card is ${m!.card_number} now`,
      true,
    );
  if (r.cardSource === 'range') {
    const ranges = await q<CardRange>('SELECT first, last FROM card_ranges WHERE till_id = $1', [till]);
    if (!inCardRanges(r.newCardNumber, ranges))
      return refuse('CARD_NOT_IN_RANGE', `Card ${r.newCardNumber} is not in the card ranges of till ${till}`);
  }
  const [taken] = await q<{ id: string }>(
    `SELECT id FROM members WHERE card_number = $1
     UNION ALL SELECT member_id FROM blocked_cards WHERE card_number = $1 LIMIT 1`,
    [r.newCardNumber],
  );
  if (taken) return refuse('CARD_IN_USE', `Card ${r.newCardNumber} belongs to member ${taken.id} or is blocked`, true);
  await q('UPDATE members SET card_number = $2 WHERE id = $1', [doc.memberId, r.newCardNumber]);
  await q(
    `INSERT INTO blocked_cards (card_number, member_id, till_id, doc_id) VALUES ($1, $2, $3, $4)
     ON CONFLICT DO NOTHING`,
    [r.oldCardNumber, doc.memberId, till, doc.id],
  );
  // Re-stamped with the push's members (members.ts): every till pulls the new number.
  b.touched.add(doc.memberId);
  if (r.cardSource === 'range') b.enrolled = true;
}
