/**
 * The till's shift, kept in its own database: works offline, survives a
 * restart. No new collection and no schema change: the shift's events
 * (open, cash in/out, X report, close with the Z totals) are journal `event`
 * documents, pushed to the server like every other till event, and the
 * shift the till has open is a local document (`shift`) beside them.
 *
 * Invariants:
 * - The journal is the truth; the local document is a pointer that can be
 *   rebuilt from it. It is written after the event, so a till stopped
 *   between the two finds the event on the next load (`loadShift` reads the
 *   journal above the last shift event it knew of) and no shift is opened or
 *   closed twice.
 * - A report counts the journal documents between the shift's open event and
 *   its close event (tillSeq order, never the till's clock). Journal
 *   compaction keeps every document of the open shift (journal-compaction.ts).
 * - A shift is closed with the tillSeq its close event gets: a document
 *   written after it belongs to the next shift.
 */
import { monotonicFactory } from 'ulid';
import type { StaffRole } from '../../../shared/documents';
import { KassaError } from '../../../shared/errors';
import {
  closeReport,
  checkAmount,
  shiftEvents,
  shiftReport,
  type ClosedShiftReport,
  type Shift,
  type ShiftDoc,
  type ShiftReport,
} from '../../../shared/shift';
import { eventDocument, type EventInput } from '../../../shared/staff/till-events';
import type { TillDatabase } from './database';
import { takeTillSeqs } from './sales';
import type { TillContext } from './staff';

const nextId = monotonicFactory();
export const SHIFT_DOC = 'shift';

/** What the local document holds: the open shift, the last shift event seen, the last Z report (for a reprint). */
type ShiftState = { current: Shift | null; boundarySeq: number; lastShiftNo: number; lastZ: ClosedShiftReport | null };

const EMPTY: ShiftState = { current: null, boundarySeq: 0, lastShiftNo: 0, lastZ: null };

/** Who does a shift action: the signed-in cashier, and the supervisor who allowed it when one had to. */
export type ShiftActor = { cashierId: string; role: StaffRole; supervisorId?: string | null };

async function readState(db: TillDatabase): Promise<ShiftState> {
  const doc = await db.journal.getLocal<{ state: ShiftState }>(SHIFT_DOC);
  return (doc?.get('state') as ShiftState | undefined) ?? EMPTY;
}

async function writeState(db: TillDatabase, state: ShiftState): Promise<void> {
  await db.journal.upsertLocal(SHIFT_DOC, { state });
}

async function docsAbove(db: TillDatabase, seq: number): Promise<ShiftDoc[]> {
  const docs = await db.journal.find({ selector: { tillSeq: { $gt: seq } }, sort: [{ tillSeq: 'asc' }] }).exec();
  return docs.map((d) => d.toJSON() as ShiftDoc);
}

/**
 * The shift's state, with any shift event the local document missed (a till stopped between writing the event
 * and the pointer) taken from the journal.
 */
async function reconciled(db: TillDatabase, tillId: string): Promise<ShiftState> {
  const state = await readState(db);
  const later = (await docsAbove(db, state.boundarySeq)).filter(
    (d) => d.kind === 'event' && (d.body.type === 'shift-open' || d.body.type === 'shift-close'),
  );
  if (later.length === 0) return state;
  let next = state;
  for (const d of later) {
    if (d.kind !== 'event') continue;
    const details = d.body.details;
    const shiftNo = Number(details.shiftNo);
    if (d.body.type === 'shift-open') {
      next = {
        ...next,
        boundarySeq: d.tillSeq,
        lastShiftNo: Math.max(next.lastShiftNo, shiftNo),
        current: {
          shiftId: String(details.shiftId),
          shiftNo,
          tillId,
          currency: String(details.currency),
          floatMinor: Number(details.floatMinor),
          openedAt: d.at,
          openedBy: d.body.cashierId,
          openSeq: d.tillSeq,
        },
      };
    } else next = { ...next, boundarySeq: d.tillSeq, current: null };
  }
  await writeState(db, next);
  return next;
}

/** The shift open on this till, or null. */
export async function loadShift(db: TillDatabase, tillId: string): Promise<Shift | null> {
  return (await reconciled(db, tillId)).current;
}

/** The last Z report this till printed, for a reprint. */
export async function lastZReport(db: TillDatabase): Promise<ClosedShiftReport | null> {
  return (await readState(db)).lastZ;
}

/** The tillSeq of the open shift's open event, or null: compaction keeps everything after it. */
export async function openShiftSeq(db: TillDatabase): Promise<number | null> {
  return (await readState(db)).current?.openSeq ?? null;
}

