/**
 * The member snapshot contract: how a till gets a whole chain's members.
 *
 * A fresh till does not pull members through the generic replication (one
 * document at a time, pages of 1,000). It reads a manifest naming a server
 * sequence number S and the number of members at S, then pages through every
 * member with seq ≤ S in card-number order. Each page is gzip-compressed and
 * carries a SHA-256 of its rows, so a truncated or damaged page is refused and
 * fetched again. Members changed while the till pages have seq > S: the
 * normal checkpoint pull from S brings them, so snapshot + catch-up is the
 * server's state at the end, with nothing missed and nothing double.
 *
 * A member on the till is a `MemberRecord`: what the till needs and no more.
 * In particular it carries only this till database's own watermark
 * (`tillMark`), never the marks of every till that ever sold to the member,
 * so a record does not grow with the number of tills in the chain. The
 * server reads only the mark of the epoch a till call names (snapshot, pull,
 * live stream, online lookup); a call that names none gets no mark.
 *
 * Rows travel as JSON strings of the record, and are stored as such in the
 * till's member blocks: the till parses a row only when it shows the member.
 *
 * Beside the rows, the till keeps two key indexes of its own (by member id
 * and by phone hash, each entry naming the member's card). It reads them
 * first, from key pages in id order and in phone-hash order: a member in a
 * row page (read later, at S) was unchanged since S, so it is in the key
 * pages too. A key entry whose member changed meanwhile points at a row
 * the till does not have; the catch-up pull brings that member and the
 * till mends the entry. Every order is byte order (the keys are ASCII).
 */
import { z } from 'zod';
import type { Member } from './documents';
import { emptyMemberState, type MemberState } from './engine/member-state';
import { memberScopeKeySchema } from './member-scope';

export const snapshotRoutes = {
  /** `GET`: the manifest — snapshot seq, member count, page size. */
  manifest: '/api/v1/till/snapshot/members',
  /** `GET ?seq=S&after=<card>&limit=N&epoch=E`: one page of members with seq ≤ S after a card number. */
  page: '/api/v1/till/snapshot/members/page',
  /** `GET ?seq=S&order=id|phone&after=<key>&limit=N`: one page of key entries with seq ≤ S, in that key's order. */
  keys: '/api/v1/till/snapshot/members/keys',
  /** `GET ?card=… | ?id=… | ?phoneHash=…, &epoch=E`: one member, for a till whose snapshot is not complete yet. */
  lookup: '/api/v1/till/members/lookup',
} as const;

/** Members per snapshot page the server sends unless asked for fewer. */
export const SNAPSHOT_PAGE_SIZE = 5000;
export const SNAPSHOT_MAX_PAGE = 20_000;
/** Key entries per key page the server sends unless asked for fewer. */
export const SNAPSHOT_KEYS_PAGE_SIZE = 20_000;

/** A member as the till holds it. */
export type MemberRecord = {
  id: string;
  cardNumber: string;
  name: string;
  phoneHash: string;
  storeId: string;
  enrolledAt: string;
  state: MemberState;
  /** The highest tillSeq of this till database's journal already counted in `state`. */
  tillMark: number;
  seq: number;
};

export const snapshotManifestSchema = z.object({
  /** Every member with seq ≤ this is in the snapshot; the catch-up pull starts here. */
  seq: z.number().int().nonnegative(),
  /** Members in the snapshot (not erased), for the till's progress bar. */
  total: z.number().int().nonnegative(),
  /** Of them, members with a phone hash (entries of the phone key pages). */
  phones: z.number().int().nonnegative(),
  pageSize: z.number().int().positive(),
  /**
   * Which members this till holds: '' for the whole chain; otherwise the key of its region's stores (a partial
   * till, shared/member-scope.ts). Pages, key pages and pulls name it; when it no longer matches the till's store,
   * they answer 409 MEMBER_SCOPE_CHANGED and the till loads its members again. Servers before partial scopes
   * send none: the whole chain.
   */
  scope: memberScopeKeySchema.default(''),
});
export type SnapshotManifest = z.infer<typeof snapshotManifestSchema>;

