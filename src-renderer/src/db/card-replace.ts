/**
 * A lost card replaced at the till: the member keeps their id, points and
 * history; the new card (scanned from a new plastic card, or numbered from this
 * till's ranges) finds them at once, offline too, and the old one finds no one
 * (db/enrolment.ts `withLocalMembers`). One journal document, approved by a
 * supervisor (the caller has checked their PIN); the server moves the member to
 * the new number and blocks the old one for good (src-server/ingest/card-replace.ts).
 */
import { monotonicFactory } from 'ulid';
import { journalDocSchema } from '../../../shared/documents';
import { KassaError } from '../../../shared/errors';
import type { MemberRecord } from '../../../shared/member-snapshot';
import type { TillDatabase } from './database';
import { pickCard, rememberCardGiven, type EnrolContext } from './enrolment';
import { takeTillSeqs } from './sales';

const nextId = monotonicFactory();

export type CardReplacement = {
  member: Pick<MemberRecord, 'id' | 'cardNumber'>;
  source: 'range' | 'card';
  /** The new plastic card's number, for `card`. */
  typed: string;
  cashierId: string;
  supervisorId: string;
};

/** Writes the replacement; returns the new card. Throws CARD_IN_USE or CARD_RANGE_EXHAUSTED, writing nothing. */
export async function replaceCard(
  db: TillDatabase,
  ctx: Pick<EnrolContext, 'tillId' | 'storeId' | 'members' | 'ref'>,
  r: CardReplacement,
): Promise<string> {
  const card = await pickCard(db, ctx, r.source, r.typed);
  const [seq] = await takeTillSeqs(db, 1);
  const parsed = journalDocSchema.safeParse({
    id: nextId(),
    tillId: ctx.tillId,
    tillSeq: seq,
    at: new Date().toISOString(),
    memberId: r.member.id,
    kind: 'member',
    body: {
      type: 'card-replace',
      storeId: ctx.storeId,
      cashierId: r.cashierId,
      supervisorId: r.supervisorId,
      oldCardNumber: r.member.cardNumber,
      newCardNumber: card,
      cardSource: r.source,
    },
  });
  if (!parsed.success)
    throw new KassaError('DOCUMENT_INVALID', `This card cannot be recorded: ${parsed.error.issues[0]?.message ?? ''}`, {
      field: 'cardNumber',
    });
  const { _deleted: _, ...row } = parsed.data;
  await db.journal.insert(row);
  if (r.source === 'range') await rememberCardGiven(db, card);
  return card;
}
