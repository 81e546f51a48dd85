/**
 * The till's members: a whole chain's, packed into blocks in their own
 * IndexedDB database (Dexie), beside the RxDB database that holds reference
 * data and the journal.
 *
 * Why blocks keyed by range: every IndexedDB record and every index entry is
 * a structured clone, a key and a B-tree insert, and a million members with
 * three indexes were three million of them. Here there are no secondary
 * indexes at all. Four tables each hold sorted runs of one key, and a
 * block's primary key is the lowest key it may hold:
 *
 *   rows    members by card number: card, id, phone hash, seq and the JSON
 *           text of the record the server sent (parsed only when shown);
 *   ids     member id → card number, for updates and byId;
 *   phones  `phoneHash card` → card number, for a phone number typed in
 *           (the row's own phone hash is checked before a member is given);
 *   names   name search keys (shared/member-name.ts: each word suffix of the
 *           normalised name, NUL, the card) → card number, for a name typed
 *           in: a prefix is a range scan over one or two blocks, and each
 *           member found is checked against its stored row's name.
 *
 * A lookup reads the one block whose key is the greatest ≤ the key wanted
 * (one reverse cursor step) and searches it. A million members are about
 * 31,000 row blocks and 12,000 key blocks.
 *
 * Bootstrap order matters (shared/member-snapshot.ts): key pages first, then
 * row pages, all at one snapshot seq S. The name keys come with the row
 * pages (a names column): each page's keys are stored, sorted, as one run
 * of `nameRuns` in the page's own transaction, and the last page merges
 * every run into the `names` blocks and drops the runs (one sort of all the
 * keys, in the transaction that makes the store ready). Scattering each
 * page's keys into name-ordered blocks instead would rewrite most blocks
 * for every page. A member whose row is stored is then
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
 * - A ready store's name keys are exactly those of its rows' names: a change
 *   of name, card or an erasure moves them in the transaction that moves the
 *   row (a new name is never replaced in place).
 * - Everything a write changes — blocks, progress and checkpoint in `meta`
 *   — commits in one transaction, so a till killed mid-bootstrap resumes
 *   from the last page it stored, and never holds a page half-written.
 *   One exception, safe to repeat: `applyChanges` replaces the rows of
 *   members whose card and phone stay (most changes: a new name, a new
 *   balance) where they are, in short transactions of the row table before
 *   the one that moves the checkpoint; a till stopped in between pulls
 *   those changes again and finds their rows already at that seq.
 * - A batch of changes reads each block it touches once and writes it once
 *   (`blockBatch`): a chain's day of changes costs about one block write
 *   per change, not one per table per change.
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
import { nameKeys, NAME_KEY_SEPARATOR } from '../../../shared/member-name';
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
/** Name matches read beyond the one that says there are more (entries whose row changed are left out). */
const SPARE_NAME_MATCHES = 8;
/** Changes replaced in place per transaction (`applyChanges`): each holds the row table for a few tens of ms. */
export const IN_PLACE_BATCH = 64;

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
  /**
   * The member scope the snapshot was loaded under (shared/member-scope.ts): '' for the whole chain, else the key
   * of the region's stores, whose members only are held. Absent in stores written before partial scopes: ''.
   */
  scope?: string;
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
  /**
   * Members whose name has a word starting with `prefix` (a normalised query, shared/member-name.ts): at most
   * `limit`, in key order (by the matched words), each checked against its stored row; `more` when there are others.
   */
  byNamePrefix: (prefix: string, limit: number) => Promise<{ members: MemberRecord[]; more: boolean }>;
  /** Every member held, block by block (exports and checks; never on a sale's path). */
  all: () => Promise<MemberRecord[]>;
  /** Empties the store for a till database (epoch); the next sync bootstraps again. */
  reset: (epoch: string) => Promise<void>;
  /**
   * Empties the store and starts a snapshot at `snapshotSeq` of `total` members, `phones` of them with a phone,
   * under member scope `scope` ('' the whole chain).
   */
  beginSnapshot: (snapshotSeq: number, total: number, phones: number, scope?: string) => Promise<void>;
  /** Stores one key page (keys in order, each member's card) and where the next starts, in one transaction. */
  writeKeys: (
    order: SnapshotKeyOrder,
    keys: readonly string[],
    cards: readonly string[],
    next: string | null,
  ) => Promise<MemberStoreState>;
  /** Stores one row page (rows in card order) and where the next page starts (`page.next`), in one transaction. */
  writePage: (page: Omit<SnapshotRowsPage, 'next'> & { next: string | null }) => Promise<MemberStoreState>;
  /**
   * Applies changed members and erasures (by id) above the checkpoint; returns the ids that changed. `between`
   * is awaited before each short transaction after the first (the till holds the sync while it commits a sale).
   */
  applyChanges: (
    changes: readonly StoredRow[],
    deletedIds: readonly string[],
    checkpoint: number,
    between?: () => Promise<void>,
  ) => Promise<string[]>;
  close: () => void;
};

