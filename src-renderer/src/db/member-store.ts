/**
 * The till's members: a whole chain's, packed into blocks in their own
 * IndexedDB database (Dexie), beside the RxDB database that holds reference
 * data and the journal.
 *
 * Why blocks keyed by range: every IndexedDB record and every index entry is
 * a structured clone, a key and a B-tree insert, and a million members with
 * three indexes were three million of them. Here there are no secondary
 * indexes at all. Three tables each hold sorted runs of one key, and a
 * block's primary key is the lowest key it may hold:
 *
 *   rows    members by card number: card, id, phone hash, seq and the JSON
 *           text of the record the server sent (parsed only when shown);
 *   ids     member id → card number, for updates and byId;
 *   phones  `phoneHash card` → card number, for a phone number typed in
 *           (the row's own phone hash is checked before a member is given).
 *
 * A lookup reads the one block whose key is the greatest ≤ the key wanted
 * (one reverse cursor step) and searches it. A million members are about
 * 31,000 row blocks and 12,000 key blocks.
 *
 * Bootstrap order matters (shared/member-snapshot.ts): key pages first, then
 * row pages, all at one snapshot seq S. A member whose row is stored is then
 * always in the key tables; a key entry may point at a row that changed
 * during the bootstrap and is missing, which lookups treat as absent and
 * the catch-up mends (`applyChanges` finds the member by id and rewrites
 * all three).
 *
 * Invariants:
 * - Within a table blocks hold disjoint, sorted runs; the first block's key
 *   is '' so every key has a covering block; a block splits in two when it
 *   grows past twice its size, and goes when emptied (except the first).
 * - A member's row is replaced only by a higher seq (`applyChanges`).
 * - Everything a write changes — blocks, progress and checkpoint in `meta`
 *   — commits in one transaction, so a till killed mid-bootstrap resumes
 *   from the last page it stored, and never holds a page half-written.
 * - Rows hold one till database's watermarks (`tillMark`): the store
 *   remembers that epoch, and a store of another epoch is emptied and loaded
 *   again (`reset`), since its marks would hide this database's own sales.
 * - Keys are compared as JavaScript strings (code units); the server pages
 *   in byte order ("C" collation), the same for the ASCII keys members have.
 *
 * The same module runs in the member worker (writes) and on the page (reads,
 * through its own connection to the same database).
 */
import Dexie, { type DexieOptions, type Table } from 'dexie';
import {
  parseMemberRecord,
  phoneEntryKey,
  type MemberRecord,
  type SnapshotKeyOrder,
  type SnapshotRowsPage,
} from '../../../shared/member-snapshot';

/** Members per row block. Smaller blocks make lookups cheaper; the bootstrap hardly notices. */
export const ROW_BLOCK_SIZE = 32;
/** Entries per key block. */
export const KEY_BLOCK_SIZE = 256;

/** Members by card: parallel arrays sorted by card (`keys`). */
export type RowBlock = {
  key: string;
  keys: string[];
  ids: string[];
  /** One per row, '' for a member without a phone. */
  phones: string[];
  seqs: number[];
  /** JSON text of each member's record. */
  rows: string[];
};

/** A key index: `keys` sorted, each with the member's card. */
export type KeyBlock = { key: string; keys: string[]; cards: string[] };

/**
 * Where the store stands. `keys`: a snapshot at `snapshotSeq` is being indexed (`keyOrder` up to `keyAfter`);
 * `loading`: its rows are being stored, up to card `after`; `ready`: complete and caught up to `checkpoint`.
 */
export type MemberStoreState = {
  key: 'state';
  epoch: string;
  phase: 'empty' | 'keys' | 'loading' | 'ready';
  snapshotSeq: number;
  keyOrder: SnapshotKeyOrder;
  keyAfter: string;
  /** Key entries stored in this snapshot, of `keyTotal` (members plus members with a phone). */
  keyCount: number;
  keyTotal: number;
  after: string;
  total: number;
  /** Members held now. */
  count: number;
  checkpoint: number;
};

type Meta = MemberStoreState;

export type StoredRow = { text: string; record: MemberRecord };

