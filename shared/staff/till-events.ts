/**
 * Staff events as journal documents, and which till actions are above a
 * cashier's role. Pure; the caller makes the id and tillSeq.
 *
 * Invariants: every event is parsed with the wire schema before it is handed
 * back (a till never queues one the server must refuse); an override always
 * names the supervisor whose PIN allowed it, even when that is the signed-in
 * supervisor.
 */
import { journalDocSchema, type EventDoc, type StaffRole, type TillEventBody } from '../documents';
import { KassaError } from '../errors';

/** Voiding a basket worth this much or more (minor units) needs a supervisor. */
export const VOID_SUPERVISOR_THRESHOLD_MINOR = 2_000;
/** A return refunding this much or more (minor units) needs a supervisor. */
export const RETURN_SUPERVISOR_THRESHOLD_MINOR = 2_000;

/** The largest discount (percent off a line) a cashier gives without a supervisor. */
export const CASHIER_DISCOUNT_MAX_PERCENT = 10;

/**
 * `amountMinor` is the money at stake; for a line discount it is the percentage. A price override, a manual
 * points adjustment, a household join and a lost card's replacement are always a supervisor's.
 */
export type OverrideAction =
  'void-basket' | 'return' | 'price-override' | 'line-discount' | 'points-adjust' | 'household-join' | 'card-replace';

/** Whether this action, by someone of this role, needs a supervisor's PIN first. */
export function needsSupervisor(role: StaffRole, action: OverrideAction, amountMinor: number): boolean {
  if (role === 'supervisor') return false;
  switch (action) {
    case 'void-basket':
      return amountMinor >= VOID_SUPERVISOR_THRESHOLD_MINOR;
    case 'return':
      return amountMinor >= RETURN_SUPERVISOR_THRESHOLD_MINOR;
    case 'price-override':
    case 'points-adjust':
    case 'household-join':
    case 'card-replace':
      return true;
    case 'line-discount':
      return amountMinor > CASHIER_DISCOUNT_MAX_PERCENT;
  }
}

export type EventInput = Omit<TillEventBody, 'storeId' | 'supervisorId' | 'reason' | 'saleId' | 'details'> &
  Partial<Pick<TillEventBody, 'supervisorId' | 'reason' | 'saleId' | 'details'>>;

export function eventDocument(
  ctx: { tillId: string; storeId: string },
  input: EventInput,
  id: string,
  tillSeq: number,
  at: string,
): EventDoc {
  const r = journalDocSchema.safeParse({
    id,
    tillId: ctx.tillId,
    tillSeq,
    at,
    memberId: '',
    kind: 'event',
    body: { ...input, storeId: ctx.storeId },
  });
  if (!r.success || r.data.kind !== 'event') {
    const issue = r.success ? undefined : r.error.issues[0];
    throw new KassaError(
      'DOCUMENT_INVALID',
      `This event cannot be recorded: ${issue ? `${issue.path.join('.')}: ${issue.message}` : 'invalid'}`,
    );
  }
  return r.data;
}
