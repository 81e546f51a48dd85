/**
 * A household join written at the till: the join and the transfer of the
 * member's points, one bulk write (never one without the other), offline
 * like a sale. The caller has checked it (`checkHouseholdJoin`) and the
 * supervisor's PIN; the member's view reads the join from the journal at once
 * (db/sales.ts `accountIdFor`), so the next sale earns into the shared account.
 */
import { monotonicFactory } from 'ulid';
import { householdJoinDocCount, householdJoinDocuments, type HouseholdJoin } from '../../../shared/household';
import type { TillDatabase } from './database';
import { takeTillSeqs } from './sales';
import type { TillContext } from './staff';

const nextId = monotonicFactory();

export async function recordHouseholdJoin(db: TillDatabase, ctx: TillContext, join: HouseholdJoin): Promise<void> {
  const [seq] = await takeTillSeqs(db, householdJoinDocCount(join.points));
  const docs = householdJoinDocuments(
    ctx,
    join,
    { join: nextId(), out: nextId(), in: nextId() },
    seq!,
    new Date().toISOString(),
  );
  const result = await db.journal.bulkInsert(docs.map(({ _deleted: _, ...row }) => row));
  if (result.error.length > 0) throw new Error(`Could not record the household join: ${result.error[0]!.status}`);
}
