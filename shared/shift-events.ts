/**
 * What the details of a shift event must hold, by event type: the wire
 * contract for `shift-open`, `cash-in`, `cash-out`, `x-report` and
 * `shift-close` till events (shared/documents.ts checks every event body with
 * `shiftEventProblem`). A malformed one is refused at the server's edge with
 * PUSH_MALFORMED and writes nothing; a till never queues one (its documents
 * are parsed with the same schema before they are written).
 *
 * Invariants: every amount is integer minor units, never negative (a
 * difference is signed); a close's difference is its counted cash less its
 * expected cash; a cash movement says why.
 */
import { z } from 'zod';
import { boundedIntSchema, MAX_MINOR } from './primitives';

export const shiftEventTypes = ['shift-open', 'cash-in', 'cash-out', 'x-report', 'shift-close'] as const;
export type ShiftEventType = (typeof shiftEventTypes)[number];

const ulid = z.string().regex(/^[0-9A-HJKMNP-TV-Z]{26}$/, 'ULID');
const amount = z.number().int().min(0).max(MAX_MINOR);
const count = z.number().int().min(0).max(MAX_MINOR);
/** Points summed over a shift: far below unsafe integers. */
const points = z.number().int().min(0).max(MAX_MINOR);

const shiftRef = { shiftId: ulid, shiftNo: z.number().int().positive().max(MAX_MINOR) };

/** The totals an X or Z report carries (shared/shift.ts `reportDetails`). */
export const shiftTotalsSchema = z.strictObject({
  ...shiftRef,
  floatMinor: amount,
  salesCount: count,
  salesMinor: amount,
  discountMinor: amount,
  returnsCount: count,
  returnsMinor: amount,
  cashTakenMinor: amount,
  changeMinor: amount,
  cardMinor: amount,
  pointsTenderMinor: amount,
  // Reports of tills from before eWallets and gift cards carry none of these.
  walletMinor: amount.default(0),
  giftCardMinor: amount.default(0),
  storedValueSoldMinor: amount.default(0),
  cashRefundMinor: amount,
  cardRefundMinor: amount,
  walletRefundMinor: amount.default(0),
  giftCardRefundMinor: amount.default(0),
  cashInMinor: amount,
  cashOutMinor: amount,
  expectedCashMinor: boundedIntSchema(MAX_MINOR),
  pointsIssued: points,
  pointsRedeemed: points,
  pointsReversed: points,
  pointsRestored: points,
});

export const shiftDetailSchemas = {
  'shift-open': z.strictObject({ ...shiftRef, floatMinor: amount, currency: z.string().regex(/^[A-Z]{3}$/) }),
  'cash-in': z.strictObject({ ...shiftRef, amountMinor: amount.min(1) }),
  'cash-out': z.strictObject({ ...shiftRef, amountMinor: amount.min(1) }),
  'x-report': shiftTotalsSchema,
  'shift-close': shiftTotalsSchema
    .extend({ countedCashMinor: amount, differenceMinor: boundedIntSchema(MAX_MINOR) })
    .refine((d) => d.differenceMinor === d.countedCashMinor - d.expectedCashMinor, {
      message: 'differenceMinor must be countedCashMinor - expectedCashMinor',
      path: ['differenceMinor'],
    }),
} as const;

export function isShiftEventType(type: string): type is ShiftEventType {
  return (shiftEventTypes as readonly string[]).includes(type);
}

/** Why a shift event's details (and reason) are not valid for its type, or null when they are. */
export function shiftEventProblem(type: ShiftEventType, details: unknown, reason: string): string | null {
  const r = shiftDetailSchemas[type].safeParse(details);
  if (!r.success) {
    const issue = r.error.issues[0];
    return `${type} details: ${issue ? `${issue.path.join('.') || '(details)'}: ${issue.message}` : 'invalid'}`;
  }
  if ((type === 'cash-in' || type === 'cash-out') && reason.trim() === '') return `${type} needs a reason`;
  return null;
}
