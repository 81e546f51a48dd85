/**
 * Staff at the till: who may sign in (the store's cashier documents, PIN
 * hashes only), PIN checks with attempt limits kept in this database (a reload
 * does not reset them), and staff events written to the journal for the
 * server's audit log. Works offline: nothing here calls the server.
 *
 * PIN checks on one database run one at a time: each reads the attempt
 * record, checks the PIN and writes the record back, so two checks entered
 * in quick succession can never both read the same count and lose a failure
 * (which would let rapid guessing slip past the limit).
 */
import { monotonicFactory } from 'ulid';
import { staffSchema, type Staff } from '../../../shared/documents';
import { KassaError } from '../../../shared/errors';
import { justLocked, lockedUntil, recordFailure, recordSuccess, type PinGuard } from '../../../shared/staff/pin-guard';
import { verifyPin } from '../../../shared/staff/pin';
import { eventDocument, type EventInput } from '../../../shared/staff/till-events';
import { pointsAdjustDocuments, type PointsAdjust } from '../../../shared/staff/points-adjust';
import type { TillDatabase } from './database';
import { takeTillSeqs } from './sales';

const nextId = monotonicFactory();
const GUARD_DOC = 'pin-guard';
/** The last PIN check queued on each database. */
const pinQueues = new WeakMap<TillDatabase, Promise<unknown>>();

export type TillContext = { tillId: string; storeId: string };

/** The store's staff who may sign in, by name. */
export async function activeStaff(db: TillDatabase, storeId: string): Promise<Staff[]> {
  const docs = await db.refdata.find({ selector: { kind: 'cashier' } }).exec();
  return docs
    .map((d) => staffSchema.safeParse(d.data))
    .flatMap((r) => (r.success && r.data.active && r.data.storeId === storeId ? [r.data] : []))
    .sort((a, b) => a.name.localeCompare(b.name));
}

async function readGuard(db: TillDatabase): Promise<PinGuard> {
  const doc = await db.journal.getLocal<{ guard: PinGuard }>(GUARD_DOC);
  return (doc?.get('guard') as PinGuard | undefined) ?? {};
}

/** Writes one staff event to the journal (it reaches the server's audit log with the next push). */
export async function recordEvent(db: TillDatabase, ctx: TillContext, input: EventInput): Promise<void> {
  const [seq] = await takeTillSeqs(db, 1);
  const { _deleted: _, ...row } = eventDocument(ctx, input, nextId(), seq!, new Date().toISOString());
  await db.journal.insert(row);
}

/** Checks a PIN under the attempt limits; throws PIN_LOCKED or PIN_WRONG (with attempts and lock time). */
export function checkPin(db: TillDatabase, ctx: TillContext, staff: Staff, pin: string, action: string): Promise<void> {
  const run = (pinQueues.get(db) ?? Promise.resolve()).then(() => checkPinNow(db, ctx, staff, pin, action));
  pinQueues.set(
    db,
    run.catch(() => undefined),
  );
  return run;
}

async function checkPinNow(
  db: TillDatabase,
  ctx: TillContext,
  staff: Staff,
  pin: string,
  action: string,
): Promise<void> {
  const now = Date.now();
  const before = await readGuard(db);
  const locked = lockedUntil(before, staff.id, now);
  if (locked !== null)
    throw new KassaError('PIN_LOCKED', `${staff.name} is locked out`, { until: new Date(locked).toISOString() });
  if (await verifyPin(pin, staff.pinHash)) {
    await db.journal.upsertLocal(GUARD_DOC, { guard: recordSuccess(before, staff.id) });
    return;
  }
  const after = recordFailure(before, staff.id, now);
  await db.journal.upsertLocal(GUARD_DOC, { guard: after });
  const until = lockedUntil(after, staff.id, now);
  if (justLocked(before, after, staff.id, now)) {
    await recordEvent(db, ctx, {
      type: 'pin-locked',
      cashierId: staff.id,
      action,
      details: { failures: after[staff.id]?.failures ?? 0, until: new Date(until!).toISOString() },
    });
  }
  if (until !== null)
    throw new KassaError('PIN_LOCKED', `${staff.name} is locked out`, { until: new Date(until).toISOString() });
  throw new KassaError('PIN_WRONG', 'Wrong PIN');
}

/**
 * A manual points adjustment approved by a supervisor: the approval and the entry, one bulk write (never one
 * without the other). The caller has checked it (`checkPointsAdjust`) and the supervisor's PIN.
 */
export async function recordPointsAdjust(db: TillDatabase, ctx: TillContext, a: PointsAdjust): Promise<void> {
  const [seq] = await takeTillSeqs(db, 2);
  const docs = pointsAdjustDocuments(ctx, a, { event: nextId(), entry: nextId() }, seq!, new Date().toISOString());
  const result = await db.journal.bulkInsert(docs.map(({ _deleted: _, ...row }) => row));
  if (result.error.length > 0) throw new Error(`Could not record the adjustment: ${result.error[0]!.status}`);
}
