/**
 * The basket kept across a restart, on real RxDB + Dexie (fake-indexeddb in
 * Node): a basket put back as it was after the database is reopened, with
 * the sale id it will be sold under; a basket already sold before the
 * restart dropped (and a second commit under its id refused); a damaged
 * record dropped with BASKET_UNREADABLE; an emptied basket removed; a price
 * change carried into the sale document.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import type { SaleDoc } from '../../../shared/documents';
import { validateProgram } from '../../../shared/engine';
import { createTillDatabase, type TillDatabase } from '../../../src-renderer/src/db/database';
import { recordSale } from '../../../src-renderer/src/db/sales';
import type { ProductRow } from '../../../src-renderer/src/db/schemas';
import { BASKET_DOC, basketKeeper, loadKeptBasket } from '../../../src-renderer/src/features/sale/basket-store';
import { newSession, saleSession, type SaleSession } from '../../../src-renderer/src/features/sale/session';
import { nodeTillStorage } from '../../support/node-storage';

const parsed = validateProgram(
  JSON.parse(readFileSync(new URL('../../../examples/supermarket.json', import.meta.url), 'utf8')),
);
if (!parsed.ok) throw new Error('example program invalid');
const program = parsed.program;

const coffee: ProductRow = {
  id: 'p-011',
  ean: '8710000000118',
  name: 'Ground coffee',
  priceMinor: 699,
  currency: 'EUR',
  categoryId: 'coffee',
  unit: 'each',
  tags: [],
  seq: 1,
};

function basketOf(n: number): SaleSession {
  let s = newSession();
  for (let i = 0; i < n; i++)
    s = saleSession(s, {
      type: 'add-product',
      product: coffee,
      scanned: { line: { unit: 'each', quantity: 1, grams: null, unitPriceMinor: 699 }, mergeable: true },
    });
  return s;
}

async function open(name: string): Promise<TillDatabase> {
  return createTillDatabase({ name, storage: nodeTillStorage() });
}

async function sell(db: TillDatabase, session: SaleSession, saleId: string) {
  const total = session.lines.reduce((sum, l) => sum + l.quantity * l.unitPriceMinor, 0);
  return recordSale(
    db,
    { program, member: null, basket: session.lines, at: '', timeZone: 'Europe/Amsterdam' },
    {
      tillId: 'till-1',
      storeId: 'store-1',
      cashierId: 'cashier-1',
      memberSeq: null,
      tenders: [{ kind: 'cash', amountMinor: total }],
      saleId,
      priceChanges: Object.fromEntries(
        session.lines.flatMap((l) => (l.priceChange ? [[l.lineId, l.priceChange]] : [])),
      ),
    },
  );
}

describe('the basket kept across a restart', () => {
  it('comes back as it was, with the sale id it will be sold under, after the database is reopened', async () => {
    const name = `basket-${Date.now()}-a`;
    let db = await open(name);
    expect(await loadKeptBasket(db)).toEqual({ kind: 'none' });
    const keeper = basketKeeper(db);
    const paying = {
      ...saleSession(basketOf(2), { type: 'open-pay' }),
      tenders: [{ kind: 'card' as const, amountMinor: 500 }],
    };
    keeper.keep(basketOf(1));
    keeper.keep(paying);
    await keeper.flushed();
    const id = keeper.saleId();
    await db.close();

    db = await open(name);
    const kept = await loadKeptBasket(db);
    expect(kept).toMatchObject({ kind: 'restored', saleId: id });
    if (kept.kind !== 'restored') throw new Error('not restored');
    // The latest session, mid-payment with its card tender, exactly.
    expect(kept.session).toEqual(paying);

    // Sold under that id; emptied afterwards: nothing kept, and the next basket has a new id.
    const k2 = basketKeeper(db);
    k2.adopt(kept.saleId);
    const sale = await sell(db, kept.session, k2.saleId());
    expect(sale.saleId).toBe(id);
    k2.keep(kept.session);
    k2.keep(newSession());
    await k2.flushed();
    expect(await db.journal.getLocal(BASKET_DOC)).toBeNull();
    expect(k2.saleId()).not.toBe(id);
    await db.close();
  });

  it('a basket sold before the restart (the pointer not yet removed) is dropped, and cannot be sold twice', async () => {
    const db = await open(`basket-${Date.now()}-b`);
    const keeper = basketKeeper(db);
    const session = basketOf(3);
    keeper.keep(session);
    await keeper.flushed();
    await sell(db, session, keeper.saleId());
    // The till stops here: the basket is still kept.
    expect(await loadKeptBasket(db)).toEqual({ kind: 'already-sold', saleId: keeper.saleId() });
    expect(await loadKeptBasket(db)).toEqual({ kind: 'none' });
    const sales = () => db.journal.find({ selector: { kind: 'sale' } }).exec();
    const before = (await sales()).length;
    await expect(sell(db, session, keeper.saleId())).rejects.toThrow(/Could not record the sale/);
    expect((await sales()).length).toBe(before);
    await db.close();
  });

  it('a damaged record is dropped with BASKET_UNREADABLE and nothing else changes', async () => {
    const db = await open(`basket-${Date.now()}-c`);
    await db.journal.upsertLocal(BASKET_DOC, { kept: { v: 1, saleId: 'nope', session: { lines: [] } } });
    const journalBefore = (await db.journal.find().exec()).length;
    const kept = await loadKeptBasket(db);
    expect(kept).toMatchObject({ kind: 'unreadable', code: 'BASKET_UNREADABLE' });
    expect(await db.journal.getLocal(BASKET_DOC)).toBeNull();
    expect((await db.journal.find().exec()).length).toBe(journalBefore);
    await db.close();
  });

  it('a discount goes into the sale line with its first price and reason', async () => {
    const db = await open(`basket-${Date.now()}-d`);
    let s = basketOf(2);
    const lineId = s.lines[0]!.lineId;
    s = saleSession(s, {
      type: 'set-price',
      lineId,
      unitPriceMinor: 629,
      change: { kind: 'discount', fromMinor: 699, percent: 10, reason: 'Damaged packaging', supervisorId: null },
    });
    const sale = await sell(db, s, basketKeeper(db).saleId());
    const doc = (await db.journal.findOne(sale.saleId).exec())!.toJSON() as SaleDoc;
    expect(doc.body.lines[0]).toMatchObject({
      unitPriceMinor: 629,
      amountMinor: 1258,
      priceChange: { kind: 'discount', fromMinor: 699, percent: 10, reason: 'Damaged packaging', supervisorId: null },
    });
    expect(doc.body.totalMinor).toBe(1258);
    // An override without its supervisor is refused before anything is written.
    const bad = saleSession(s, {
      type: 'set-price',
      lineId,
      unitPriceMinor: 100,
      change: { kind: 'override', fromMinor: 699, reason: 'x', supervisorId: null },
    });
    await expect(sell(db, bad, basketKeeper(db).saleId())).rejects.toMatchObject({ code: 'DOCUMENT_INVALID' });
    await db.close();
  });
});