export type MemberStore = {
  name: string;
  state: () => Promise<MemberStoreState>;
  byCard: (card: string) => Promise<MemberRecord | null>;
  byId: (id: string) => Promise<MemberRecord | null>;
  /** Every member whose phone hash is one of `hashes` (a phone may be shared: the caller decides). */
  byPhoneHashes: (hashes: readonly string[]) => Promise<MemberRecord[]>;
  /** Every member held, block by block (exports and checks; never on a sale's path). */
  all: () => Promise<MemberRecord[]>;
  /** Empties the store for a till database (epoch); the next sync bootstraps again. */
  reset: (epoch: string) => Promise<void>;
  /** Empties the store and starts a snapshot at `snapshotSeq` of `total` members, `phones` of them with a phone. */
  beginSnapshot: (snapshotSeq: number, total: number, phones: number) => Promise<void>;
  /** Stores one key page (keys in order, each member's card) and where the next starts, in one transaction. */
  writeKeys: (
    order: SnapshotKeyOrder,
    keys: readonly string[],
    cards: readonly string[],
    next: string | null,
  ) => Promise<MemberStoreState>;
  /** Stores one row page (rows in card order) and where the next page starts (`page.next`), in one transaction. */
  writePage: (page: Omit<SnapshotRowsPage, 'next'> & { next: string | null }) => Promise<MemberStoreState>;
  /** Applies changed members and erasures (by id) above the checkpoint; returns the ids that changed. */
  applyChanges: (changes: readonly StoredRow[], deletedIds: readonly string[], checkpoint: number) => Promise<string[]>;
  close: () => void;
};

/** IndexedDB for Node tests (fake-indexeddb); the browser's own when absent. */
export type IndexedDbFactory = Required<Pick<DexieOptions, 'indexedDB' | 'IDBKeyRange'>>;

class MemberDexie extends Dexie {
  rows!: Table<RowBlock, string>;
  ids!: Table<KeyBlock, string>;
  phones!: Table<KeyBlock, string>;
  meta!: Table<Meta, string>;
  constructor(name: string, deps?: IndexedDbFactory) {
    super(name, deps ? { indexedDB: deps.indexedDB, IDBKeyRange: deps.IDBKeyRange } : undefined);
    this.version(1).stores({ blocks: 'id, *cards, *ids, *phones', meta: 'key' });
    // Version 2: range-keyed blocks. The old blocks go, and so does the old state: the store loads again.
    this.version(2)
      .stores({ blocks: null, rows: 'key', ids: 'key', phones: 'key', meta: 'key' })
      .upgrade((tx) => tx.table('meta').clear());
    // No live queries read this database, and Dexie's observability would broadcast every key a write touched
    // to each page and worker: hundreds of ms on the page's thread for every page stored.
    this.unuse({ stack: 'dbcore', name: 'Observability' });
  }
}

export function memberStoreName(tillDatabaseName: string): string {
  return `kassa-members-${tillDatabaseName}`;
}

function emptyState(epoch: string): Meta {
  return {
    key: 'state',
    epoch,
    phase: 'empty',
    snapshotSeq: 0,
    keyOrder: 'id',
    keyAfter: '',
    keyCount: 0,
    keyTotal: 0,
    after: '',
    total: 0,
    count: 0,
    checkpoint: 0,
  };
}

/** The index of `key` in sorted `keys`, or -(insertion point) - 1. */
function search(keys: readonly string[], key: string): number {
  let lo = 0;
  let hi = keys.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const k = keys[mid]!;
    if (k === key) return mid;
    if (k < key) lo = mid + 1;
    else hi = mid - 1;
  }
  return -lo - 1;
}

/** Throws unless `keys` is strictly ascending and above `after` (a page out of order would hide members). */
function checkOrder(keys: readonly string[], after: string): void {
  let last = after;
  for (const k of keys) {
    if (!(k > last) && !(last === '' && k === ''))
      throw new Error(`member keys out of order (${JSON.stringify(k)} after ${JSON.stringify(last)})`);
    last = k;
  }
}

/** The block of `table` that holds (or would hold) `key`: the greatest block key ≤ `key`. */
function covering<B extends { key: string }>(table: Table<B, string>, key: string): Promise<B | undefined> {
  return table.where('key').belowOrEqual(key).last();
}

/** The columns of a block kind other than `key` and `keys`, each spliced in step with `keys`. */
type Columns<B> = ReadonlyArray<Exclude<keyof B, 'key' | 'keys'>>;
const ROW_COLUMNS: Columns<RowBlock> = ['ids', 'phones', 'seqs', 'rows'];
const KEY_COLUMNS: Columns<KeyBlock> = ['cards'];

function column<B>(block: B, name: Exclude<keyof B, 'key' | 'keys'>): unknown[] {
  return block[name] as unknown[];
}

/**
 * A sorted block table inside one transaction: put, remove, split. Blocks are written back at once (the next
 * covering read sees them); `count` says how many keys were added (+) or removed (−).
 */
type Sorted<B extends { key: string; keys: string[] }> = {
  find: (key: string) => Promise<{ block: B; index: number } | null>;
  /** Puts `values` (one per column) under `key`, replacing what was there; true when the key is new. */
  put: (key: string, values: readonly unknown[]) => Promise<boolean>;
  /** Removes `key`; true when it was there. */
  remove: (key: string) => Promise<boolean>;
};

