/**
 * The till's product catalogue: its own IndexedDB database (Dexie), one
 * record per product keyed by id and indexed by EAN/PLU, written by the
 * till's data worker (member-worker.ts) and read by the page.
 *
 * Products left RxDB for the same reason members did: RxDB's writes cost
 * about half a millisecond per document on the page's thread, so a chain's
 * 50,000 products held the till screen for tens of seconds in slices, or for
 * seconds at a time in batches. Here the worker writes a page of a thousand
 * in one transaction, off the page's thread.
 *
 * Invariant: the checkpoint (`meta`) is written in the same transaction as
 * the page it follows, so a restart resumes exactly after the last page
 * stored; `complete` is set once a first pull reached the end.
 */
import Dexie, { type Table } from 'dexie';
import type { IndexedDbFactory } from './member-store';
import type { ProductRow } from './schemas';

export type CatalogState = { key: 'state'; checkpoint: number; complete: boolean; count: number };

export type Catalog = {
  state: () => Promise<CatalogState>;
  byEan: (ean: string) => Promise<ProductRow | null>;
  byId: (id: string) => Promise<ProductRow | null>;
  /** Every product (tests and exports; never on a sale's path). */
  all: () => Promise<ProductRow[]>;
  /** Stores a pulled page (upserts and removals) and the checkpoint after it, in one transaction. */
  applyPage: (
    products: readonly ProductRow[],
    removedIds: readonly string[],
    checkpoint: number,
    complete: boolean,
  ) => Promise<CatalogState>;
  /** Forgets the checkpoint (a restore on the server): the next pull brings every product again. */
  restartPull: () => Promise<void>;
  close: () => void;
};

class CatalogDexie extends Dexie {
  products!: Table<ProductRow, string>;
  meta!: Table<CatalogState, string>;
  constructor(name: string, deps?: IndexedDbFactory) {
    super(name, deps ? { indexedDB: deps.indexedDB, IDBKeyRange: deps.IDBKeyRange } : undefined);
    this.version(1).stores({ products: 'id, ean', meta: 'key' });
    // No live queries read this database: skip Dexie's broadcast of every written key to the other contexts.
    this.unuse({ stack: 'dbcore', name: 'Observability' });
  }
}

export function catalogName(tillDatabaseName: string): string {
  return `kassa-catalog-${tillDatabaseName}`;
}

const EMPTY: CatalogState = { key: 'state', checkpoint: 0, complete: false, count: 0 };

export async function openCatalog(name: string, deps?: IndexedDbFactory): Promise<Catalog> {
  const db = new CatalogDexie(name, deps);
  await db.open();
  const readState = async () => (await db.meta.get('state')) ?? EMPTY;
  return {
    state: readState,
    byEan: async (ean) => (await db.products.where('ean').equals(ean).first()) ?? null,
    byId: async (id) => (await db.products.get(id)) ?? null,
    all: () => db.products.toArray(),
    applyPage: (products, removedIds, checkpoint, complete) =>
      db.transaction('rw', db.products, db.meta, async () => {
        const state = await readState();
        if (products.length > 0) await db.products.bulkPut([...products]);
        if (removedIds.length > 0) await db.products.bulkDelete([...removedIds]);
        const next: CatalogState = {
          key: 'state',
          checkpoint: Math.max(checkpoint, state.checkpoint),
          complete: state.complete || complete,
          count: await db.products.count(),
        };
        await db.meta.put(next);
        return next;
      }),
    restartPull: async () => {
      const state = await readState();
      await db.meta.put({ ...state, checkpoint: 0 });
    },
    close: () => db.close(),
  };
}
