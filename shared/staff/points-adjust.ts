/**
 * A manual points adjustment made at the till (goodwill, a correction after a
 * complaint), as journal documents. Pure; the caller makes the ids and the
 * two consecutive tillSeqs.
 *
 * Invariants:
 * - Two documents, always together and in this order: the supervisor's
 *   approval (an `override` event, action `points-adjust`, naming the
 *   member, the points and the entry it allows) and the `adjust` entry right
 *   after it. The server applies an `adjust` from a till only in that pair,
 *   approved by a supervisor of the store; alone, it is parked.
 * - The entry's natural id is `adjust:<member>:<entry id>`: one adjustment,
 *   however often it is pushed.
 * - Within ±`TILL_ADJUST_MAX_POINTS`, never zero, never below a zero balance
 *   (larger corrections are head office's: POST /api/v1/admin/members/:id/adjust).
 */
import { journalDocSchema, type EntryDoc, type EventDoc } from '../documents';
import { KassaError } from '../errors';
import { eventDocument } from './till-events';

/** The most points one adjustment at a till may add or take away. */
export const TILL_ADJUST_MAX_POINTS = 10_000;
export const POINTS_ADJUST_ACTION = 'points-adjust';

export type PointsAdjust = {
  /** The account whose points move (a household's account for its members). */
  memberId: string;
  points: number;
  reason: string;
  cashierId: string;
  /** The supervisor whose PIN allowed it (the signed-in supervisor names themselves). */
  supervisorId: string;
};

/** Throws ADJUST_BAD_POINTS (zero, not whole, too many), ADJUST_REASON_MISSING or NOT_ENOUGH_POINTS. */
export function checkPointsAdjust(balance: number, points: number, reason: string): void {
  if (!Number.isInteger(points) || points === 0 || Math.abs(points) > TILL_ADJUST_MAX_POINTS)
    throw new KassaError(
      'ADJUST_BAD_POINTS',
      `An adjustment at the till is a whole number of points from 1 to ${TILL_ADJUST_MAX_POINTS}, added or taken away`,
      { max: TILL_ADJUST_MAX_POINTS },
    );
  if (reason.trim().length < 3) throw new KassaError('ADJUST_REASON_MISSING', 'An adjustment needs a reason');
  if (balance + points < 0)
    throw new KassaError('NOT_ENOUGH_POINTS', `The member has ${balance} points; ${points} would go below zero`, {
      balance,
    });
}

/** The adjustment's natural id: one grant per entry, however often it is pushed. */
export function adjustNaturalId(memberId: string, entryId: string): string {
  return `adjust:${memberId}:${entryId}`;
}

/** The approval event and the entry, checked with the wire schema; `seq` and `seq + 1` are theirs. */
export function pointsAdjustDocuments(
  ctx: { tillId: string; storeId: string },
  a: PointsAdjust,
  ids: { event: string; entry: string },
  seq: number,
  at: string,
): [EventDoc, EntryDoc] {
  const reason = a.reason.trim();
  const event = eventDocument(
    ctx,
    {
      type: 'override',
      cashierId: a.cashierId,
      supervisorId: a.supervisorId,
      action: POINTS_ADJUST_ACTION,
      reason,
      details: { memberId: a.memberId, points: a.points, entryId: ids.entry },
    },
    ids.event,
    seq,
    at,
  );
  const entry = journalDocSchema.safeParse({
    id: ids.entry,
    tillId: ctx.tillId,
    tillSeq: seq + 1,
    at,
    memberId: a.memberId,
    kind: 'entry',
    body: {
      memberId: a.memberId,
      saleId: null,
      type: 'adjust',
      points: a.points,
      reason,
      naturalId: adjustNaturalId(a.memberId, ids.entry),
      ruleId: null,
    },
  });
  if (!entry.success || entry.data.kind !== 'entry') {
    const issue = entry.success ? undefined : entry.error.issues[0];
    throw new KassaError(
      'DOCUMENT_INVALID',
      `This adjustment cannot be recorded: ${issue ? `${issue.path.join('.')}: ${issue.message}` : 'invalid'}`,
    );
  }
  return [event, entry.data];
}

/** Whether an event is the approval of a points adjustment (the entry it names follows it). */
export function isAdjustApproval(doc: EventDoc): boolean {
  return doc.body.type === 'override' && doc.body.action === POINTS_ADJUST_ACTION;
}
