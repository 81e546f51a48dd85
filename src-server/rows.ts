/**
 * Row <-> document mapping for the down collections: the server's tables are
 * turned into exactly the documents of shared/documents.ts.
 *
 * Invariants: a member document is built from `memberDocColumns` only, so
 * the personal data the server holds (phone, e-mail) is never even read for
 * a till: tills get the name as shown, the card, the state and the phone's
 * keyed hash. Its `tillMarks` holds the mark of the one till database it is
 * read for (member-marks.ts), so it does not grow with the chain's tills.
 */
import type { Member, Product, RefDoc } from '../shared/documents';
import type { DownCollection } from '../shared/replication';
import type { Query } from './db';
import { markSql } from './member-marks';
import { seqBound } from './seq';

type ProductRow = { id: string; doc: Omit<Product, 'seq' | '_deleted'>; seq: string; deleted: boolean };
/** The member columns a till document is made of (`MEMBER_DOC_COLUMNS`). */
export type MemberRow = {
  id: string;
  card_number: string;
  store_id: string;
  name: string;
  phone_hash: string;
  enrolled_at: Date | string;
  state: Member['state'];
  /** The mark of the till database the row was read for (`memberDocColumns`); null: it has none. */
  till_mark: string | number | null;
  seq: string;
  deleted: boolean;
};
type RefRow = {
  id: string;
  kind: RefDoc['kind'];
  key: string;
  data: Record<string, unknown>;
  seq: string;
  deleted: boolean;
};

/**
 * The columns a member document is made of (see the invariants above), of `members` in the query, with the mark of
 * the till database `epoch` (an SQL expression; '' names none) as `till_mark`.
 */
export function memberDocColumns(epoch: string): string {
  return `members.id, card_number, store_id, name, phone_hash, enrolled_at, state, members.seq, deleted,
          ${markSql('members.id', epoch)} AS till_mark`;
}

/** A timestamptz as ISO text: pg returns Date objects, PGlite may return strings. */
export const isoTime = (d: Date | string): string => new Date(d).toISOString();

/** A member document for till database `epoch` (the one its row was read for: `memberDocColumns`). */
export const memberFromRow = (r: MemberRow, epoch: string): Member => ({
  id: r.id,
  cardNumber: r.card_number,
  name: r.name,
  phoneHash: r.phone_hash,
  storeId: r.store_id,
  enrolledAt: isoTime(r.enrolled_at),
  state: r.state,
  tillMarks: r.till_mark === null || !epoch ? {} : { [epoch]: Number(r.till_mark) },
  seq: Number(r.seq),
  _deleted: r.deleted,
});

export const pullDocuments = async (
  q: Query,
  collection: DownCollection,
  afterSeq: number,
  limit: number,
  /** The pulling till's store: a store's cashiers (and their PIN hashes) and till documents reach only its own tills. */
  storeId: string,
  /** The pulling till database: member documents carry its mark only ('': none, `tillMarks` is `{}`). */
  epoch: string,
  /**
   * `memberStores`: a partial till's region (member-scope.ts): members whose home store is one of them.
   * `upTo`: the bound read by the caller (seqBound), when it needs to know how far the page looked.
   */
  options: { memberStores?: readonly string[] | null; upTo?: number } = {},
): Promise<Array<Product | Member | RefDoc>> => {
  // Only up to where nothing is still being written (seq.ts): a row committing late below it cannot be skipped.
  const upTo = options.upTo ?? (await seqBound(q));
  switch (collection) {
    case 'products': {
      const rows = await q<ProductRow>(
        'SELECT id, doc, seq, deleted FROM products WHERE seq > $1 AND seq <= $3 ORDER BY seq LIMIT $2',
        [afterSeq, limit, upTo],
      );
      return rows.map((r) => ({ ...r.doc, id: r.id, seq: Number(r.seq), _deleted: r.deleted }));
    }
    case 'members': {
      const stores = options.memberStores ?? null;
      const rows = await q<MemberRow>(
        `SELECT ${memberDocColumns('$4::text')} FROM members
          WHERE seq > $1 AND seq <= $3 ${stores ? 'AND store_id = ANY($5::text[])' : ''} ORDER BY seq LIMIT $2`,
        stores ? [afterSeq, limit, upTo, epoch, stores] : [afterSeq, limit, upTo, epoch],
      );
      return rows.map((r) => memberFromRow(r, epoch));
    }
    case 'refdata': {
      const rows = await q<RefRow>(
        `SELECT id, kind, key, data, seq, deleted FROM refdata
          WHERE seq > $1 AND seq <= $4 AND (kind NOT IN ('cashier', 'till') OR data->>'storeId' = $3) ORDER BY seq LIMIT $2`,
        [afterSeq, limit, storeId, upTo],
      );
      return rows.map((r) => ({
        id: r.id,
        kind: r.kind,
        key: r.key,
        data: r.data,
        seq: Number(r.seq),
        _deleted: r.deleted,
      }));
    }
  }
};