function sorted<B extends { key: string; keys: string[] }>(
  table: Table<B, string>,
  columns: Columns<B>,
  size: number,
  empty: (key: string) => B,
): Sorted<B> {
  const find = async (key: string) => {
    const block = await covering(table, key);
    if (!block) return null;
    const index = search(block.keys, key);
    return index >= 0 ? { block, index } : null;
  };
  return {
    find,
    put: async (key, values) => {
      const block = (await covering(table, key)) ?? empty('');
      const at = search(block.keys, key);
      if (at >= 0) {
        columns.forEach((c, j) => (column(block, c)[at] = values[j]));
        await table.put(block);
        return false;
      }
      const i = -at - 1;
      block.keys.splice(i, 0, key);
      columns.forEach((c, j) => column(block, c).splice(i, 0, values[j]));
      if (block.keys.length > 2 * size) {
        // Split in two; the right half is keyed by its first key.
        const half = block.keys.length >> 1;
        const right = empty(block.keys[half]!);
        right.keys = block.keys.splice(half);
        for (const c of columns) (right as Record<string, unknown>)[c as string] = column(block, c).splice(half);
        await table.bulkPut([block, right]);
      } else await table.put(block);
      return true;
    },
    remove: async (key) => {
      const found = await find(key);
      if (!found) return false;
      const { block, index } = found;
      block.keys.splice(index, 1);
      for (const c of columns) column(block, c).splice(index, 1);
      if (block.keys.length === 0 && block.key !== '') await table.delete(block.key);
      else await table.put(block);
      return true;
    },
  };
}

/** The member at `i` of a row block: its row text with the keys the block keeps beside it. */
function storedRecord(block: RowBlock, i: number): MemberRecord {
  return parseMemberRecord(block.rows[i]!, {
    id: block.ids[i]!,
    cardNumber: block.keys[i]!,
    phoneHash: block.phones[i]!,
    seq: block.seqs[i]!,
  });
}

function emptyRows(key: string): RowBlock {
  return { key, keys: [], ids: [], phones: [], seqs: [], rows: [] };
}

function emptyKeys(key: string): KeyBlock {
  return { key, keys: [], cards: [] };
}

/** Cuts `count` sorted items into blocks of `size` (items from..to), the first keyed '' when it starts the table. */
function blocksOf<B>(
  count: number,
  size: number,
  first: boolean,
  make: (from: number, to: number, key: string | null) => B,
): B[] {
  const blocks: B[] = [];
  for (let i = 0; i < count; i += size) blocks.push(make(i, Math.min(count, i + size), first && i === 0 ? '' : null));
  return blocks;
}