async function writeEvent(
  db: TillDatabase,
  ctx: TillContext,
  input: EventInput,
  seq?: number,
): Promise<{ seq: number; at: string }> {
  const tillSeq = seq ?? (await takeTillSeqs(db, 1))[0]!;
  const at = new Date().toISOString();
  const { _deleted: _, ...row } = eventDocument(ctx, input, nextId(), tillSeq, at);
  await db.journal.insert(row);
  return { seq: tillSeq, at };
}

/** Opens a shift with `floatMinor` in the drawer. Throws SHIFT_ALREADY_OPEN or SHIFT_BAD_AMOUNT. */
export async function openShift(
  db: TillDatabase,
  ctx: TillContext,
  input: { floatMinor: number; currency: string; who: ShiftActor },
): Promise<Shift> {
  checkAmount(input.floatMinor, true);
  const state = await reconciled(db, ctx.tillId);
  if (state.current) throw new KassaError('SHIFT_ALREADY_OPEN', `Shift ${state.current.shiftNo} is open already`);
  const [seq] = await takeTillSeqs(db, 1);
  const at = new Date().toISOString();
  const shift: Shift = {
    shiftId: nextId(),
    shiftNo: state.lastShiftNo + 1,
    tillId: ctx.tillId,
    currency: input.currency,
    floatMinor: input.floatMinor,
    openedAt: at,
    openedBy: input.who.cashierId,
    openSeq: seq!,
  };
  await writeEvent(db, ctx, shiftEvents.open(shift, input.who), seq);
  await writeState(db, { ...state, current: shift, boundarySeq: seq!, lastShiftNo: shift.shiftNo });
  return shift;
}

async function openOrThrow(db: TillDatabase, tillId: string): Promise<Shift> {
  const shift = await loadShift(db, tillId);
  if (!shift) throw new KassaError('SHIFT_NOT_OPEN', 'No shift is open on this till');
  return shift;
}

/** The open shift's report so far (nothing written). */
export async function currentReport(db: TillDatabase, tillId: string): Promise<ShiftReport> {
  const shift = await openOrThrow(db, tillId);
  return shiftReport(shift, await docsAbove(db, shift.openSeq));
}

/**
 * Cash put in or taken out of the drawer, with a reason. Taking out more than the drawer should hold is
 * refused (SHIFT_CASH_SHORT). The caller has asked for a supervisor where `shiftNeedsSupervisor` says so.
 */
export async function recordCashMovement(
  db: TillDatabase,
  ctx: TillContext,
  input: { kind: 'cash-in' | 'cash-out'; amountMinor: number; reason: string; who: ShiftActor },
): Promise<ShiftReport> {
  const shift = await openOrThrow(db, ctx.tillId);
  const event = shiftEvents.cash(shift, input.kind, input.amountMinor, input.reason, input.who);
  if (input.kind === 'cash-out') {
    const before = shiftReport(shift, await docsAbove(db, shift.openSeq));
    if (input.amountMinor > before.expectedCashMinor)
      throw new KassaError('SHIFT_CASH_SHORT', 'The drawer does not hold that much cash', {
        expectedCashMinor: before.expectedCashMinor,
      });
  }
  await writeEvent(db, ctx, event);
  return currentReport(db, ctx.tillId);
}

/** An X report: the totals so far, recorded as an `x-report` event (the shift stays open). */
export async function takeXReport(db: TillDatabase, ctx: TillContext, who: ShiftActor): Promise<ShiftReport> {
  const report = await currentReport(db, ctx.tillId);
  await writeEvent(db, ctx, shiftEvents.xReport(report, who));
  return report;
}

/**
 * Closes the shift with the cash counted in the drawer: the Z report, written as the `shift-close` event with its
 * totals. The caller has asked for a supervisor where the difference needs one (`shiftNeedsSupervisor`).
 */
export async function closeShift(
  db: TillDatabase,
  ctx: TillContext,
  input: { countedCashMinor: number; reason: string; who: ShiftActor },
): Promise<ClosedShiftReport> {
  checkAmount(input.countedCashMinor, true);
  const state = await reconciled(db, ctx.tillId);
  const shift = state.current;
  if (!shift) throw new KassaError('SHIFT_NOT_OPEN', 'No shift is open on this till');
  const [seq] = await takeTillSeqs(db, 1);
  const report = closeReport(
    shiftReport(shift, await docsAbove(db, shift.openSeq), seq),
    input.countedCashMinor,
    new Date().toISOString(),
  );
  await writeEvent(db, ctx, shiftEvents.close(report, input.reason, input.who), seq);
  await writeState(db, { ...state, current: null, boundarySeq: seq!, lastZ: report });
  return report;
}