/** IndexedDB for Node tests (fake-indexeddb); the browser's own when absent. */
export type IndexedDbFactory = Required<Pick<DexieOptions, 'indexedDB' | 'IDBKeyRange'>>;

class MemberDexie extends Dexie {
  rows!: Table<RowBlock, string>;
  ids!: Table<KeyBlock, string>;
  phones!: Table<KeyBlock, string>;
  names!: Table<KeyBlock, string>;
  nameRuns!: Table<KeyBlock, string>;
  meta!: Table<Meta, string>;
  constructor(name: string, deps?: IndexedDbFactory) {
    super(name, deps ? { indexedDB: deps.indexedDB, IDBKeyRange: deps.IDBKeyRange } : undefined);
    this.version(1).stores({ blocks: 'id, *cards, *ids, *phones', meta: 'key' });
    // Version 2: range-keyed blocks. The old blocks go, and so does the old state: the store loads again.
    this.version(2)
      .stores({ blocks: null, rows: 'key', ids: 'key', phones: 'key', meta: 'key' })
      .upgrade((tx) => tx.table('meta').clear());
    // Version 3: name search keys (and their runs while a snapshot loads). The state goes: the store loads again.
    this.version(3)
      .stores({ names: 'key', nameRuns: 'key' })
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
    scope: '',
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

/** The greatest of sorted `keys` that is ≤ `key`, or null when every one is above it. */
function floorKey(keys: readonly string[], key: string): string | null {
  const at = search(keys, key);
  if (at >= 0) return keys[at]!;
  const below = -at - 2;
  return below >= 0 ? keys[below]! : null;
}

/**
 * One block table as a batch of changes sees it inside one transaction (`applyChanges`): the blocks covering the
 * keys the batch may touch, read together (`load`, one cursor step per key, all in flight at once); edits made in
 * memory; what changed written back in one request at the end (`write`). A change that touches no block of a
 * table (a new name leaves the id and phone tables alone) costs that table nothing.
 *
 * Every load comes before the first edit, and a key is found only if it was loaded: the greatest loaded block
 * key ≤ it is then its covering block (its true one was read, and a split only adds blocks made from loaded
 * ones). A block emptied by the batch stays, empty, until `write` deletes it, for the same reason.
 */
type BlockBatch<B extends { key: string; keys: string[] }> = {
  /** Reads the blocks covering `keys`. */
  load: (keys: Iterable<string>) => Promise<void>;
  find: (key: string) => { block: B; index: number } | null;
  /** Puts `values` (one per column) under `key`, replacing what was there; true when the key is new. */
  put: (key: string, values: readonly unknown[]) => boolean;
  /** Removes `key`; true when it was there. */
  remove: (key: string) => boolean;
  /** Writes the changed blocks back and deletes the emptied ones (never the first, keyed ''). */
  write: () => Promise<void>;
};

function blockBatch<B extends { key: string; keys: string[] }>(
  table: Table<B, string>,
  columns: Columns<B>,
  size: number,
  empty: (key: string) => B,
): BlockBatch<B> {
  /** Keys of the blocks loaded (or made) in this batch, sorted. */
  const blockKeys: string[] = [];
  const loaded = new Map<string, B>();
  const dirty = new Set<string>();
  const asked = new Set<string>();
  let edited = false;
  const add = (block: B) => {
    const at = search(blockKeys, block.key);
    if (at >= 0) throw new Error(`member block ${JSON.stringify(block.key)} is there already`);
    blockKeys.splice(-at - 1, 0, block.key);
    loaded.set(block.key, block);
  };
  const coveringBlock = (key: string): B | null => {
    if (!asked.has(key)) throw new Error(`member key ${JSON.stringify(key)} was not read for this batch`);
    const at = floorKey(blockKeys, key);
    return at === null ? null : loaded.get(at)!;
  };
  const find = (key: string) => {
    const block = coveringBlock(key);
    if (!block) return null;
    const index = search(block.keys, key);
    return index >= 0 ? { block, index } : null;
  };
  return {
    load: async (keys) => {
      if (edited) throw new Error('member blocks are read before a batch edits them');
      const wanted = [...new Set(keys)].filter((k) => !asked.has(k));
      const blocks = await Promise.all(wanted.map((k) => covering(table, k)));
      for (const k of wanted) asked.add(k);
      // Several keys of one block each read it: the first copy is kept.
      for (const block of blocks) if (block && !loaded.has(block.key)) add(block);
    },
    find,
    put: (key, values) => {
      edited = true;
      let block = coveringBlock(key);
      if (!block) {
        block = empty('');
        add(block);
      }
      dirty.add(block.key);
      const at = search(block.keys, key);
      if (at >= 0) {
        columns.forEach((c, j) => (column(block, c)[at] = values[j]));
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
        add(right);
        dirty.add(right.key);
      }
      return true;
    },
    remove: (key) => {
      edited = true;
      const found = find(key);
      if (!found) return false;
      const { block, index } = found;
      block.keys.splice(index, 1);
      for (const c of columns) column(block, c).splice(index, 1);
      dirty.add(block.key);
      return true;
    },
    write: async () => {
      const kept: B[] = [];
      const gone: string[] = [];
      for (const key of dirty) {
        const block = loaded.get(key)!;
        if (block.keys.length === 0 && key !== '') gone.push(key);
        else kept.push(block);
      }
      if (kept.length > 0) await table.bulkPut(kept);
      if (gone.length > 0) await table.bulkDelete(gone);
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

/** The name in a stored row's text ('' when it has none). */
function rowName(text: string): string {
  const parsed = JSON.parse(text) as { name?: unknown } | null;
  return typeof parsed?.name === 'string' ? parsed.name : '';
}

/** The card a name key ends with. */
function nameKeyCard(key: string): string {
  return key.slice(key.lastIndexOf(NAME_KEY_SEPARATOR) + 1);
}

/** The name keys of a page's members, sorted, each with its card. */
function pageNameKeys(cards: readonly string[], names: readonly string[]): { keys: string[]; cards: string[] } {
  const keys: string[] = [];
  for (let i = 0; i < cards.length; i++) keys.push(...nameKeys(names[i] ?? '', cards[i]!));
  keys.sort();
  return { keys, cards: keys.map(nameKeyCard) };
}

function emptyRows(key: string): RowBlock {
  return { key, keys: [], ids: [], phones: [], seqs: [], rows: [] };
}

function emptyKeys(key: string): KeyBlock {
  return { key, keys: [], cards: [] };
}

/**
 * The changes that may be replaced in place (`updateInPlace`), in card order so each transaction's rows sit in
 * few blocks; `rest` the others. A member also erased in the batch, or a card or id named twice, keeps the order
 * of the one transaction (`applyRest`).
 */
function inPlaceCandidates(
  changes: readonly StoredRow[],
  deletedIds: readonly string[],
): { inPlace: StoredRow[]; rest: StoredRow[] } {
  const seen = new Map<string, number>();
  const bump = (key: string) => seen.set(key, (seen.get(key) ?? 0) + 1);
  for (const id of deletedIds) bump(`id ${id}`);
  for (const { record: r } of changes) {
    bump(`id ${r.id}`);
    bump(`card ${r.cardNumber}`);
  }
  const inPlace: StoredRow[] = [];
  const rest: StoredRow[] = [];
  for (const change of changes) {
    const { id, cardNumber } = change.record;
    if (seen.get(`id ${id}`) === 1 && seen.get(`card ${cardNumber}`) === 1) inPlace.push(change);
    else rest.push(change);
  }
  inPlace.sort((a, b) =>
    a.record.cardNumber < b.record.cardNumber ? -1 : a.record.cardNumber > b.record.cardNumber ? 1 : 0,
  );
  return { inPlace, rest };
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
  const clearAll = async () => {
    await Promise.all([db.rows.clear(), db.ids.clear(), db.phones.clear(), db.names.clear(), db.nameRuns.clear()]);
  };
  const tables = [db.rows, db.ids, db.phones, db.names, db.nameRuns, db.meta];
  /** The bootstrap's last step (inside `writePage`'s transaction): every page's name run merged into blocks. */
  const mergeNameRuns = async () => {
    const runs = await db.nameRuns.toArray();
    const keys = runs.flatMap((r) => r.keys).sort();
    const blocks = blocksOf(keys.length, KEY_BLOCK_SIZE, true, (from, to, key) => {
      const part = keys.slice(from, to);
      return { key: key ?? part[0]!, keys: part, cards: part.map(nameKeyCard) };
    });
    await db.names.clear();
    if (blocks.length > 0) await db.names.bulkPut(blocks);
    await db.nameRuns.clear();
  };
  const write = <T>(work: () => Promise<T>) => db.transaction('rw', tables, work);
  /** Members whose name has a word starting with `prefix` (the caller holds a read transaction). */
  const namesFrom = async (prefix: string, limit: number) => {
    if (prefix === '') return { members: [], more: false };
    // A few entries past the limit are read too: some may point at rows that changed and are not given.
    const cards: string[] = [];
    const seen = new Set<string>();
    const wanted = limit + 1;
    let block = await covering(db.names, prefix);
    let done = false;
    while (block && !done) {
      const at = search(block.keys, prefix);
      for (let i = at >= 0 ? at : -at - 1; i < block.keys.length && !done; i++) {
        if (!block.keys[i]!.startsWith(prefix)) done = true;
        else if (!seen.has(block.cards[i]!)) {
          seen.add(block.cards[i]!);
          cards.push(block.cards[i]!);
          done = cards.length >= wanted + SPARE_NAME_MATCHES;
        }
      }
      if (!done) block = await db.names.where('key').above(block.key).first();
    }
    // Rows are read for as many entries as are wanted, all at once; the spares only for entries left out. Every
    // read is a chance of IndexedDB's slow tail, so the fewer the better.
    const members: MemberRecord[] = [];
    for (let from = 0; from < cards.length && members.length < wanted;) {
      const next = cards.slice(from, from + wanted - members.length);
      from += next.length;
      for (const m of await Promise.all(next.map((card) => byCard(card))))
        if (m !== null && nameKeys(m.name, m.cardNumber).some((k) => k.startsWith(prefix))) members.push(m);
    }
    return { members: members.slice(0, limit), more: members.length > limit };
  };

  /**
   * New names and states of members whose card and phone stay: each is its row, replaced where it is, so these
   * go in short transactions of the row table alone (the till's lookups and the IndexedDB backend its sales share
   * wait only for one of them). A row replaced here is at its newer seq before the checkpoint moves: a till
   * stopped in between pulls the change again and finds the row already there, so this is safe to repeat.
   * Changes that are not like that after all (the member is not at that card, or its phone or name changed) come
   * back `deferred`.
   */
  const updateInPlace = (batch: readonly StoredRow[]) =>
    db.transaction('rw', db.rows, async () => {
      const rows = blockBatch(db.rows, ROW_COLUMNS, ROW_BLOCK_SIZE, emptyRows);
      await rows.load(batch.map((c) => c.record.cardNumber));
      const changed: string[] = [];
      const deferred: StoredRow[] = [];
      for (const change of batch) {
        const r = change.record;
        const row = rows.find(r.cardNumber);
        if (!row || row.block.ids[row.index] !== r.id || row.block.phones[row.index] !== r.phoneHash) {
          deferred.push(change);
          continue;
        }
        if (row.block.seqs[row.index]! >= r.seq) continue;
        // A new name moves the member's name keys: that is the other transaction's work.
        if (rowName(row.block.rows[row.index]!) !== r.name) {
          deferred.push(change);
          continue;
        }
        rows.put(r.cardNumber, [r.id, r.phoneHash, r.seq, change.text]);
        changed.push(r.id);
      }
      await rows.write();
      return { changed, deferred };
    });
  /** Every other change, the erasures and the checkpoint, in one transaction of all tables. */
  const applyRest = (changes: readonly StoredRow[], deletedIds: readonly string[], checkpoint: number) =>
    write(async () => {
      const state = await readState();
      const ids = blockBatch(db.ids, KEY_COLUMNS, KEY_BLOCK_SIZE, emptyKeys);
      const rows = blockBatch(db.rows, ROW_COLUMNS, ROW_BLOCK_SIZE, emptyRows);
      const phones = blockBatch(db.phones, KEY_COLUMNS, KEY_BLOCK_SIZE, emptyKeys);
      const names = blockBatch(db.names, KEY_COLUMNS, KEY_BLOCK_SIZE, emptyKeys);
      // Every block the batch can touch, read in three steps: id entries give the cards members are at now,
      // the rows there give their phones now. The cards and phones changes move to are read with them.
      await ids.load([...deletedIds, ...changes.map((c) => c.record.id)]);
      const cards = new Set(changes.map((c) => c.record.cardNumber));
      for (const id of [...deletedIds, ...changes.map((c) => c.record.id)]) {
        const entry = ids.find(id);
        if (entry) cards.add(entry.block.cards[entry.index]!);
      }
      await rows.load(cards);
      const phoneKeys = new Set<string>();
      const nameKeySet = new Set<string>();
      /** The names of the rows read, by card (parsed once). */
      const oldNames = new Map<string, string>();
      for (const card of cards) {
        const row = rows.find(card);
        const phone = row ? row.block.phones[row.index]! : '';
        if (phone !== '') phoneKeys.add(phoneEntryKey(phone, card));
        if (row) {
          const name = rowName(row.block.rows[row.index]!);
          oldNames.set(card, name);
          for (const k of nameKeys(name, card)) nameKeySet.add(k);
        }
      }
      for (const { record: r } of changes) {
        if (r.phoneHash !== '') phoneKeys.add(phoneEntryKey(r.phoneHash, r.cardNumber));
        for (const k of nameKeys(r.name, r.cardNumber)) nameKeySet.add(k);
      }
      await Promise.all([phones.load(phoneKeys), names.load(nameKeySet)]);
      const moveName = (oldName: string | null, oldCard: string | null, name: string | null, card: string) => {
        if (oldName !== null && oldCard !== null) for (const k of nameKeys(oldName, oldCard)) names.remove(k);
        if (name !== null) for (const k of nameKeys(name, card)) names.put(k, [card]);
      };

      let { count } = state;
      const changed: string[] = [];
      /** Where member `id` is stored now: its card (from its id entry, else `card`) and its row there, if its own. */
      const locate = (id: string, card: string | null) => {
        const entry = ids.find(id);
        const at = entry ? entry.block.cards[entry.index]! : card;
        const row = at === null ? null : rows.find(at);
        return { entry, card: at, row: row && row.block.ids[row.index] === id ? row : null };
      };
      for (const id of deletedIds) {
        const { entry, card, row } = locate(id, null);
        if (!entry) continue;
        if (row && card !== null) {
          const phone = row.block.phones[row.index]!;
          rows.remove(card);
          count -= 1;
          if (phone !== '') phones.remove(phoneEntryKey(phone, card));
          moveName(oldNames.get(card) ?? '', card, null, card);
        }
        ids.remove(id);
        changed.push(id);
      }
      for (const { text, record: r } of changes) {
        const { entry, card, row } = locate(r.id, r.cardNumber);
        if (row && row.block.seqs[row.index]! >= r.seq) continue;
        const oldPhone = row ? row.block.phones[row.index]! : '';
        // Read before the row is replaced: a member changed twice in a batch is named by its latest row.
        const oldName = row ? rowName(row.block.rows[row.index]!) : null;
        const moved = row !== null && card !== r.cardNumber;
        if (moved) {
          rows.remove(card!);
          count -= 1;
        }
        if (rows.put(r.cardNumber, [r.id, r.phoneHash, r.seq, text])) count += 1;
        // A new name or state leaves the key tables alone; a new card or phone moves the member's entries.
        if (!row || moved || oldPhone !== r.phoneHash) {
          if (oldPhone !== '') phones.remove(phoneEntryKey(oldPhone, card!));
          if (r.phoneHash !== '') phones.put(phoneEntryKey(r.phoneHash, r.cardNumber), [r.cardNumber]);
        }
        if (!entry || entry.block.cards[entry.index] !== r.cardNumber) ids.put(r.id, [r.cardNumber]);
        if (!row || moved || oldName !== r.name) moveName(oldName, card, r.name, r.cardNumber);
        changed.push(r.id);
      }
      await Promise.all([
        ids.write(),
        rows.write(),
        phones.write(),
        names.write(),
        db.meta.put({ ...state, count, checkpoint: Math.max(checkpoint, state.checkpoint) }),
      ]);
      return changed;
    });

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
    // One read transaction for the key blocks and every matching row: IndexedDB pipelines its requests, where
    // separate transactions (one a row) would each wait their turn.
    byNamePrefix: (prefix, limit) => db.transaction('r', [db.names, db.rows], () => namesFrom(prefix, limit)),
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
    beginSnapshot: async (snapshotSeq, total, phones, scope = '') => {
      await write(async () => {
        const state = await readState();
        await clearAll();
        await db.meta.put({
          ...emptyState(state.epoch),
          phase: 'keys',
          snapshotSeq,
          total,
          keyTotal: total + phones,
          scope,
        });
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
        const run = pageNameKeys(cards, page.names);
        if (run.keys.length > 0) await db.nameRuns.put({ key: cards[0]!, ...run });
        const done = page.next === null;
        if (done) await mergeNameRuns();
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
    applyChanges: async (changes, deletedIds, checkpoint, between) => {
      const { inPlace, rest } = inPlaceCandidates(changes, deletedIds);
      const changed: string[] = [];
      for (let i = 0; i < inPlace.length; i += IN_PLACE_BATCH) {
        if (i > 0) await between?.();
        const done = await updateInPlace(inPlace.slice(i, i + IN_PLACE_BATCH));
        changed.push(...done.changed);
        rest.push(...done.deferred);
      }
      if (inPlace.length > 0) await between?.();
      return changed.concat(await applyRest(rest, deletedIds, checkpoint));
    },
    close: () => db.close(),
  };
}
