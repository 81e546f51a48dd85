/**
 * Finding a sale to return and recording the return on the till.
 *
 * - This till's own sales are found in its journal, online or not (the
 *   journal keeps recent sales for returns: journal-compaction.ts). Any
 *   till's sale is found on the server, which also knows every return of it
 *   from every till; online, the server is asked first and its returns are
 *   merged with this till's own not yet synced.
 * - Offline, a sale that is not in this till's journal cannot be returned:
 *   a coded RETURN_NEEDS_SERVER, nothing written.
 * - A return is one `bulkInsert` (the return and its ledger entries: one
 *   IndexedDB transaction), under the till's next receipt number. Online, the
 *   sale is looked up again right before it is written, so a line returned at
 *   another till meanwhile is refused instead of written.
 */
import { monotonicFactory } from 'ulid';
import type { SaleDoc } from '../../../shared/documents';
import { KassaError } from '../../../shared/errors';
import {
  parseReceiptLabel,
  receiptLabel,
  returnRoutes,
  saleForReturnReplySchema,
  type PickedLine,
  type ReturnSale,
  type SaleForReturnReply,
} from '../../../shared/returns';
import type { StaffRole } from '../../../shared/documents';
import { planReturn, returnDocuments, type ReturnPlan } from '../features/returns/return-plan';
import type { TillDatabase } from './database';
import { takeTillSeqs, withReceiptNo } from './sales';

const nextId = monotonicFactory();

/** What the cashier scanned (a receipt barcode: the sale id) or typed (a receipt label, or this till's number). */
export type ReceiptKey = { kind: 'sale'; saleId: string } | { kind: 'receipt'; tillId: string; receiptNo: number };

/** A typed receipt: `till-1-000042`, or just `42` for this till's own; null when it is neither. */
export function typedReceipt(text: string, ownTillId: string): ReceiptKey | null {
  const trimmed = text.trim();
  if (/^\d{1,15}$/.test(trimmed) && Number(trimmed) > 0)
    return { kind: 'receipt', tillId: ownTillId, receiptNo: Number(trimmed) };
  const label = parseReceiptLabel(trimmed);
  return label ? { kind: 'receipt', ...label } : null;
}

export function describeKey(key: ReceiptKey): string {
  return key.kind === 'sale' ? key.saleId : receiptLabel(key.tillId, key.receiptNo);
}

/** Asks the server for a sale and its returns; null when the server has no such sale. Throws when unreachable. */
export type ServerSaleLookup = (key: ReceiptKey) => Promise<SaleForReturnReply | null>;

export function serverSaleLookup(
  options: { serverUrl: string; token: string },
  doFetch: typeof fetch = (input, init) => fetch(input, init),
): ServerSaleLookup {
  return async (key) => {
    const path = key.kind === 'sale' ? returnRoutes.byId(key.saleId) : returnRoutes.byReceipt(describeKey(key));
    const res = await doFetch(new URL(path, options.serverUrl).toString(), {
      headers: { authorization: `Bearer ${options.token}` },
    });
    if (res.status === 404) return null;
    if (!res.ok) throw new Error(`The server answered ${res.status}`);
    return saleForReturnReplySchema.parse(await res.json());
  };
}

function asReturnSale(d: SaleDoc): ReturnSale {
  return { id: d.id, tillId: d.tillId, at: d.at, body: d.body };
}

async function localSale(db: TillDatabase, key: ReceiptKey, ownTillId: string): Promise<ReturnSale | null> {
  if (key.kind === 'sale') {
    const doc = await db.journal.findOne(key.saleId).exec();
    const row = doc?.toJSON() as SaleDoc | undefined;
    return row && row.kind === 'sale' ? asReturnSale(row) : null;
  }
  if (key.tillId !== ownTillId) return null;
  const docs = await db.journal.find({ selector: { kind: 'sale', 'body.receiptNo': key.receiptNo } }).exec();
  const row = docs.map((d) => d.toJSON() as SaleDoc).find((d) => d.body.refundOf === null);
  return row ? asReturnSale(row) : null;
}

