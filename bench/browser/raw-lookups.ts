/**
 * In-page, on the till page itself: the raw IndexedDB floor under the
 * till's own lookups, on the databases the till wrote. Each read is one
 * read-only transaction with one request, timed like the other arms
 * (`timeLookups`).
 *
 *   members   the member store has no index by card (member-store.ts keeps
 *             members in blocks keyed by their lowest card), so its floor is
 *             one reverse cursor step on `rows` to the covering block and a
 *             binary search of the block's sorted cards;
 *   products  an index get on the catalogue's `products.ean`.
 */
import type { RawLookupResult } from '../support/page-types';
import { timeLookups } from './lookups';

async function openOnly(prefix: string): Promise<{ name: string; db: IDBDatabase }> {
  const names = (await indexedDB.databases()).map((d) => d.name ?? '').filter((n) => n.startsWith(prefix));
  if (names.length !== 1) throw new Error(`expected one ${prefix}* database, found ${names.length}`);
  const name = names[0]!;
  const db = await new Promise<IDBDatabase>((resolve, reject) => {
    const r = indexedDB.open(name);
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(new Error(`cannot open ${name}: ${String(r.error)}`));
  });
  return { name, db };
}

function read<T>(r: IDBRequest): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    r.onsuccess = () => resolve(r.result as T);
    r.onerror = () => reject(new Error(String(r.error)));
  });
}

function holds(keys: readonly string[], key: string): boolean {
  let lo = 0;
  let hi = keys.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const k = keys[mid]!;
    if (k === key) return true;
    if (k < key) lo = mid + 1;
    else hi = mid - 1;
  }
  return false;
}

async function rawMemberLookups(cards: readonly string[]): Promise<RawLookupResult> {
  const { name, db } = await openOnly('kassa-members-');
  try {
    const lookups = await timeLookups(cards, async (card) => {
      const store = db.transaction('rows', 'readonly').objectStore('rows');
      const cursor = await read<IDBCursorWithValue | null>(store.openCursor(IDBKeyRange.upperBound(card), 'prev'));
      const block = cursor?.value as { keys: string[] } | undefined;
      return block !== undefined && holds(block.keys, card);
    });
    return { database: name, lookups };
  } finally {
    db.close();
  }
}

async function rawProductLookups(eans: readonly string[]): Promise<RawLookupResult> {
  const { name, db } = await openOnly('kassa-catalog-');
  try {
    const lookups = await timeLookups(eans, (ean) =>
      read<unknown>(db.transaction('products', 'readonly').objectStore('products').index('ean').get(ean)),
    );
    return { database: name, lookups };
  } finally {
    db.close();
  }
}

Object.assign(window, { benchRawMemberLookups: rawMemberLookups, benchRawProductLookups: rawProductLookups });
