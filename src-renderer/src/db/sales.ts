/**
 * Writing sales and reading members on the till.
 *
 * - A sale and its ledger entries are one `bulkInsert` into the journal: one
 *   IndexedDB transaction, so a crash leaves both or neither. Every document
 *   is checked with the shared wire schema first, so a correct till never
 *   queues one the server must refuse.
 * - Ids are ULIDs made here; `tillSeq` is this database's own counter, which
 *   orders its writes without trusting its clock; the database's epoch (made
 *   with it) tells the server when a till starts over with a new database.
 *   A tillSeq is never handed out twice by one database: the counter starts
 *   above both the highest tillSeq in the journal and the floor that journal
 *   compaction stores before it removes anything (journal-compaction.ts).
 * - The member shown is derived, never stored: the server's snapshot (a
 *   member record from member-store.ts) plus this database's journal above
 *   the record's mark, through the shared projection (shared/ledger),
 *   exactly as the server will apply it.
 */
import { KassaError } from '../../../shared/errors';
import { monotonicFactory } from 'ulid';
import type { LedgerEntryBody } from '../../../shared/documents';
import type { Quote, QuoteInput } from '../../../shared/engine';
import { memberStateSchema } from '../../../shared/engine/member-state';
import {
  checkSaleStoredValue,
  priceSale,
  saleDocuments,
  type SaleContext as SaleContextBase,
} from '../../../shared/sale-journal';
import { accountIdOf, memberFacts, memberView, type LedgerFact, type MemberView } from '../../../shared/ledger';
import type { TillDatabase } from './database';
import type { MemberRecord } from '../../../shared/member-snapshot';
import type { JournalRow } from './schemas';

const nextId = monotonicFactory();
const counters = new WeakMap<TillDatabase, { next: number }>();
const EPOCH_DOC = 'epoch';
/** The lowest tillSeq this database may still hand out, stored before the journal is compacted. */
const TILL_SEQ_DOC = 'till-seq';

/** This local database's epoch: a ULID made once, when the database is first used. */
export async function tillEpoch(db: TillDatabase): Promise<string> {
  const doc = await db.journal.getLocal<{ epoch: string }>(EPOCH_DOC);
  const known = doc?.get('epoch') as string | undefined;
  if (known) return known;
  const epoch = nextId();
  await db.journal.upsertLocal(EPOCH_DOC, { epoch });
  return epoch;
}

/**
 * Next tillSeq: recovered once from the highest in the journal and the stored floor (compaction may have removed
 * every document below the highest), then counted in memory.
 */
export async function takeTillSeqs(db: TillDatabase, n: number): Promise<number[]> {
  let counter = counters.get(db);
  if (!counter) {
    const top = await db.journal.findOne({ selector: { tillSeq: { $gt: 0 } }, sort: [{ tillSeq: 'desc' }] }).exec();
    const floor = await readTillSeqFloor(db);
    // Another call may have recovered the counter while this one read.
    counter = counters.get(db) ?? { next: Math.max((top?.tillSeq ?? 0) + 1, floor) };
    counters.set(db, counter);
  }
  const first = counter.next;
  counter.next += n;
  return Array.from({ length: n }, (_, i) => first + i);
}

async function readTillSeqFloor(db: TillDatabase): Promise<number> {
  const doc = await db.journal.getLocal<{ next: number }>(TILL_SEQ_DOC);
  return (doc?.get('next') as number | undefined) ?? 1;
}

/** Stores `next` as the lowest tillSeq this database may hand out from now on (never lowers it). */
export async function storeTillSeqFloor(db: TillDatabase, next: number): Promise<void> {
  if ((await readTillSeqFloor(db)) >= next) return;
  await db.journal.upsertLocal(TILL_SEQ_DOC, { next });
}

/** This database's journal facts for a member that the server's snapshot does not hold yet. */
export async function unconfirmedFacts(
  db: TillDatabase,
  member: Pick<MemberRecord, 'id' | 'tillMark'>,
): Promise<LedgerFact[]> {
  const mark = member.tillMark;
  const docs = await db.journal.find({ selector: { memberId: member.id, tillSeq: { $gt: mark } } }).exec();
  return memberFacts(
    docs.map((d) => d.toJSON() as JournalRow),
    member.id,
    mark,
  );
}

/** The account the member's points live on: a household's (one joined here and not yet confirmed too), or their own. */
export async function accountIdFor(db: TillDatabase, member: MemberRecord): Promise<string> {
  return accountIdOf(
    { id: member.id, state: memberStateSchema.parse(member.state) },
    await unconfirmedFacts(db, member),
  );
}

