/**
 * Returns in the till's database on real RxDB + Dexie (fake-indexeddb in
 * Node): this till's own sale found offline by receipt number or id, another
 * till's refused offline with a coded error, the server's returns merged
 * with this till's own, a return and its entries one bulk write under the
 * next receipt number, the balance view taking the points back, and a line
 * returned at another till meanwhile refused at the moment of writing.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { SaleDoc } from '../../../shared/documents';
import { type BasketLine } from '../../../shared/engine';
import type { MemberRecord } from '../../../shared/member-snapshot';
import { returnLines, type ReturnSale, type SaleForReturnReply } from '../../../shared/returns';
import { createTillDatabase, type TillDatabase } from '../../../src-renderer/src/db/database';
import { findSaleForReturn, recordReturn, type ServerSaleLookup } from '../../../src-renderer/src/db/returns';
import { memberViewOf, recordSale } from '../../../src-renderer/src/db/sales';
import { nodeTillStorage } from '../../support/node-storage';
import { BRAM, coffeeLine, supermarketProgram } from '../../support/till-fixtures';

const program = supermarketProgram();

const member: MemberRecord = BRAM;
const coffee: BasketLine = coffeeLine(4);
const till = { tillId: 'till-1', storeId: 'store-1', cashierId: 'cashier-1', role: 'cashier' as const, offline: true };
const unreachable: ServerSaleLookup = () => Promise.reject(new Error('offline'));

describe('returns in the till database', () => {
  let db: TillDatabase;
  let sale: ReturnSale;

  beforeAll(async () => {
    db = await createTillDatabase({ name: `returns-${Date.now()}`, storage: nodeTillStorage() });
    const sold = await recordSale(
      db,
      {
        program,
        member: { id: member.id, state: member.state },
        basket: [coffee],
        at: '',
        timeZone: 'Europe/Amsterdam',
      },
      {
        tillId: 'till-1',
        storeId: 'store-1',
        cashierId: 'cashier-1',
        memberSeq: 5,
        tenders: [{ kind: 'cash', amountMinor: 2796 }],
      },
    );
    const doc = (await db.journal.findOne(sold.saleId).exec())!.toJSON() as SaleDoc;
    sale = { id: doc.id, tillId: doc.tillId, at: doc.at, body: doc.body };
  });
  afterAll(async () => db?.close());

  it("finds this till's sale offline by number or id; another till's is refused with RETURN_NEEDS_SERVER", async () => {
    const byNumber = await findSaleForReturn(db, { kind: 'receipt', tillId: 'till-1', receiptNo: 1 }, 'till-1', null);
    expect([byNumber.sale.id, byNumber.from, byNumber.returns]).toEqual([sale.id, 'till', []]);
    const byId = await findSaleForReturn(db, { kind: 'sale', saleId: sale.id }, 'till-1', unreachable);
    expect(byId.sale.id).toBe(sale.id);
    await expect(
      findSaleForReturn(db, { kind: 'receipt', tillId: 'till-2', receiptNo: 1 }, 'till-1', unreachable),
    ).rejects.toMatchObject({ code: 'RETURN_NEEDS_SERVER' });
    await expect(
      findSaleForReturn(db, { kind: 'sale', saleId: '01KDVDNA00000000000000ZZZZ' }, 'till-1', null),
    ).rejects.toMatchObject({ code: 'RETURN_NEEDS_SERVER' });
    await expect(
      findSaleForReturn(db, { kind: 'receipt', tillId: 'till-1', receiptNo: 99 }, 'till-1', null),
    ).rejects.toMatchObject({ code: 'RECEIPT_NOT_FOUND' });
  });

  it('records a return in one bulk write under the next receipt number; the view takes the points back', async () => {
    const view = async () => (await memberViewOf(db, member, null, 'Europe/Amsterdam')).state.balance;
    const before = await view();
    const bulk = vi.spyOn(db.journal, 'bulkInsert');
    const done = await recordReturn(db, {
      key: { kind: 'receipt', tillId: 'till-1', receiptNo: 1 },
      picked: [{ lineId: 'L1', quantity: 1 }],
      ctx: till,
      lookup: null,
      supervisorApproved: false,
    });
    expect(bulk).toHaveBeenCalledTimes(1);
    bulk.mockRestore();
    expect(done.receiptNo).toBe(2);
    expect(done.plan.refund.refundMinor).toBe(699);
    expect(done.plan.tenders).toEqual([{ kind: 'cash', amountMinor: 699 }]);
    expect(await view()).toBe(before - done.plan.refund.pointsReversed);
    const stored = (await db.journal.findOne(done.plan.returnId).exec())!.toJSON() as SaleDoc;
    expect(stored.body).toMatchObject({ refundOf: sale.id, receiptNo: 2, cashierId: 'cashier-1', totalMinor: -699 });
    // What is left: 3 of 4.
    const again = await findSaleForReturn(db, { kind: 'sale', saleId: sale.id }, 'till-1', null);
    expect(again.returns.map((r) => r.id)).toEqual([done.plan.returnId]);
  });

  it('a refund over the threshold needs the supervisor: refused without, and nothing written', async () => {
    const count = async () => (await db.journal.find().exec()).length;
    const n = await count();
    await expect(
      recordReturn(db, {
        key: { kind: 'sale', saleId: sale.id },
        picked: [{ lineId: 'L1', quantity: 3 }],
        ctx: { ...till, offline: false },
        lookup: null,
        supervisorApproved: false,
      }),
    ).rejects.toMatchObject({ code: 'SUPERVISOR_REQUIRED' });
    expect(await count()).toBe(n);
  });

  it("online: the server's returns from other tills are merged with this till's, and checked again when writing", async () => {
    const own = await findSaleForReturn(db, { kind: 'sale', saleId: sale.id }, 'till-1', null);
    // Another till returned one more coffee; the server knows both that one and (after sync) this till's.
    const elsewhere: ReturnSale = {
      id: '01KDVDNA00000000000000RET2',
      tillId: 'till-2',
      at: new Date().toISOString(),
      body: {
        ...sale.body,
        refundOf: sale.id,
        lines: returnLines({
          sale: sale.body,
          returnId: '01KDVDNA00000000000000RET2',
          priorReturns: own.returns.map((r) => r.body),
          picked: [{ lineId: 'L1', quantity: 1 }],
        }).lines,
      },
    };
    let served: SaleForReturnReply = { sale, returns: own.returns };
    const lookup: ServerSaleLookup = () => Promise.resolve(served);
    const before = await findSaleForReturn(db, { kind: 'sale', saleId: sale.id }, 'till-1', lookup);
    expect([before.from, before.returns.length]).toEqual(['server', 1]);
    // Between the look-up and the Refund key, the other till's return reaches the server: 2 left, not 3.
    served = { sale, returns: [...own.returns, elsewhere] };
    const count = async () => (await db.journal.find().exec()).length;
    const n = await count();
    await expect(
      recordReturn(db, {
        key: { kind: 'sale', saleId: sale.id },
        picked: [{ lineId: 'L1', quantity: 3 }],
        ctx: { ...till, role: 'supervisor', offline: false },
        lookup,
        supervisorApproved: true,
      }),
    ).rejects.toMatchObject({ code: 'NOT_ALLOWED', message: expect.stringContaining('2 left to return') });
    expect(await count()).toBe(n);
  });
});