export const snapshotPageQuerySchema = z.object({
  seq: z.coerce.number().int().nonnegative(),
  after: z.string().max(32).default(''),
  limit: z.coerce.number().int().min(1).max(SNAPSHOT_MAX_PAGE).default(SNAPSHOT_PAGE_SIZE),
  epoch: z.string().max(26).default(''),
  scope: memberScopeKeySchema.default(''),
});

/**
 * Snapshot pages travel as lines (`application/x-ndjson`, each line one JSON text), so that neither side parses or
 * escapes member rows more than once:
 *
 *   line 0   the header: `{ next, count, sha256 }`; sha256 (hex) covers every byte after line 0's newline;
 *   then     one JSON array per column, `count` long: for row pages cards, ids, phone hashes, seqs, names (the till
 *            builds its name search keys from them without parsing a row); for key pages keys, cards;
 *   then     (row pages) `count` lines, each a member record's JSON text, in card order.
 *
 * The till checks the digest over the bytes as received, reads the column arrays for its keys, and stores each row
 * line as it is.
 */
export const SNAPSHOT_PAGE_TYPE = 'application/x-ndjson';

export const snapshotPageHeaderSchema = z.object({
  /** The key to continue after, or null after the last page. */
  next: z.string().nullable(),
  count: z.number().int().nonnegative(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
});
export type SnapshotPageHeader = z.infer<typeof snapshotPageHeaderSchema>;

/** A row page: members in card order, their keys as columns and their records as JSON text. */
export type SnapshotRowsPage = {
  next: string | null;
  cards: string[];
  ids: string[];
  phones: string[];
  seqs: number[];
  /** Each member's name as it is in the row (shared/member-name.ts makes the till's search keys of it). */
  names: string[];
  rows: string[];
};

/** A key page: keys in order (ids, or `phoneHash card`), each with the member's card. */
export type SnapshotKeysPage = { next: string | null; keys: string[]; cards: string[] };

/** The body after the header line: the columns, then the rows. */
export function snapshotPageBody(columns: readonly (readonly unknown[])[], rows: readonly string[] = []): string {
  return [...columns.map((c) => JSON.stringify(c)), ...rows].join('\n');
}

/** The whole page: the header line, then the body. */
export function snapshotPageText(header: SnapshotPageHeader, body: string): string {
  return `${JSON.stringify(header)}\n${body}`;
}

/** Splits a received page into its header and the body bytes its digest covers; throws on a page cut short. */
export function splitSnapshotPage(bytes: Uint8Array<ArrayBuffer>): {
  header: SnapshotPageHeader;
  body: Uint8Array<ArrayBuffer>;
} {
  const nl = bytes.indexOf(10);
  if (nl < 0) throw new Error('a snapshot page without its header line');
  const header = snapshotPageHeaderSchema.parse(JSON.parse(new TextDecoder().decode(bytes.subarray(0, nl))));
  return { header, body: bytes.subarray(nl + 1) };
}

function column<T>(line: string | undefined, count: number, type: 'string' | 'number'): T[] {
  const values: unknown = JSON.parse(line ?? 'null');
  if (!Array.isArray(values) || values.length !== count || values.some((v) => typeof v !== type))
    throw new Error(`a snapshot page column is not ${count} values of type ${type}`);
  return values as T[];
}

/** Column lines before the rows of a row page: cards, ids, phone hashes, seqs, names. */
const ROW_PAGE_COLUMNS = 5;

/** The row page in a verified body. */
export function parseRowsPage(header: SnapshotPageHeader, body: string): SnapshotRowsPage {
  const lines = body.split('\n');
  const n = header.count;
  if (lines.length !== ROW_PAGE_COLUMNS + n)
    throw new Error(`a row page of ${n} members has ${lines.length - ROW_PAGE_COLUMNS} rows`);
  return {
    next: header.next,
    cards: column<string>(lines[0], n, 'string'),
    ids: column<string>(lines[1], n, 'string'),
    phones: column<string>(lines[2], n, 'string'),
    seqs: column<number>(lines[3], n, 'number'),
    names: column<string>(lines[4], n, 'string'),
    rows: lines.slice(ROW_PAGE_COLUMNS),
  };
}

/** The key page in a verified body. */
export function parseKeysPage(header: SnapshotPageHeader, body: string): SnapshotKeysPage {
  const lines = body.split('\n');
  if (lines.length !== 2) throw new Error('a key page is two columns');
  return {
    next: header.next,
    keys: column<string>(lines[0], header.count, 'string'),
    cards: column<string>(lines[1], header.count, 'string'),
  };
}

/** The key of a phone entry: hash and card, so that members sharing a phone stay apart and in order. */
export function phoneEntryKey(phoneHash: string, card: string): string {
  return `${phoneHash} ${card}`;
}

/**
 * Key pages. `id` order: keys are member ids; `phone` order: `phoneHash card` (members without a phone left out).
 * `after` is the last key of the page before.
 */
export const snapshotKeysQuerySchema = z.object({
  seq: z.coerce.number().int().nonnegative(),
  order: z.enum(['id', 'phone']),
  after: z.string().max(128).default(''),
  limit: z.coerce.number().int().min(1).max(SNAPSHOT_MAX_PAGE).default(SNAPSHOT_KEYS_PAGE_SIZE),
  scope: memberScopeKeySchema.default(''),
});
export type SnapshotKeyOrder = z.infer<typeof snapshotKeysQuerySchema>['order'];

export const memberLookupQuerySchema = z
  .object({
    card: z.string().min(1).max(32).optional(),
    id: z.string().min(1).max(26).optional(),
    phoneHash: z
      .string()
      .regex(/^[0-9a-f]{64}$/)
      .optional(),
    epoch: z.string().max(26).default(''),
  })
  .refine((q) => [q.card, q.id, q.phoneHash].filter((v) => v !== undefined).length === 1, {
    message: 'give exactly one of card, id or phoneHash',
  });

export const memberLookupResponseSchema = z.object({ members: z.array(z.string()) });

/** The record of a member document for the till database `epoch`. */
export function memberRecord(member: Omit<Member, '_deleted'>, epoch: string): MemberRecord {
  return {
    id: member.id,
    cardNumber: member.cardNumber,
    name: member.name,
    phoneHash: member.phoneHash,
    storeId: member.storeId,
    enrolledAt: member.enrolledAt,
    state: member.state,
    tillMark: member.tillMarks[epoch] ?? 0,
    seq: member.seq,
  };
}

const EMPTY_STATE: Readonly<Record<string, unknown>> = emptyMemberState();

/** Deep equality of JSON values (a state field against its starting value). */
function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (!a || !b || typeof a !== 'object' || typeof b !== 'object' || Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => sameJson((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

/**
 * A member state without the fields still at their starting value (most members have no tier, grants,
 * stamps, household…): a snapshot row a third shorter. `parseMemberRecord` puts them back.
 */
export function compactMemberState(state: MemberState): Partial<MemberState> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(state)) if (!sameJson(v, EMPTY_STATE[k])) out[k] = v;
  return out;
}

/** A member's JSON text with its state compacted (online lookups). */
export function memberRowText(record: MemberRecord): string {
  return JSON.stringify({ ...record, state: compactMemberState(record.state) });
}

/** The keys of a row that travel (and are stored) beside it, in the page's columns and the till's blocks. */
export type MemberRowKeys = Pick<MemberRecord, 'id' | 'cardNumber' | 'phoneHash' | 'seq'>;

/** A snapshot row: the member's JSON text without its keys (they are columns of the page), its state compacted. */
export function snapshotRowText(record: MemberRecord): string {
  const { id: _id, cardNumber: _card, phoneHash: _phone, seq: _seq, ...rest } = record;
  return JSON.stringify({ ...rest, state: compactMemberState(record.state) });
}

/**
 * Parses a stored or received row (its state whole or compacted; its keys in it, or given beside it); throws on a
 * row that is not a member record.
 */
export function parseMemberRecord(row: string, keys?: MemberRowKeys): MemberRecord {
  const parsed = JSON.parse(row) as Partial<MemberRecord> | null;
  const r = parsed && keys ? Object.assign(parsed, keys) : parsed;
  if (
    !r ||
    typeof r.id !== 'string' ||
    typeof r.cardNumber !== 'string' ||
    typeof r.phoneHash !== 'string' ||
    typeof r.seq !== 'number' ||
    typeof r.tillMark !== 'number' ||
    typeof r.state !== 'object'
  )
    throw new Error('not a member record');
  r.state = { ...emptyMemberState(), ...r.state };
  return r as MemberRecord;
}
