/**
 * The till's members: a whole chain's, packed into blocks in their own
 * IndexedDB database (Dexie), beside the RxDB database that holds products,
 * reference data and the journal.
 *
 * Why blocks: one IndexedDB record per member is what made a chain's
 * bootstrap slow (every record is a structured clone, a key and a B-tree
 * insert). A block holds up to BLOCK_SIZE members as parallel arrays, rows
 * kept as the JSON text the server sent; IndexedDB multi-entry indexes on
 * the block's card numbers, member ids and phone hashes find the one block a
 * lookup needs, and only that member's row is parsed. A million members are
 * about 16,000 records.
 *
 * Invariants:
 * - A member is in at most one block; a change replaces its row only when
 *   its seq is higher than the stored one (`applyChanges`).
 * - Everything a write changes — blocks, progress and checkpoint in `meta`
 *   — commits in one transaction, so a till killed mid-bootstrap resumes
 *   from the last page it stored, and never holds a page half-written.
 * - Rows hold one till database's watermarks (`tillMark`): the store
 *   remembers that epoch, and a store of another epoch is emptied and loaded
 *   again (`reset`), since its marks would hide this database's own sales.
 *
 * The same module runs in the member worker (writes) and on the page (reads,
 * through its own connection to the same database).
 */
import Dexie, { type DexieOptions, type Table } from 'dexie';
import { parseMemberRecord, type MemberRecord } from '../../../shared/member-snapshot';

/** Members per block. Smaller blocks make lookups and updates cheaper, larger ones the bootstrap. */
export const BLOCK_SIZE = 64;

export type MemberBlock = {
  id: number;
  cards: string[];
  ids: string[];
  /** One per row, '' for a member without a phone. */
  phones: string[];
  seqs: number[];
  /** JSON text of each member's record. */
  rows: string[];
};

/**
 * Where the store stands. `loading`: a snapshot at `snapshotSeq` is being stored, up to card `after`;
 * `ready`: the snapshot is complete and the store has caught up to `checkpoint`.
 */
export type MemberStoreState = {
  key: 'state';
  epoch: string;
  phase: 'empty' | 'loading' | 'ready';
  snapshotSeq: number;
  after: string;
  total: number;
  /** Members held now. */
  count: number;
  checkpoint: number;
  nextBlock: number;
  /** The block new members go into, and how full it is. */
  openBlock: number | null;
  openSize: number;
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
  beginSnapshot: (snapshotSeq: number, total: number) => Promise<void>;
  /** Stores one snapshot page (rows in card order) and where the next page starts, in one transaction. */
  writePage: (rows: readonly StoredRow[], next: string | null) => Promise<MemberStoreState>;
  /** Applies changed members and erasures (by id) above the checkpoint; returns the ids that changed. */
  applyChanges: (changes: readonly StoredRow[], deletedIds: readonly string[], checkpoint: number) => Promise<string[]>;
  close: () => void;
};

/** IndexedDB for Node tests (fake-indexeddb); the browser's own when absent. */
export type IndexedDbFactory = Required<Pick<DexieOptions, 'indexedDB' | 'IDBKeyRange'>>;

class MemberDexie extends Dexie {
  blocks!: Table<MemberBlock, number>;
  meta!: Table<Meta, string>;
  constructor(name: string, deps?: IndexedDbFactory) {
    super(name, deps ? { indexedDB: deps.indexedDB, IDBKeyRange: deps.IDBKeyRange } : undefined);
    this.version(1).stores({ blocks: 'id, *cards, *ids, *phones', meta: 'key' });
    // No live queries read this database, and Dexie's observability would broadcast every key a write touched
    // (every card, id and phone hash of every block) to each page and worker: hundreds of ms on the page's thread.
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
    after: '',
    total: 0,
    count: 0,
    checkpoint: 0,
    nextBlock: 1,
    openBlock: null,
    openSize: 0,
  };
}

function rowAt(block: MemberBlock | undefined, index: number): MemberRecord | null {
  return block && index >= 0 ? parseMemberRecord(block.rows[index]!) : null;
}

function blockOf(id: number, rows: readonly StoredRow[]): MemberBlock {
  return {
    id,
    cards: rows.map((r) => r.record.cardNumber),
    ids: rows.map((r) => r.record.id),
    phones: rows.map((r) => r.record.phoneHash),
    seqs: rows.map((r) => r.record.seq),
    rows: rows.map((r) => r.text),
  };
}

function removeAt(block: MemberBlock, i: number): void {
  for (const list of [block.cards, block.ids, block.phones, block.seqs, block.rows]) list.splice(i, 1);
}

function setAt(block: MemberBlock, i: number, row: StoredRow): void {
  block.cards[i] = row.record.cardNumber;
  block.ids[i] = row.record.id;
  block.phones[i] = row.record.phoneHash;
  block.seqs[i] = row.record.seq;
  block.rows[i] = row.text;
}

