/**
 * The till's product catalogue (catalog.ts) on Dexie over fake-indexeddb:
 * pages are stored with their checkpoint in one transaction, products are
 * found by EAN/PLU and id, removals remove, `complete` stays once set, and a
 * restarted pull keeps what is stored while it fetches everything again.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCatalog, type Catalog } from '../../../src-renderer/src/db/catalog';
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
});
