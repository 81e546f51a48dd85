/**
 * The member snapshot a till bootstraps from (shared/member-snapshot.ts),
 * and the one-member lookup a till uses while its snapshot is incomplete.
 *
 * - The manifest cuts the snapshot at `safeSeq` (seq.ts): every member with
 *   seq ≤ S is committed, so paging by card number over `seq ≤ S` misses
 *   nothing that the catch-up pull from S does not bring.
 * - Pages are keyset-paged by card number (the UNIQUE index), built from
 *   rows as JSON text, and gzip-compressed off the event loop (zlib's thread
 *   pool) when the till accepts it. Each page carries the SHA-256 of its rows.
 * - A page of a snapshot seq this database never handed out (the server was
 *   restored from an older backup since the till began) answers 409
 *   SNAPSHOT_GONE: the till starts its bootstrap again.
 * - Every answer carries only the calling till database's own watermark.
 */
import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import type { FastifyInstance } from 'fastify';
import { KassaError } from '../shared/errors';
import {
  memberLookupQuerySchema,
  memberRecord,
  pageDigestText,
  snapshotPageQuerySchema,
  snapshotRoutes,
  SNAPSHOT_PAGE_SIZE,
  type SnapshotManifest,
  type SnapshotPage,
} from '../shared/member-snapshot';
import { tillFromAuthHeader } from './auth';
import type { Db } from './db';
import { parseInput as parse } from './http/errors';
import { MEMBER_DOC_COLUMNS, memberFromRow, type MemberRow } from './rows';
import { pullStart, safeSeq } from './seq';

const gzipAsync = promisify(gzip);
/** Below this a page is sent as it is: compressing it costs more than it saves. */
const GZIP_MIN_BYTES = 8 * 1024;

/** The rows of one page: members with seq ≤ `seq` after card `after`, as record JSON for till database `epoch`. */
export async function snapshotPage(
  db: Db,
  query: { seq: number; after: string; limit: number; epoch: string },
): Promise<SnapshotPage> {
  const rows = await db.query<MemberRow>(
    `SELECT ${MEMBER_DOC_COLUMNS} FROM members
      WHERE card_number > $1 AND seq <= $2 AND NOT deleted
      ORDER BY card_number LIMIT $3`,
    [query.after, query.seq, query.limit],
  );
  const texts = rows.map((r) => JSON.stringify(memberRecord(memberFromRow(r), query.epoch)));
  const sha256 = createHash('sha256').update(pageDigestText(texts)).digest('hex');
  const next = rows.length === query.limit ? rows.at(-1)!.card_number : null;
  return { rows: texts, next, sha256 };
}

export function snapshotRoutesFor(app: FastifyInstance, db: Db): void {
  app.get(snapshotRoutes.manifest, async (req): Promise<SnapshotManifest> => {
    await tillFromAuthHeader(db, req.headers.authorization);
    const seq = await safeSeq(db.query, 'members');
    const [row] = await db.query<{ n: string | number }>(
      'SELECT count(*) AS n FROM members WHERE seq <= $1 AND NOT deleted',
      [seq],
    );
    return { seq, total: Number(row?.n ?? 0), pageSize: SNAPSHOT_PAGE_SIZE };
  });

  app.get(snapshotRoutes.page, async (req, reply) => {
    await tillFromAuthHeader(db, req.headers.authorization);
    const query = parse(snapshotPageQuerySchema, req.query, 'PULL_BAD_CHECKPOINT');
    if ((await pullStart(db.query, query.seq)) !== query.seq)
      throw new KassaError(
        'SNAPSHOT_GONE',
        `Snapshot ${query.seq} is not from this database (it was restored from a backup): start the snapshot again`,
      );
    const page = await snapshotPage(db, query);
    const json = JSON.stringify(page);
    reply.header('content-type', 'application/json; charset=utf-8');
    reply.header('cache-control', 'no-store');
    const accepts = /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
    if (!accepts || json.length < GZIP_MIN_BYTES) return reply.send(json);
    reply.header('content-encoding', 'gzip');
    reply.header('vary', 'accept-encoding');
    return reply.send(await gzipAsync(json, { level: 1 }));
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
      `SELECT ${MEMBER_DOC_COLUMNS} FROM members WHERE ${column} = $1 AND NOT deleted ORDER BY id LIMIT 2`,
      [value],
    );
    if (rows.length === 0) throw new KassaError('MEMBER_NOT_FOUND', `No member with that ${column.replace('_', ' ')}`);
    return { members: rows.map((r) => JSON.stringify(memberRecord(memberFromRow(r), query.epoch))) };
  });
}