export async function openMemberStore(name: string, deps?: IndexedDbFactory): Promise<MemberStore> {
  const db = new MemberDexie(name, deps);
  await db.open();
  const readState = async (): Promise<Meta> => (await db.meta.get('state')) ?? emptyState('');

  const rowAt = (block: RowBlock | undefined, card: string, id?: string): MemberRecord | null => {
    if (!block) return null;
    const i = search(block.keys, card);
    if (i < 0 || (id !== undefined && block.ids[i] !== id)) return null;
    return storedRecord(block, i);
  };
  const byCard = async (card: string) => rowAt(await covering(db.rows, card), card);
  const inTransaction = () => ({
    rows: sorted(db.rows, ROW_COLUMNS, ROW_BLOCK_SIZE, emptyRows),
    ids: sorted(db.ids, KEY_COLUMNS, KEY_BLOCK_SIZE, emptyKeys),
    phones: sorted(db.phones, KEY_COLUMNS, KEY_BLOCK_SIZE, emptyKeys),
  });
  const clearAll = async () => {
    await Promise.all([db.rows.clear(), db.ids.clear(), db.phones.clear()]);
  };
  const tables = [db.rows, db.ids, db.phones, db.meta];
  const write = <T>(work: () => Promise<T>) => db.transaction('rw', tables, work);

  return {
    name,
    state: readState,
    byCard,
    byId: async (id) => {
      const block = await covering(db.ids, id);
      const i = block ? search(block.keys, id) : -1;
      return i >= 0 ? rowAt(await covering(db.rows, block!.cards[i]!), block!.cards[i]!, id) : null;
    },
    byPhoneHashes: async (hashes) => {
      const found = new Map<string, MemberRecord>();
      for (const hash of new Set(hashes.filter((h) => h !== ''))) {
        const from = `${hash} `;
        const first = await covering(db.phones, from);
        const more = await db.phones.where('key').between(from, `${hash}!`, false, false).toArray();
        for (const block of first ? [first, ...more] : more)
          for (let i = 0; i < block.keys.length; i++) {
            if (!block.keys[i]!.startsWith(from)) continue;
            const member = await byCard(block.cards[i]!);
            if (member?.phoneHash === hash) found.set(member.id, member);
          }
      }
      return [...found.values()];
    },
    all: async () => {
      const out: MemberRecord[] = [];
      await db.rows.each((block) => {
        for (let i = 0; i < block.rows.length; i++) out.push(storedRecord(block, i));
      });
      return out;
    },
    reset: async (epoch) => {
      await write(async () => {
        await clearAll();
        await db.meta.put(emptyState(epoch));
      });
    },
    beginSnapshot: async (snapshotSeq, total, phones) => {
      await write(async () => {
        const state = await readState();
        await clearAll();
        await db.meta.put({ ...emptyState(state.epoch), phase: 'keys', snapshotSeq, total, keyTotal: total + phones });
      });
    },
    writeKeys: (order, keys, cards, next) =>
      write(async () => {
        const state = await readState();
        if (state.phase !== 'keys' || state.keyOrder !== order)
          throw new Error(`not storing ${order} keys now (${state.phase}, ${state.keyOrder})`);
        checkOrder(keys, state.keyAfter);
        const blocks = blocksOf(keys.length, KEY_BLOCK_SIZE, state.keyAfter === '', (from, to, key) => ({
          key: key ?? keys[from]!,
          keys: keys.slice(from, to),
          cards: cards.slice(from, to),
        }));
        if (blocks.length > 0) await (order === 'id' ? db.ids : db.phones).bulkPut(blocks);
        const done = next === null;
        const updated: Meta = {
          ...state,
          keyCount: state.keyCount + keys.length,
          keyOrder: done && order === 'id' ? 'phone' : order,
          keyAfter: done ? '' : next,
          phase: done && order === 'phone' ? 'loading' : 'keys',
        };
        await db.meta.put(updated);
        return updated;
      }),
    writePage: (page) =>
      write(async () => {
        const state = await readState();
        if (state.phase !== 'loading') throw new Error(`not storing member rows now (${state.phase})`);
        const { cards } = page;
        checkOrder(cards, state.after);
        const blocks = blocksOf(cards.length, ROW_BLOCK_SIZE, state.after === '', (from, to, key) => ({
          key: key ?? cards[from]!,
          keys: cards.slice(from, to),
          ids: page.ids.slice(from, to),
          phones: page.phones.slice(from, to),
          seqs: page.seqs.slice(from, to),
          rows: page.rows.slice(from, to),
        }));
        if (blocks.length > 0) await db.rows.bulkPut(blocks);
        const done = page.next === null;
        const updated: Meta = {
          ...state,
          phase: done ? 'ready' : 'loading',
          after: page.next ?? state.after,
          count: state.count + cards.length,
          checkpoint: done ? state.snapshotSeq : state.checkpoint,
        };
        await db.meta.put(updated);
        return updated;
      }),
    applyChanges: (changes, deletedIds, checkpoint) =>
      write(async () => {
        const state = await readState();
        const t = inTransaction();
        let { count } = state;
        const changed: string[] = [];
        /** Removes the member `id` from all three tables; false when its stored row is at `seq` or newer. */
        const removeMember = async (id: string, seq: number, card: string | null): Promise<boolean> => {
          const entry = await t.ids.find(id);
          const oldCard = entry ? entry.block.cards[entry.index]! : card;
          if (oldCard !== null) {
            const row = await t.rows.find(oldCard);
            if (row && row.block.ids[row.index] === id) {
              if (row.block.seqs[row.index]! >= seq) return false;
              const oldPhone = row.block.phones[row.index]!;
              await t.rows.remove(oldCard);
              count -= 1;
              if (oldPhone !== '') await t.phones.remove(phoneEntryKey(oldPhone, oldCard));
            }
          }
          if (entry) await t.ids.remove(id);
          return true;
        };
        for (const id of deletedIds) {
          const had = (await t.ids.find(id)) !== null;
          if (had && (await removeMember(id, Number.MAX_SAFE_INTEGER, null))) changed.push(id);
        }
        for (const { text, record: r } of changes) {
          if (!(await removeMember(r.id, r.seq, r.cardNumber))) continue;
          const added = await t.rows.put(r.cardNumber, [r.id, r.phoneHash, r.seq, text]);
          if (added) count += 1;
          await t.ids.put(r.id, [r.cardNumber]);
          if (r.phoneHash !== '') await t.phones.put(phoneEntryKey(r.phoneHash, r.cardNumber), [r.cardNumber]);
          changed.push(r.id);
        }
        await db.meta.put({ ...state, count, checkpoint: Math.max(checkpoint, state.checkpoint) });
        return changed;
      }),
    close: () => db.close(),
  };
}
