/**
 * Staff events from a till (sign-in, sign-out, PIN lock-out, supervisor
 * override): each becomes one audit line with who (the cashier, and the
 * supervisor for an override), what, when (the till's time beside the
 * server's) and from where (`till:<id>`).
 *
 * Shift events (open, cash in/out, X report, close with the Z totals) are
 * audited the same way, targeted at `shift:<id>`, so head office reads one
 * shift's lines together; their details were checked at the edge
 * (shared/shift-events.ts).
 *
 * Invariants: an event is audited once (its document id is in the detail and
 * the inbox outcome keeps it from being taken twice); an event naming a
 * cashier the store does not have, an override allowed by someone who is not
 * one of the store's supervisors, or a cash out or shift close over its
 * supervisor threshold without one of the store's supervisors, is audited and
 * also parked for review.
 */
import type { EventDoc } from '../../shared/documents';
import type { Query } from '../db';
import { isShiftEventType } from '../../shared/shift-events';
import { shiftNeedsSupervisor } from '../../shared/shift';
import { audit } from '../admin/access';
import { park, type Batch } from './batch';

/** The role of one of the store's staff; null for someone the store does not have. */
export async function staffRole(q: Query, storeId: string, id: string): Promise<string | null> {
  const rows = await q<{ role: string }>('SELECT role FROM cashiers WHERE id = $1 AND store_id = $2', [id, storeId]);
  return rows[0]?.role ?? null;
}

/** Audits the event; false when it was also parked (an unknown cashier, an approval by no supervisor). */
export async function takeEvent(q: Query, b: Batch, doc: EventDoc): Promise<boolean> {
  const e = doc.body;
  const cashierRole = await staffRole(q, b.till.storeId, e.cashierId);
  const supervisorRole = e.supervisorId ? await staffRole(q, b.till.storeId, e.supervisorId) : null;
  const actor = e.type === 'override' && e.supervisorId ? e.supervisorId : e.cashierId;
  await audit(
    q,
    { id: `cashier:${actor}`, source: `till:${b.till.tillId}` },
    `till-event.${e.type}`,
    isShiftEventType(e.type) ? `shift:${String(e.details.shiftId)}` : (e.saleId ?? e.action),
    {
      docId: doc.id,
      action: e.action,
      cashierId: e.cashierId,
      supervisorId: e.supervisorId,
      reason: e.reason,
      tillTime: doc.at,
      details: e.details,
    },
  );
  if (cashierRole === null) {
    await park(q, b, doc, {
      code: 'CASHIER_UNKNOWN',
      reason: `Store ${b.till.storeId} has no cashier ${e.cashierId}`,
    });
    return false;
  }
  if (e.type === 'override' && supervisorRole !== 'supervisor') {
    await park(q, b, doc, {
      code: 'OVERRIDE_NOT_SUPERVISOR',
      reason: `The override ${e.action} names ${e.supervisorId ?? 'nobody'}, who is not a supervisor of store ${b.till.storeId}`,
    });
    return false;
  }
  if (unapprovedShiftAction(e, cashierRole) && supervisorRole !== 'supervisor') {
    await park(q, b, doc, {
      code: 'SHIFT_NOT_APPROVED',
      reason: `The ${e.type} of shift ${String(e.details.shiftId)} needs a supervisor of store ${b.till.storeId}; it names ${e.supervisorId ?? 'nobody'}`,
    });
    return false;
  }
  return true;
}

/** A cash out or a shift close over its supervisor threshold (shared/shift.ts), by someone who is no supervisor. */
function unapprovedShiftAction(e: EventDoc['body'], cashierRole: string): boolean {
  const role = cashierRole === 'supervisor' ? 'supervisor' : 'cashier';
  if (e.type === 'cash-out') return shiftNeedsSupervisor(role, 'cash-out', Number(e.details.amountMinor));
  if (e.type === 'shift-close')
    return shiftNeedsSupervisor(role, 'close-difference', Number(e.details.differenceMinor));
  return false;
}