/** The member as this till sees it: snapshot + unconfirmed facts, with the household account's points. */
export async function memberViewOf(
  db: TillDatabase,
  member: MemberRecord,
  account: MemberRecord | null,
  timeZone: string,
): Promise<MemberView> {
  const pending = [
    ...(await unconfirmedFacts(db, member)),
    ...(account && account.id !== member.id ? await unconfirmedFacts(db, account) : []),
  ];
  return memberView({
    member: { id: member.id, state: memberStateSchema.parse(member.state) },
    account: account ? { id: account.id, state: memberStateSchema.parse(account.state) } : null,
    pending,
    ctx: { timeZone },
  });
}

/** `saleId`: the id the basket was kept under (features/sale/basket-store.ts); a new one when absent. */
export type SaleContext = SaleContextBase & { at?: string; saleId?: string };

export type RecordedSale = { saleId: string; at: string; receiptNo: number; quote: Quote; entries: LedgerEntryBody[] };

const RECEIPT_DOC = 'receipt-no';
const receipts = new WeakMap<TillDatabase, { next: number }>();

/**
 * The number the next receipt gets: one above the newest sale's in the journal, or the floor kept beside it (the
 * journal's oldest sales are compacted away, and a till that has not sold for months still goes on counting).
 */
async function nextReceiptNo(db: TillDatabase): Promise<{ next: number }> {
  const known = receipts.get(db);
  if (known) return known;
  const top = await db.journal
    .findOne({ selector: { kind: 'sale', tillSeq: { $gt: 0 } }, sort: [{ tillSeq: 'desc' }] })
    .exec();
  const last = (top?.body as { receiptNo?: number | null } | undefined)?.receiptNo ?? 0;
  const floor = ((await db.journal.getLocal<{ next: number }>(RECEIPT_DOC))?.get('next') as number | undefined) ?? 1;
  const counter = receipts.get(db) ?? { next: Math.max(last + 1, floor) };
  receipts.set(db, counter);
  return counter;
}

/**
 * Runs `write` under the next receipt number and uses the number up only once it succeeded (no gaps). Returns
 * number their receipts from the same counter as sales.
 */
/**
 * Takes the server's word for the next receipt number when it is ahead of this database's: a till whose database
 * was wiped goes on from the last receipt the server holds. Never goes back.
 */
export async function adoptReceiptFloor(db: TillDatabase, next: number): Promise<void> {
  if (!Number.isSafeInteger(next) || next < 1) throw new KassaError('BAD_REQUEST', `Not a receipt number: ${next}`);
  const receipt = await nextReceiptNo(db);
  if (next <= receipt.next) return;
  receipt.next = next;
  await db.journal.upsertLocal(RECEIPT_DOC, { next });
}

/** Asks the server which receipt number comes next on this till, and adopts it when it is ahead. */
export async function syncReceiptFloor(db: TillDatabase, server: { serverUrl: string; token: string }): Promise<void> {
  const res = await fetch(`${server.serverUrl}/api/v1/till/receipt-floor`, {
    headers: { authorization: `Bearer ${server.token}` },
  });
  if (!res.ok)
    throw new KassaError('RECEIPT_FLOOR_UNAVAILABLE', `The server did not give the receipt number (${res.status})`);
  const body = (await res.json()) as { next?: unknown };
  if (typeof body.next !== 'number') throw new KassaError('BAD_REQUEST', 'The server sent no receipt number');
  await adoptReceiptFloor(db, body.next);
}

export async function withReceiptNo<T>(db: TillDatabase, write: (receiptNo: number) => Promise<T>): Promise<T> {
  const receipt = await nextReceiptNo(db);
  const receiptNo = receipt.next;
  const result = await write(receiptNo);
  receipt.next = receiptNo + 1;
  await db.journal.upsertLocal(RECEIPT_DOC, { next: receipt.next });
  return result;
}

/**
 * Records a sale: priced by the engine, written with its entries in one journal transaction, under the next receipt
 * number (used only once the sale is written: a sale that fails leaves no gap).
 */
export async function recordSale(db: TillDatabase, input: QuoteInput, ctx: SaleContext): Promise<RecordedSale> {
  const at = ctx.at ?? new Date().toISOString();
  const priced = priceSale(input, at, ctx.saleId ?? nextId());
  // Refused before any tillSeq is taken: a sale that is not written leaves no gap in the journal.
  checkSaleStoredValue(input, priced, ctx);
  const entryIds = priced.entries.map(() => nextId());
  const seqs = await takeTillSeqs(db, 1 + priced.entries.length);
  const receipt = await nextReceiptNo(db);
  const receiptNo = receipt.next;
  const docs = saleDocuments(input, priced, { ...ctx, receiptNo }, entryIds, seqs).map(
    ({ _deleted: _, ...row }) => row,
  );
  const result = await db.journal.bulkInsert(docs);
  if (result.error.length > 0) throw new Error(`Could not record the sale: ${result.error[0]!.status}`);
  receipt.next = receiptNo + 1;
  await db.journal.upsertLocal(RECEIPT_DOC, { next: receipt.next });
  return { saleId: priced.saleId, at, receiptNo, quote: priced.quote, entries: priced.entries };
}
