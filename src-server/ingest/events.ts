/**
 * Staff events from a till (sign-in, sign-out, PIN lock-out, supervisor
 * override): each becomes one audit line with who (the cashier, and the
 * supervisor for an override), what, when (the till's time beside the
 * server's) and from where (`till:<id>`).
 *
 * Invariants: an event is audited once (its document id is in the detail and
 * the inbox outcome keeps it from being taken twice); an event naming a
 * cashier the store does not have, or an override allowed by someone who is
 * not one of the store's supervisors, is audited and also parked for review.
 */
import type { EventDoc } from '../../shared/documents';
import type { Query } from '../db';
import { audit } from '../admin/access';
import { park, type Batch } from './batch';

async function staffRole(q: Query, storeId: string, id: string): Promise<string | null> {
  const rows = await q<{ role: string }>('SELECT role FROM cashiers WHERE id = $1 AND store_id = $2', [id, storeId]);
  return rows[0]?.role ?? null;
}

export async function takeEvent(q: Query, b: Batch, doc: EventDoc): Promise<void> {
  const e = doc.body;
  const cashierRole = await staffRole(q, b.till.storeId, e.cashierId);
  const supervisorRole = e.supervisorId ? await staffRole(q, b.till.storeId, e.supervisorId) : null;
  const actor = e.type === 'override' && e.supervisorId ? e.supervisorId : e.cashierId;
  await audit(
    q,
    { id: `cashier:${actor}`, source: `till:${b.till.tillId}` },
    `till-event.${e.type}`,
    e.saleId ?? e.action,
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
  } else if (e.type === 'override' && supervisorRole !== 'supervisor') {
    await park(q, b, doc, {
      code: 'OVERRIDE_NOT_SUPERVISOR',
      reason: `The override ${e.action} names ${e.supervisorId ?? 'nobody'}, who is not a supervisor of store ${b.till.storeId}`,
    });
  }
}
