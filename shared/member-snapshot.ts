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
 * server cuts a member document down to one epoch's mark for every till call
 * that names its epoch (snapshot, pull, live stream, online lookup).
 *
 * Rows travel as JSON strings of the record, and are stored as such in the
 * till's member blocks: the till parses a row only when it shows the member.
 */
import { z } from 'zod';
import type { Member } from './documents';
import type { MemberState } from './engine/member-state';

export const snapshotRoutes = {
  /** `GET`: the manifest — snapshot seq, member count, page size. */
  manifest: '/api/v1/till/snapshot/members',
  /** `GET ?seq=S&after=<card>&limit=N&epoch=E`: one page of members with seq ≤ S after a card number. */
  page: '/api/v1/till/snapshot/members/page',
  /** `GET ?card=… | ?id=… | ?phoneHash=…, &epoch=E`: one member, for a till whose snapshot is not complete yet. */
  lookup: '/api/v1/till/members/lookup',
} as const;

/** Members per snapshot page the server sends unless asked for fewer. */
export const SNAPSHOT_PAGE_SIZE = 5000;
export const SNAPSHOT_MAX_PAGE = 20_000;

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
  pageSize: z.number().int().positive(),
});
export type SnapshotManifest = z.infer<typeof snapshotManifestSchema>;

export const snapshotPageQuerySchema = z.object({
  seq: z.coerce.number().int().nonnegative(),
  after: z.string().max(32).default(''),
  limit: z.coerce.number().int().min(1).max(SNAPSHOT_MAX_PAGE).default(SNAPSHOT_PAGE_SIZE),
  epoch: z.string().max(26).default(''),
});

export const snapshotPageSchema = z.object({
  /** JSON text of each `MemberRecord`, in card-number order. */
  rows: z.array(z.string()),
  /** The card number to continue after, or null after the last page. */
  next: z.string().nullable(),
  /** SHA-256 (hex) of the rows joined with "\n". */
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
});
export type SnapshotPage = z.infer<typeof snapshotPageSchema>;

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

/**
 * A member document cut down for one till database: only its own mark. Without an epoch (builds that do not
 * send one) the document is left whole, so those tills keep counting correctly.
 */
export function memberForEpoch<M extends Pick<Member, 'tillMarks'>>(member: M, epoch: string): M {
  if (!epoch) return member;
  const mark = member.tillMarks[epoch];
  return { ...member, tillMarks: mark === undefined ? {} : { [epoch]: mark } };
}

/** The text a page's checksum covers. */
export function pageDigestText(rows: readonly string[]): string {
  return rows.join('\n');
}

/** Parses a stored or received row; throws on a row that is not a member record. */
export function parseMemberRecord(row: string): MemberRecord {
  const r = JSON.parse(row) as Partial<MemberRecord> | null;
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
  return r as MemberRecord;
}
