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
 *
 * Search (a damaged barcode, goods without one): each record carries the
 * words of its name, folded (lower case, accents off, any script), in a
 * multi-entry index; a search takes the products whose words start with
 * the first word typed and keeps those matching every other word. A code
 * typed in part is found by EAN/PLU prefix. Tags are indexed too: the
 * quick keys are the products tagged `quick-key`.
 */
import Dexie, { type Table } from 'dexie';
import type { IndexedDbFactory } from './member-store';
import type { ProductRow } from './schemas';

export type CatalogState = { key: 'state'; checkpoint: number; complete: boolean; count: number };

export type Catalog = {
  state: () => Promise<CatalogState>;
  byEan: (ean: string) => Promise<ProductRow | null>;
  /** Products whose name has words starting with every word of `text`, or whose code starts with it; at most `limit`. */
  search: (text: string, limit?: number) => Promise<ProductRow[]>;
  byId: (id: string) => Promise<ProductRow | null>;
  /** Products carrying `tag`, by name (the till's quick keys carry `quick-key`); at most `limit`. */
  byTag: (tag: string, limit?: number) => Promise<ProductRow[]>;
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

/** A stored product: the row and the folded words of its name (the search index). */
type ProductRecord = ProductRow & { words: string[] };

/** Lower case, accents and other marks off, split on anything but letters and digits: "Crème brûlée" → crème → creme. */
export function searchWords(text: string): string[] {
  const folded = text.normalize('NFD').replace(/\p{M}/gu, '').toLocaleLowerCase('und');
  return [...new Set(folded.split(/[^\p{L}\p{N}]+/u).filter((w) => w.length > 0))];
}

function record(p: ProductRow): ProductRecord {
  return { ...p, words: searchWords(p.name) };
}

function row(r: ProductRecord | ProductRow): ProductRow {
  if (!('words' in r)) return r;
  const { words: _words, ...product } = r;
  return product;
}

const SEARCH_SCAN = 500;

class CatalogDexie extends Dexie {
  products!: Table<ProductRecord, string>;
  meta!: Table<CatalogState, string>;
  constructor(name: string, deps?: IndexedDbFactory) {
    super(name, deps ? { indexedDB: deps.indexedDB, IDBKeyRange: deps.IDBKeyRange } : undefined);
    this.version(1).stores({ products: 'id, ean', meta: 'key' });
    this.version(2)
      .stores({ products: 'id, ean, *words', meta: 'key' })
      .upgrade((tx) =>
        tx
          .table<ProductRecord, string>('products')
          .toCollection()
          .modify((p) => {
            p.words = searchWords(p.name);
          }),
      );
    // Tags as a multi-entry index, for the quick keys (Dexie builds the new index from the stored records).
    this.version(3).stores({ products: 'id, ean, *words, *tags', meta: 'key' });
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
    byEan: async (ean) => {
      const found = await db.products.where('ean').equals(ean).first();
      return found ? row(found) : null;
    },
    search: async (text, limit = 20) => {
      const words = searchWords(text);
      const first = words[0];
      if (!first) return [];
      const rest = words.slice(1);
      const byName = await db.products.where('words').startsWith(first).limit(SEARCH_SCAN).toArray();
      const named = byName.filter((p) => rest.every((w) => p.words.some((x) => x.startsWith(w))));
      const code = text.trim();
      const byCode = /^\d{3,14}$/.test(code)
        ? await db.products.where('ean').startsWith(code).limit(limit).toArray()
        : [];
      const seen = new Set<string>();
      const found: ProductRow[] = [];
      for (const p of [...byCode, ...named.sort((a, b) => a.name.localeCompare(b.name))]) {
        if (seen.has(p.id)) continue;
        seen.add(p.id);
        found.push(row(p));
        if (found.length === limit) break;
      }
      return found;
    },
    byId: async (id) => {
      const found = await db.products.get(id);
      return found ? row(found) : null;
    },
    byTag: async (tag, limit = 24) => {
      const tagged = await db.products.where('tags').equals(tag).limit(limit).toArray();
      return tagged.map(row).sort((a, b) => a.name.localeCompare(b.name));
    },
    all: async () => (await db.products.toArray()).map(row),
    applyPage: (products, removedIds, checkpoint, complete) =>
      db.transaction('rw', db.products, db.meta, async () => {
        const state = await readState();
        if (products.length > 0) await db.products.bulkPut(products.map(record));
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
