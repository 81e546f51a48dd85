/**
 * The member snapshot a till bootstraps from (shared/member-snapshot.ts),
 * and the one-member lookup a till uses while its snapshot is incomplete.
 *
 * - The manifest cuts the snapshot at `safeSeq` (seq.ts): every member with
 *   seq ≤ S is committed, so paging by card number over `seq ≤ S` misses
 *   nothing that the catch-up pull from S does not bring.
 * - Pages are keyset-paged by card number (the UNIQUE index), built from
 *   rows as JSON text in the line format of shared/member-snapshot.ts, and
 *   gzip-compressed off the event loop (zlib's thread pool) when the till
 *   accepts it. Each page's header carries the SHA-256 of the rest.
 * - A page of a snapshot seq this database never handed out (the server was
 *   restored from an older backup since the till began) answers 409
 *   SNAPSHOT_GONE: the till starts its bootstrap again.
 * - Key pages (by id, by phone hash) page the members in those keys' order,
 *   for the till's own key tables, from the indexes alone.
 * - Every order is byte order (the key columns are COLLATE "C", migration
 *   011), the order the till compares keys in.
 * - Every answer carries only the calling till database's own watermark.
 * - A partial till (its store set to its region's members, member-scope.ts) is counted, paged and keyed over
 *   its region's members only; the one-member lookup answers for the whole chain.
 */
import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { KassaError } from '../shared/errors';
import {
  memberLookupQuerySchema,
  memberRecord,
  memberRowText,
  phoneEntryKey,
  snapshotKeysQuerySchema,
  snapshotRowText,
  snapshotPageBody,
  snapshotPageQuerySchema,
  snapshotPageText,
  snapshotRoutes,
  SNAPSHOT_PAGE_SIZE,
  SNAPSHOT_PAGE_TYPE,
  type SnapshotKeyOrder,
  type SnapshotManifest,
} from '../shared/member-snapshot';
import { tillFromAuthHeader } from './auth';
import type { Db } from './db';
import { parseInput as parse } from './http/errors';
import { memberDocColumns, memberFromRow, type MemberRow } from './rows';
import { checkedMemberScope, memberScopeOf, type MemberScope } from './member-scope';
import { pullStart, safeSeq } from './seq';

const gzipAsync = promisify(gzip);
/** Below this a page is sent as it is: compressing it costs more than it saves. */
const GZIP_MIN_BYTES = 8 * 1024;

type KeyRow = { id: string; card_number: string; phone_hash: string };

/**
 * The filter of a partial till's members (their home store in its region), as parameter `$n`; none for the chain,
 * whose key pages are read from the indexes alone.
 */
export function inScope(scope: MemberScope, n: number): string {
  return scope.stores ? `AND store_id = ANY($${n}::text[])` : '';
}

export function scopeParams(scope: MemberScope): unknown[] {
  return scope.stores ? [scope.stores] : [];
}

/** A page's text: the header (with the digest of the body) and the body. */
function pageText(next: string | null, count: number, body: string): string {
  const sha256 = createHash('sha256').update(body).digest('hex');
  return snapshotPageText({ next, count, sha256 }, body);
}

/** One row page: members with seq ≤ `seq` after card `after`, as record JSON for till database `epoch`. */
export async function snapshotPage(
  db: Db,
  query: { seq: number; after: string; limit: number; epoch: string },
  scope: MemberScope = { key: '', stores: null },
): Promise<string> {
  // Only this till database's own mark is read (member-marks.ts).
  const rows = await db.query<MemberRow>(
    `SELECT ${memberDocColumns('$4::text')}
       FROM members
      WHERE card_number > $1 AND seq <= $2 AND NOT deleted ${inScope(scope, 5)}
      ORDER BY card_number LIMIT $3`,
    [query.after, query.seq, query.limit, query.epoch, ...scopeParams(scope)],
  );
  const members = rows.map((r) => memberRecord(memberFromRow(r, query.epoch), query.epoch));
  const body = snapshotPageBody(
    [
      members.map((m) => m.cardNumber),
      members.map((m) => m.id),
      members.map((m) => m.phoneHash),
      members.map((m) => m.seq),
      members.map((m) => m.name),
    ],
    members.map(snapshotRowText),
  );
  const next = rows.length === query.limit ? rows.at(-1)!.card_number : null;
  return pageText(next, rows.length, body);
}

/**
 * One key page after key `after`, in `order`. Not cut at the snapshot's seq: that filter would read every member's
 * row (phone order is random over the table: 1.7 s a page of 20,000 at a million members, against 0.12 s from the
 * index alone). An entry of a member changed or enrolled after S points at a row the till does not get from the
 * row pages; lookups treat it as absent and the catch-up mends it (member-store.ts).
 */
