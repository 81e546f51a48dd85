/**
 * The till's product catalogue (catalog.ts) on Dexie over fake-indexeddb:
 * pages are stored with their checkpoint in one transaction, products are
 * found by EAN/PLU and id, removals remove, `complete` stays once set, and a
 * restarted pull keeps what is stored while it fetches everything again.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Dexie from 'dexie';
import { openCatalog, searchWords, type Catalog } from '../../../src-renderer/src/db/catalog';
import type { ProductRow } from '../../../src-renderer/src/db/schemas';
import { nodeIndexedDb } from '../../support/till-members';

function product(n: number, priceMinor = 100 + n): ProductRow {
  return {
    id: `p-${String(n).padStart(3, '0')}`,
    ean: `871000000${String(n).padStart(3, '0')}`,
    name: `Product ${n}`,
    priceMinor,
    currency: 'EUR',
    categoryId: 'dairy',
    unit: 'each',
    tags: [],
    seq: n,
  };
}

describe('the product catalogue', () => {
  let catalog: Catalog;
  beforeAll(async () => {
    catalog = await openCatalog(`catalog-${Date.now()}`, nodeIndexedDb());
  });
  afterAll(() => catalog?.close());

  it('stores pages with their checkpoint, finds products by code and id, and remembers completion', async () => {
    expect(await catalog.state()).toMatchObject({ checkpoint: 0, complete: false, count: 0 });
    expect(await catalog.applyPage([product(1), product(2)], [], 2, false)).toMatchObject({
      checkpoint: 2,
      complete: false,
      count: 2,
    });
    expect(await catalog.applyPage([product(3)], [], 3, true)).toMatchObject({
      checkpoint: 3,
      complete: true,
      count: 3,
    });
    expect(await catalog.byEan(product(2).ean)).toEqual(product(2));
    expect(await catalog.byId('p-003')).toEqual(product(3));
    expect(await catalog.byEan('8710000009999')).toBeNull();
  });

  it('applies changes and removals; a restarted pull keeps the products and completion', async () => {
    const state = await catalog.applyPage([{ ...product(1, 999), seq: 4 }], ['p-002'], 5, false);
    expect(state).toMatchObject({ checkpoint: 5, complete: true, count: 2 });
    expect((await catalog.byId('p-001'))?.priceMinor).toBe(999);
    expect(await catalog.byId('p-002')).toBeNull();
    await catalog.restartPull();
    expect(await catalog.state()).toMatchObject({ checkpoint: 0, complete: true, count: 2 });
    expect((await catalog.all()).map((p) => p.id)).toEqual(['p-001', 'p-003']);
  });

  it('finds products by the start of words in their name, in any script and without accents, or by a code prefix', async () => {
    const named = (n: number, name: string): ProductRow => ({ ...product(n), name });
    await catalog.applyPage(
      [
        named(10, 'Crème brûlée 2 × 100 g'),
        named(11, 'Ground coffee, dark roast'),
        named(12, 'Coffee beans'),
        named(13, 'Кофе молотый'),
        named(14, 'Кисело мляко 2%'),
      ],
      [],
      6,
      true,
    );
    const names = async (text: string) => (await catalog.search(text)).map((p) => p.name);
    expect(await names('creme')).toEqual(['Crème brûlée 2 × 100 g']);
    expect(await names('BRÛL')).toEqual(['Crème brûlée 2 × 100 g']);
    expect(await names('coff')).toEqual(['Coffee beans', 'Ground coffee, dark roast']);
    expect(await names('coffee dark')).toEqual(['Ground coffee, dark roast']);
    expect(await names('коф')).toEqual(['Кофе молотый']);
    expect(await names('мляко')).toEqual(['Кисело мляко 2%']);
    expect(await names('tea')).toEqual([]);
    expect(await names('  ')).toEqual([]);
    // A damaged barcode's digits, typed in part.
    expect((await catalog.search('871000000011')).map((p) => p.id)).toEqual(['p-011']);
    expect((await catalog.search('87100000001')).map((p) => p.id)).toEqual([
      'p-010',
      'p-011',
      'p-012',
      'p-013',
      'p-014',
    ]);
    expect(await catalog.search('coffee', 1)).toHaveLength(1);
    // What search returns is the product as stored, without its index words.
    expect(await catalog.byEan(product(12).ean)).toEqual(named(12, 'Coffee beans'));
  });

  it('folds words as the search does', () => {
    expect(searchWords('Crème  Brûlée, 2×100g')).toEqual(['creme', 'brulee', '2', '100g']);
    expect(searchWords('Йогурт ЙОГУРТ')).toEqual(['иогурт']);
  });

  it('indexes the products a version-1 catalogue already holds when it opens', async () => {
    const name = `catalog-v1-${Date.now()}`;
    const deps = nodeIndexedDb();
    const old = new Dexie(name, { indexedDB: deps.indexedDB, IDBKeyRange: deps.IDBKeyRange });
    old.version(1).stores({ products: 'id, ean', meta: 'key' });
    await old.open();
    await old.table('products').bulkPut([{ ...product(20), name: 'Oat milk' }]);
    old.close();
    const upgraded = await openCatalog(name, deps);
    expect((await upgraded.search('oat')).map((p) => p.id)).toEqual(['p-020']);
    upgraded.close();
  });
});