async function localReturns(db: TillDatabase, saleId: string): Promise<ReturnSale[]> {
  const docs = await db.journal.find({ selector: { kind: 'sale', 'body.refundOf': saleId } }).exec();
  return docs.map((d) => asReturnSale(d.toJSON() as SaleDoc));
}

export type FoundSale = { sale: ReturnSale; returns: ReturnSale[]; from: 'till' | 'server' };

/**
 * The sale a receipt names and every return of it this till knows of. Online (`lookup` given), the server is
 * asked first; a server that cannot be reached counts as offline.
 */
export async function findSaleForReturn(
  db: TillDatabase,
  key: ReceiptKey,
  ownTillId: string,
  lookup: ServerSaleLookup | null,
): Promise<FoundSale> {
  const local = await localSale(db, key, ownTillId);
  let remote: SaleForReturnReply | null = null;
  let reached = false;
  if (lookup) {
    try {
      remote = await lookup(key);
      reached = true;
    } catch {
      reached = false;
    }
  }
  const sale = remote?.sale ?? local;
  if (!sale) {
    if (!reached && !(key.kind === 'receipt' && key.tillId === ownTillId))
      throw new KassaError(
        'RETURN_NEEDS_SERVER',
        `Receipt ${describeKey(key)} is not from this till: a return of another till's sale needs the server, which cannot be reached now`,
      );
    throw new KassaError('RECEIPT_NOT_FOUND', `No sale with receipt ${describeKey(key)}`);
  }
  // The server's returns (every till's) and this till's own not yet synced: by id, each once.
  const byId = new Map<string, ReturnSale>();
  for (const r of [...(remote?.returns ?? []), ...(await localReturns(db, sale.id))]) byId.set(r.id, r);
  return { sale, returns: [...byId.values()], from: remote ? 'server' : 'till' };
}

export type RecordedReturn = { plan: ReturnPlan; receiptNo: number; at: string };

/**
 * Records a return of `picked` lines: the sale found again (online: the server's latest returns), planned, and
 * written with its entries in one journal transaction. `approve`, when the plan needs a supervisor, must have
 * been given (the caller asked for the PIN); otherwise SUPERVISOR_REQUIRED and nothing is written.
 */
export async function recordReturn(
  db: TillDatabase,
  input: {
    key: ReceiptKey;
    picked: readonly PickedLine[];
    ctx: { tillId: string; storeId: string; cashierId: string; role: StaffRole; offline: boolean };
    lookup: ServerSaleLookup | null;
    supervisorApproved: boolean;
  },
): Promise<RecordedReturn> {
  const found = await findSaleForReturn(db, input.key, input.ctx.tillId, input.lookup);
  const plan = planReturn({
    original: found.sale,
    priorReturns: found.returns.map((r) => r.body),
    picked: input.picked,
    returnId: nextId(),
    role: input.ctx.role,
  });
  if (plan.needsSupervisor && !input.supervisorApproved)
    throw new KassaError('SUPERVISOR_REQUIRED', 'A return of this amount needs a supervisor');
  const at = new Date().toISOString();
  const entryIds = plan.refund.entries.map(() => nextId());
  return withReceiptNo(db, async (receiptNo) => {
    const seqs = await takeTillSeqs(db, 1 + entryIds.length);
    const docs = returnDocuments(plan, { ...input.ctx, receiptNo, at }, entryIds, seqs).map(
      ({ _deleted: _, ...row }) => row,
    );
    const result = await db.journal.bulkInsert(docs);
    if (result.error.length > 0) throw new Error(`Could not record the return: ${result.error[0]!.status}`);
    return { plan, receiptNo, at };
  });
}

/** Whether a plan for these picks needs a supervisor (to ask for the PIN before `recordReturn`). */
export function previewReturn(found: FoundSale, picked: readonly PickedLine[], role: StaffRole): ReturnPlan {
  return planReturn({
    original: found.sale,
    priorReturns: found.returns.map((r) => r.body),
    picked,
    returnId: nextId(),
    role,
  });
}