export async function snapshotKeysPage(
  db: Db,
  query: { seq: number; order: SnapshotKeyOrder; after: string; limit: number },
  scope: MemberScope = { key: '', stores: null },
): Promise<string> {
  let keys: string[];
  let rows: KeyRow[];
  if (query.order === 'id') {
    rows = await db.query<KeyRow>(
      `SELECT id, card_number FROM members WHERE id > $1 ${inScope(scope, 3)} ORDER BY id LIMIT $2`,
      [query.after, query.limit, ...scopeParams(scope)],
    );
    keys = rows.map((r) => r.id);
  } else {
    const [hash = '', card = ''] = query.after.split(' ');
    rows = await db.query<KeyRow>(
      `SELECT phone_hash, card_number FROM members
        WHERE phone_hash <> '' AND (phone_hash, card_number) > ($1, $2) ${inScope(scope, 4)}
        ORDER BY phone_hash, card_number LIMIT $3`,
      [hash, card, query.limit, ...scopeParams(scope)],
    );
    keys = rows.map((r) => phoneEntryKey(r.phone_hash, r.card_number));
  }
  const body = snapshotPageBody([keys, rows.map((r) => r.card_number)]);
  return pageText(rows.length === query.limit ? keys.at(-1)! : null, rows.length, body);
}

/** Sends a page, gzip-compressed off the event loop when the till accepts it and it is worth it. */
async function sendPage(accept: string | undefined, reply: FastifyReply, text: string): Promise<FastifyReply> {
  reply.header('content-type', `${SNAPSHOT_PAGE_TYPE}; charset=utf-8`);
  reply.header('cache-control', 'no-store');
  if (!/\bgzip\b/.test(String(accept ?? '')) || text.length < GZIP_MIN_BYTES) return reply.send(text);
  reply.header('content-encoding', 'gzip');
  reply.header('vary', 'accept-encoding');
  return reply.send(await gzipAsync(text, { level: 1 }));
}

/** 409 SNAPSHOT_GONE unless `seq` is a snapshot this database could have handed out. */
async function checkSnapshotSeq(db: Db, seq: number): Promise<void> {
  if ((await pullStart(db.query, seq)) !== seq)
    throw new KassaError(
      'SNAPSHOT_GONE',
      `Snapshot ${seq} is not from this database (it was restored from a backup): start the snapshot again`,
    );
}

export function snapshotRoutesFor(app: FastifyInstance, db: Db): void {
  app.get(snapshotRoutes.manifest, async (req): Promise<SnapshotManifest> => {
    const till = await tillFromAuthHeader(db, req.headers.authorization);
    const scope = await memberScopeOf(db.query, till.storeId);
    const seq = await safeSeq(db.query, 'members');
    const [row] = await db.query<{ n: string | number; phones: string | number }>(
      `SELECT count(*) AS n, count(*) FILTER (WHERE phone_hash <> '') AS phones
         FROM members WHERE seq <= $1 AND NOT deleted ${inScope(scope, 2)}`,
      [seq, ...scopeParams(scope)],
    );
    return {
      seq,
      total: Number(row?.n ?? 0),
      phones: Number(row?.phones ?? 0),
      pageSize: SNAPSHOT_PAGE_SIZE,
      scope: scope.key,
    };
  });

  app.get(snapshotRoutes.page, async (req, reply) => {
    const till = await tillFromAuthHeader(db, req.headers.authorization);
    const query = parse(snapshotPageQuerySchema, req.query, 'PULL_BAD_CHECKPOINT');
    const scope = await checkedMemberScope(db.query, till.storeId, query.scope);
    await checkSnapshotSeq(db, query.seq);
    return sendPage(req.headers['accept-encoding'], reply, await snapshotPage(db, query, scope));
  });

  app.get(snapshotRoutes.keys, async (req, reply) => {
    const till = await tillFromAuthHeader(db, req.headers.authorization);
    const query = parse(snapshotKeysQuerySchema, req.query, 'PULL_BAD_CHECKPOINT');
    const scope = await checkedMemberScope(db.query, till.storeId, query.scope);
    await checkSnapshotSeq(db, query.seq);
    return sendPage(req.headers['accept-encoding'], reply, await snapshotKeysPage(db, query, scope));
  });

  app.get(snapshotRoutes.lookup, async (req) => {
    await tillFromAuthHeader(db, req.headers.authorization);
    const query = parse(memberLookupQuerySchema, req.query);
    const [column, value] =
      query.card !== undefined
        ? ['card_number', query.card]
        : query.id !== undefined
          ? ['id', query.id]
          : ['phone_hash', query.phoneHash!];
    const rows = await db.query<MemberRow>(
      `SELECT ${memberDocColumns('$2::text')} FROM members WHERE ${column} = $1 AND NOT deleted ORDER BY id LIMIT 2`,
      [value, query.epoch],
    );
    if (rows.length === 0) throw new KassaError('MEMBER_NOT_FOUND', `No member with that ${column.replace('_', ' ')}`);
    return { members: rows.map((r) => memberRowText(memberRecord(memberFromRow(r, query.epoch), query.epoch))) };
  });
}