export async function openMemberStore(name: string, deps?: IndexedDbFactory): Promise<MemberStore> {
  const db = new MemberDexie(name, deps);
  await db.open();
  const readState = async (): Promise<Meta> => (await db.meta.get('state')) ?? emptyState('');

  return {
    name,
    state: readState,
    byCard: async (card) => {
      const block = await db.blocks.where('cards').equals(card).first();
      return rowAt(block, block ? block.cards.indexOf(card) : -1);
    },
    byId: async (id) => {
      const block = await db.blocks.where('ids').equals(id).first();
      return rowAt(block, block ? block.ids.indexOf(id) : -1);
    },
    byPhoneHashes: async (hashes) => {
      const wanted = hashes.filter((h) => h !== '');
      if (wanted.length === 0) return [];
      const blocks = await db.blocks.where('phones').anyOf(wanted).toArray();
      const found = new Map<string, MemberRecord>();
      for (const block of blocks)
        block.phones.forEach((p, i) => {
          if (wanted.includes(p)) found.set(block.ids[i]!, parseMemberRecord(block.rows[i]!));
        });
      return [...found.values()];
    },
    all: async () => {
      const out: MemberRecord[] = [];
      await db.blocks.each((block) => {
        for (const row of block.rows) out.push(parseMemberRecord(row));
      });
      return out;
    },
    reset: async (epoch) => {
      await db.transaction('rw', db.blocks, db.meta, async () => {
        await db.blocks.clear();
        await db.meta.put(emptyState(epoch));
      });
    },
    beginSnapshot: async (snapshotSeq, total) => {
      await db.transaction('rw', db.blocks, db.meta, async () => {
        const state = await readState();
        await db.blocks.clear();
        await db.meta.put({ ...emptyState(state.epoch), phase: 'loading', snapshotSeq, total });
      });
    },
    writePage: async (rows, next) =>
      db.transaction('rw', db.blocks, db.meta, async () => {
        const state = await readState();
        const blocks: MemberBlock[] = [];
        for (let i = 0; i < rows.length; i += BLOCK_SIZE)
          blocks.push(blockOf(state.nextBlock + blocks.length, rows.slice(i, i + BLOCK_SIZE)));
        if (blocks.length > 0) await db.blocks.bulkPut(blocks);
        const done = next === null;
        const updated: Meta = {
          ...state,
          phase: done ? 'ready' : 'loading',
          after: next ?? state.after,
          count: state.count + rows.length,
          checkpoint: done ? state.snapshotSeq : state.checkpoint,
          nextBlock: state.nextBlock + blocks.length,
        };
        await db.meta.put(updated);
        return updated;
      }),
    applyChanges: async (changes, deletedIds, checkpoint) =>
      db.transaction('rw', db.blocks, db.meta, async () => {
        const state = await readState();
        const ids = [...new Set([...changes.map((c) => c.record.id), ...deletedIds])];
        const blocks = new Map<number, MemberBlock>();
        for (const b of await db.blocks.where('ids').anyOf(ids).toArray()) blocks.set(b.id, b);
        const home = new Map<string, MemberBlock>();
        for (const b of blocks.values()) for (const id of b.ids) home.set(id, b);
        const changed: string[] = [];
        const dirty = new Set<MemberBlock>();
        let { count, nextBlock, openBlock, openSize } = state;
        for (const id of deletedIds) {
          const block = home.get(id);
          if (!block) continue;
          removeAt(block, block.ids.indexOf(id));
          dirty.add(block);
          home.delete(id);
          count -= 1;
          changed.push(id);
        }
        for (const row of changes) {
          const block = home.get(row.record.id);
          if (block) {
            const i = block.ids.indexOf(row.record.id);
            if (block.seqs[i]! >= row.record.seq) continue;
            setAt(block, i, row);
            dirty.add(block);
          } else {
            // A new member (or one this store never had) goes into the open block, or starts the next one.
            let open = openBlock === null ? undefined : (blocks.get(openBlock) ?? (await db.blocks.get(openBlock)));
            if (!open || openSize >= BLOCK_SIZE || open.ids.length >= BLOCK_SIZE) {
              open = blockOf(nextBlock, []);
              nextBlock += 1;
            }
            setAt(open, open.ids.length, row);
            dirty.add(open);
            blocks.set(open.id, open);
            home.set(row.record.id, open);
            openBlock = open.id;
            openSize = open.ids.length;
            count += 1;
          }
          changed.push(row.record.id);
        }
        const touched = [...dirty];
        const emptied = touched.filter((b) => b.ids.length === 0).map((b) => b.id);
        await db.blocks.bulkPut(touched.filter((b) => b.ids.length > 0));
        if (emptied.length > 0) await db.blocks.bulkDelete(emptied);
        if (openBlock !== null && emptied.includes(openBlock)) openBlock = null;
        await db.meta.put({
          ...state,
          count,
          checkpoint: Math.max(checkpoint, state.checkpoint),
          nextBlock,
          openBlock,
          openSize,
        });
        return changed;
      }),
    close: () => db.close(),
  };
}
