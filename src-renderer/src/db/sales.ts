/**
 * Writing sales and reading balances on the till.
 *
 * - A sale and its ledger entries are one `bulkInsert` into the journal: one
 *   IndexedDB transaction, so a crash leaves both or neither.
 * - Ids are ULIDs made here; `tillSeq` is this till's own counter, which
 *   orders its writes without trusting its clock.
 * - The balance shown is derived, never stored: the server's snapshot plus
 *   this till's entries above the server's mark for this till.
 */
import { monotonicFactory } from 'ulid';
import type { LedgerEntryBody, SaleBody } from '../../../shared/documents';
import { commitSale, quote, type BasketLine, type Quote, type QuoteInput } from '../../../shared/engine';
import type { MemberState } from '../../../shared/engine/member-state';
import type { TillDatabase } from './database';
import type { JournalRow, MemberRow } from './schemas';

const nextId = monotonicFactory();
const counters = new WeakMap<TillDatabase, { next: number }>();

/** Next tillSeq: recovered once from the highest in the journal, then counted in memory. */
export const takeTillSeqs = async (db: TillDatabase, n: number): Promise<number[]> => {
  let counter = counters.get(db);
  if (!counter) {
    const top = await db.journal.findOne({ selector: { tillSeq: { $gt: 0 } }, sort: [{ tillSeq: 'desc' }] }).exec();
    counter = { next: (top?.tillSeq ?? 0) + 1 };
    counters.set(db, counter);
  }
  const first = counter.next;
  counter.next += n;
  return Array.from({ length: n }, (_, i) => first + i);
};

/** Points of this till's journal entries for the member the server has not counted yet. */
export const unconfirmedPoints = async (
  db: TillDatabase,
  member: Pick<MemberRow, 'id' | 'tillMarks'>,
  tillId: string,
): Promise<number> => {
  const mark = member.tillMarks[tillId] ?? 0;
  const docs = await db.journal.find({ selector: { memberId: member.id, tillSeq: { $gt: mark } } }).exec();
  return docs.reduce((sum, d) => (d.kind === 'entry' ? sum + d.body.points : sum), 0);
};

/** The member state the engine sees on this till: snapshot + unconfirmed entries. */
export const memberView = async (db: TillDatabase, member: MemberRow, tillId: string): Promise<MemberState> => {
  const pending = await unconfirmedPoints(db, member, tillId);
  return { ...member.state, balance: member.state.balance + pending };
};

export type SaleContext = {
  tillId: string;
  storeId: string;
  cashierId: string;
  memberSeq: number | null;
  tenders: SaleBody['tenders'];
  at?: string;
};

export type RecordedSale = { saleId: string; quote: Quote; entries: LedgerEntryBody[] };

export const recordSale = async (db: TillDatabase, input: QuoteInput, ctx: SaleContext): Promise<RecordedSale> => {
  const at = ctx.at ?? new Date().toISOString();
  const saleId = nextId();
  const q = quote({ ...input, at });
  const { entries, effects } = commitSale({ ...input, at, saleId });
  const seqs = await takeTillSeqs(db, 1 + entries.length);
  const memberId = input.member?.id ?? '';
  const lineById = new Map(q.lines.map((l) => [l.lineId, l]));
  const body: SaleBody = {
    storeId: ctx.storeId,
    cashierId: ctx.cashierId,
    memberId: input.member?.id ?? null,
    currency: q.currency,
    lines: input.basket.map((l: BasketLine) => {
      const priced = lineById.get(l.lineId)!;
      return {
        productId: l.productId,
        ean: l.ean,
        name: l.name,
        quantity: l.quantity,
        grams: l.grams,
        unitPriceMinor: l.unitPriceMinor,
        amountMinor: priced.amountMinor,
        discountMinor: priced.discountMinor,
        points: priced.points,
        categoryId: l.categoryId,
      };
    }),
    subtotalMinor: q.subtotalMinor,
    discountMinor: q.discountMinor,
    totalMinor: q.totalMinor,
    tenders: ctx.tenders,
    programId: input.program.id,
    programVersion: input.program.version,
    memberSeq: ctx.memberSeq,
    refundOf: null,
    effects: input.member ? effects : null,
  };
  const docs: JournalRow[] = [
    { id: saleId, kind: 'sale', tillId: ctx.tillId, tillSeq: seqs[0]!, at, memberId, body },
    ...entries.map((e, i): JournalRow => ({
      id: nextId(),
      kind: 'entry',
      tillId: ctx.tillId,
      tillSeq: seqs[i + 1]!,
      at,
      memberId: e.memberId,
      body: e,
    })),
  ];
  const result = await db.journal.bulkInsert(docs);
  if (result.error.length > 0) throw new Error(`Could not record the sale: ${result.error[0]!.status}`);
  return { saleId, quote: q, entries };
};
