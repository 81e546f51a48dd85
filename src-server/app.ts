/**
 * The central server's HTTP API: enrolment, replication (pull by checkpoint,
 * push, live SSE stream) and the admin API, plus the operations routes
 * (health checks, metrics) registered from ops/. zod parses every input;
 * every error leaves as `{ error: { code, message, details? } }` with a
 * fitting status (http/errors.ts); every request has an id that its log
 * lines carry and its reply echoes (http/request-id.ts).
 */
import Fastify, { LogController, type FastifyInstance, type FastifyReply } from 'fastify';
import { z } from 'zod';
import { isKassaError, KassaError } from '../shared/errors';
import { validateProgram } from '../shared/engine/program';
import {
  downCollectionSchema,
  enrolRequestSchema,
  pullQuerySchema,
  streamQuerySchema,
  pushRequestSchema,
  routes,
  SUPPORTED_WIRE_VERSIONS,
  WIRE_HEADER,
  type DownCollection,
  type TillStateResponse,
} from '../shared/replication';
import type { Db } from './db';
import { enrolTill, REVOCATIONS_CHANNEL, tillFromAuthHeader, tillTokens } from './auth';
import { adminAccess, audit, userRoutes } from './admin/access';
import { createPushQueue } from './ingest/queue';
import { parkedRoutes } from './admin/parked';
import { adjustRoutes } from './admin/adjust';
import { couponRoutes } from './admin/coupons';
import { giftCardRoutes } from './admin/gift-cards';
import { auditRoutes } from './admin/audit';
import { staffRoutes } from './admin/staff';
import { tillRoutes } from './admin/tills';
import { memberRoutes } from './admin/members';
import { memberDocColumns, memberFromRow, pullDocuments, type MemberRow } from './rows';
import { allMarksSql } from './member-marks';
import { checkedMemberScope, MEMBER_SCOPE_PAYLOAD } from './member-scope';
import { CHANGES_CHANNEL, pullStart, safeSeq, seqBound, stampSeq } from './seq';
import { snapshotRoutesFor } from './snapshot';
import { runExpiry } from './expiry-job';
import { parseInput as parse, registerErrorHandling } from './http/errors';
import { echoRequestId, genReqId, REQUEST_ID_HEADER } from './http/request-id';
import { healthRoutes } from './ops/health';
import { registerTillSaleRoutes } from './till-sales';
import { createMetrics, metricsRoutes } from './ops/metrics';
import { corsPolicy, registerCors } from './http/cors';
import { registerSecurityHeaders } from './http/headers';
import { registerLimits, resolveLimits, sendRateLimited, streamRefusal, type RateLimits } from './http/limits';

/** A push group's documents at most: large enough for a busy chain, small enough to commit in well under a second. */
const PUSH_GROUP_DOCUMENTS = 5_000;

export const SERVER_VERSION = '0.1.0';

/** Where pino writes its JSON lines (default stdout); tests pass one to read the lines back. */
export type LogStream = { write: (line: string) => void };

/**
 * `logger`: false (tests), or a pino level (and optionally a stream); per-request lines only at `debug`/`trace`.
 * `recheck`: re-run the engine on every pushed sale (default on; off only to measure its cost).
 * `limits`: rate limits and the live-stream cap (http/limits.ts; defaults there), false: off (benchmarks).
 * `corsOrigins`: browser origins allowed to call (http/cors.ts; default loopback only).
 * `hsts`: send strict-transport-security (only when clients reach the server over TLS).
 * `pushGroups`: push groups taken at once (ingest/queue.ts; each holds a connection while it runs); default 1
 * on PGlite (one connection), 4 on PostgreSQL.
 */
export type ServerOptions = {
  db: Db;
  /** A bootstrap admin token (automation, the demo); null: only admin users' own credentials. */
  adminToken: string | null;
  logger?: false | { level: string; stream?: LogStream };
  recheck?: boolean;
  limits?: Partial<RateLimits> | false;
  corsOrigins?: readonly string[];
  hsts?: boolean;
  pushGroups?: number;
};

type Stream = {
  tillId: string;
  storeId: string;
  collection: DownCollection;
  /** The till database the stream is for (`?epoch=`): member documents carry only its watermark ('': none). */
  epoch: string;
  /** `?events=checkpoint`: events carry the new checkpoint only; the till pulls the documents. */
  checkpointOnly: boolean;
  lastSeq: number;
  reply: FastifyReply;
  busy: boolean;
  again: boolean;
};

export const buildServer = async ({
  db,
  adminToken,
  logger = false,
  recheck = true,
  limits: limitOptions,
  corsOrigins,
  hsts = false,
  pushGroups = db.kind === 'pglite' ? 1 : 4,
}: ServerOptions): Promise<FastifyInstance> => {
  const app = Fastify({
    logger,
    logController: new LogController({
      disableRequestLogging: !logger || !['debug', 'trace'].includes(logger.level),
    }),
    // Validates a client's x-request-id itself (see http/request-id.ts for why requestIdHeader stays off).
    genReqId,
    bodyLimit: 8 * 1024 * 1024,
  });
  registerErrorHandling(app);
  echoRequestId(app);
  // Every body route takes JSON: anything else is a 415, not a string handed to a JSON schema.
  app.removeContentTypeParser('text/plain');
  await registerSecurityHeaders(app, { hsts });
  const cors = corsPolicy(corsOrigins);
  await registerCors(app, cors, {
    allowed: ['authorization', 'content-type', WIRE_HEADER, REQUEST_ID_HEADER],
    exposed: [REQUEST_ID_HEADER],
  });
  const limits = resolveLimits(limitOptions);
  await registerLimits(app, limits);

  const access = adminAccess(db, adminToken);
  // Group commit: pushes from many tills at once are taken a group per transaction (ingest/queue.ts).
  const pushes = createPushQueue(
    db,
    { recheck },
    { groups: pushGroups, maxDocuments: PUSH_GROUP_DOCUMENTS, log: (err) => app.log.error({ err }, 'push parked') },
  );

  // --- Live streams: one LISTEN per process; each open stream is sent what is new since its last checkpoint.
  const streams = new Set<Stream>();
  // Metrics (ops/metrics.ts): this server's own registry; the stream gauge reads the set above.
  const metrics = createMetrics({
    db,
    openStreams: () => streams.size,
    warn: (err, message) => app.log.warn({ err }, message),
  });
  metricsRoutes(app, metrics);
  // When each till last called (pulls and pushes), written at most every 30 s per till on this node.
  const lastSeenWrite = new Map<string, number>();
  const seen = (tillId: string) => {
    const now = Date.now();
    if ((lastSeenWrite.get(tillId) ?? 0) > now - 30_000) return;
    lastSeenWrite.set(tillId, now);
    db.query('UPDATE tills SET last_seen_at = now() WHERE id = $1', [tillId]).catch((err: unknown) =>
      app.log.warn({ err }, 'could not record when a till was last seen'),
    );
  };
  const flush = async (s: Stream): Promise<void> => {
    if (s.busy) {
      s.again = true;
      return;
    }
    s.busy = true;
    try {
      do {
        s.again = false;
        if (s.checkpointOnly) {
          // The newest seq a pull would reach now (seq.ts), without reading a document.
          const top = await safeSeq(db.query, s.collection);
          if (top > s.lastSeq) {
            s.lastSeq = top;
            s.reply.raw.write(`data: ${JSON.stringify({ documents: [], checkpoint: { seq: top } })}\n\n`);
          }
          continue;
        }
        const documents = await pullDocuments(db.query, s.collection, s.lastSeq, 500, s.storeId, s.epoch);
        if (documents.length > 0) {
          s.lastSeq = documents.at(-1)!.seq;
          s.reply.raw.write(`data: ${JSON.stringify({ documents, checkpoint: { seq: s.lastSeq } })}\n\n`);
          // The event carries the till's new checkpoint, as a pull reply does (for the replication lag).
          metrics.observePull(s.tillId, s.collection, s.lastSeq);
          if (documents.length === 500) s.again = true;
        }
      } while (s.again);
    } catch {
      // The next change or the client's reconnect (RESYNC) catches up.
    } finally {
      s.busy = false;
    }
  };
  const unlisten = await db.listen(CHANGES_CHANNEL, (payload) => {
    // A store's member scope changed (admin/tills.ts): every member stream ends, and each till's next pull
    // learns whether its scope is still the one it loaded with (409 MEMBER_SCOPE_CHANGED when not).
    if (payload === MEMBER_SCOPE_PAYLOAD) {
      for (const s of streams) {
        if (s.collection !== 'members') continue;
        streams.delete(s);
        s.reply.raw.end();
      }
      return;
    }
    // '' (the LISTEN connection was replaced): anything may have changed meanwhile.
    for (const s of streams) if (payload === '' || s.collection === payload) void flush(s);
  });
  // A revoked (or re-enrolled) till loses its open streams on every node within the NOTIFY's delivery.
  // Push tokens this process has checked (auth.ts): a revocation or new enrolment forgets the till's ('' everyone's).
  const pushTokens = tillTokens(db);
  const unlistenRevocations = await db.listen(REVOCATIONS_CHANNEL, (tillId) => {
    pushTokens.forget(tillId);
    for (const s of streams) {
      if (s.tillId !== tillId) continue;
      streams.delete(s);
      s.reply.raw.end();
    }
  });
  // The ping also re-reads each stream: a change that was held back behind a transaction still in flight
  // (seq.ts) whose end sent no notification (it rolled back, or the process died before notifying) goes out.
  const heartbeat = setInterval(() => {
    for (const s of streams) {
      s.reply.raw.write(': ping\n\n');
      void flush(s);
    }
  }, 15_000);
  // preClose: open streams must end before the HTTP server can close (onClose would wait on them forever).
  app.addHook('preClose', async () => {
    clearInterval(heartbeat);
    for (const s of streams) s.reply.raw.end();
    streams.clear();
    await unlisten();
    await unlistenRevocations();
  });

  healthRoutes(app, db, { version: SERVER_VERSION });

  app.post(routes.enrol, async (req) => {
    const body = parse(enrolRequestSchema, req.body, 'ENROL_CODE_INVALID');
    return enrolTill(db, body.code);
  });

  app.get('/api/v1/replication/:collection/pull', async (req) => {
    const till = await tillFromAuthHeader(db, req.headers.authorization);
    // An unknown collection is a resource that does not exist (404), not invalid input.
    const collection = parse(downCollectionSchema, (req.params as { collection: string }).collection, 'NOT_FOUND');
    const { seq, limit, epoch, scope: asked } = parse(pullQuerySchema, req.query, 'PULL_BAD_CHECKPOINT');
    // A checkpoint this database never handed out (the till pulled after the backup it was restored from) restarts at 0.
    const from = await pullStart(db.query, seq);
    // A partial till is sent its region's members; a short page of them has looked as far as the bound.
    const scope = collection === 'members' ? await checkedMemberScope(db.query, till.storeId, asked) : null;
    const upTo = await seqBound(db.query);
    const documents = await pullDocuments(db.query, collection, from, limit, till.storeId, epoch, {
      memberStores: scope?.stores,
      upTo,
    });
    const last = documents.at(-1)?.seq ?? from;
    const checkpoint = scope?.stores && documents.length < limit ? Math.max(last, upTo) : last;
    metrics.observePull(till.tillId, collection, checkpoint);
    seen(till.tillId);
    return { documents, checkpoint: { seq: checkpoint } };
  });

  app.get('/api/v1/replication/:collection/stream', async (req, reply) => {
    const till = await tillFromAuthHeader(db, req.headers.authorization);
    const collection = parse(downCollectionSchema, (req.params as { collection: string }).collection, 'NOT_FOUND');
    const { epoch, events } = parse(streamQuerySchema, req.query, 'BAD_REQUEST');
    const refusal = streamRefusal(limits, [...streams].filter((s) => s.tillId === till.tillId).length);
    if (refusal) return sendRateLimited(reply, refusal.seconds, refusal.message);
    // The stream sends what lands after this point; the till's pull on RESYNC covers everything up to it.
    const top = await safeSeq(db.query, collection);
    reply.hijack();
    reply.raw.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
      // nginx (and proxies that follow it) pass the events on at once instead of buffering them.
      'x-accel-buffering': 'no',
      ...cors.streamHeaders(req.headers.origin),
      [REQUEST_ID_HEADER]: req.id,
    });
    // The client re-pulls from its own checkpoint on RESYNC; from here on it is sent every change.
    reply.raw.write('data: "RESYNC"\n\n');
    const stream: Stream = {
      tillId: till.tillId,
      storeId: till.storeId,
      collection,
      epoch,
      checkpointOnly: events === 'checkpoint',
      lastSeq: top,
      reply,
      busy: false,
      again: false,
    };
    streams.add(stream);
    req.raw.on('close', () => streams.delete(stream));
  });

  app.post(routes.push, async (req) => {
    const started = process.hrtime.bigint();
    const till = await pushTokens.verify(req.headers.authorization);
    const wire = Number(req.headers[WIRE_HEADER]);
    if (!SUPPORTED_WIRE_VERSIONS.includes(wire)) {
      throw new KassaError(
        'WIRE_VERSION_UNSUPPORTED',
        `Wire version ${String(req.headers[WIRE_HEADER])} is not supported`,
      );
    }
    const body = parse(pushRequestSchema, req.body, 'PUSH_MALFORMED');
    const result = await pushes.submit(till, body).catch((err: unknown) => {
      // The group found the token no longer the till's (rotated, revoked): the next push reads it afresh.
      if (isKassaError(err) && (err.code === 'AUTH_INVALID' || err.code === 'TILL_REVOKED'))
        pushTokens.forget(till.tillId);
      throw err;
    });
    seen(till.tillId);
    metrics.observePush({
      tillId: till.tillId,
      documents: body.rows.length,
      accepted: result.accepted,
      parked: result.parked.length,
      seconds: Number(process.hrtime.bigint() - started) / 1e9,
    });
    return { conflicts: [], ...result };
  });

  app.get(routes.tillState, async (req) => {
    const till = await tillFromAuthHeader(db, req.headers.authorization);
    const epochs = await db.query<{ epoch: string; status: 'open' | 'closed'; acked_till_seq: string | number }>(
      'SELECT epoch, status, acked_till_seq FROM till_epochs WHERE till_id = $1 ORDER BY started_at',
      [till.tillId],
    );
    return {
      tillId: till.tillId,
      storeId: till.storeId,
      epochs: epochs.map((e) => ({ epoch: e.epoch, status: e.status, ackedTillSeq: Number(e.acked_till_seq) })),
    } satisfies TillStateResponse;
  });

  registerTillSaleRoutes(app, db);

  // --- Admin API (head office).
  app.get('/api/v1/admin/summary', async (req) => {
    await access.require(req, 'auditor');
    const [sales] = await db.query<{ n: string; distinct_ids: string }>(
      'SELECT count(*) AS n, count(DISTINCT id) AS distinct_ids FROM sales',
    );
    const [entries] = await db.query<{ n: string; points: string | null }>(
      'SELECT count(*) AS n, sum(points) FILTER (WHERE effective) AS points FROM ledger_entries',
    );
    const perTill = await db.query<{ till_id: string; n: string }>(
      'SELECT till_id, count(*) AS n FROM sales GROUP BY till_id ORDER BY till_id',
    );
    const [flags] = await db.query<{ n: string }>('SELECT count(*) AS n FROM review_flags WHERE resolved_at IS NULL');
    const [review] = await db.query<{ parked: string; overdrafts: string; owed: string | null }>(
      `SELECT (SELECT count(*) FROM parked_docs WHERE status = 'open') AS parked,
              (SELECT count(*) FROM overdrafts WHERE status = 'open') AS overdrafts,
              (SELECT sum(points) FROM overdrafts WHERE status = 'open') AS owed`,
    );
    return {
      sales: Number(sales?.n ?? 0),
      distinctSales: Number(sales?.distinct_ids ?? 0),
      ledgerEntries: Number(entries?.n ?? 0),
      pointsTotal: Number(entries?.points ?? 0),
      salesPerTill: Object.fromEntries(perTill.map((r) => [r.till_id, Number(r.n)])),
      openReviewFlags: Number(flags?.n ?? 0),
      parkedDocuments: Number(review?.parked ?? 0),
      openOverdrafts: Number(review?.overdrafts ?? 0),
      pointsOwed: Number(review?.owed ?? 0),
    };
  });

  app.get('/api/v1/admin/members/:id', async (req) => {
    await access.require(req, 'auditor');
    const { id } = req.params as { id: string };
    // Head office sees the member's current mark of every till database that sold to it.
    const rows = await db.query<MemberRow & { marks: Record<string, number> }>(
      `SELECT ${memberDocColumns("''")}, ${allMarksSql('members.id')} AS marks
         FROM members WHERE id = $1 OR card_number = $1`,
      [id],
    );
    const row = rows[0];
    if (!row) throw new KassaError('NOT_FOUND', `No member ${id}`);
    const ledger = await db.query<{ points: string | number; till_seq: string | number }>(
      'SELECT id, till_id, sale_id, type, points, reason, natural_id, effective, till_seq FROM ledger_entries WHERE member_id = $1 ORDER BY received_at, id',
      [row.id],
    );
    // bigint columns come back as strings from pg and numbers from PGlite: answer numbers either way.
    const entries = ledger.map((e) => ({ ...e, points: Number(e.points), till_seq: Number(e.till_seq) }));
    return { member: { ...memberFromRow(row, ''), tillMarks: row.marks }, entries };
  });

  app.get('/api/v1/admin/sales', async (req) => {
    await access.require(req, 'auditor');
    const q = parse(
      z.object({ tillId: z.string().optional(), limit: z.coerce.number().int().min(1).max(1000).default(100) }),
      req.query,
    );
    return db.query(
      `SELECT id, till_id, member_id, till_seq, total_minor, currency, received_at FROM sales
        WHERE ($1::text IS NULL OR till_id = $1) ORDER BY received_at DESC, id LIMIT $2`,
      [q.tillId ?? null, q.limit],
    );
  });

  snapshotRoutesFor(app, db);
  parkedRoutes(app, db, access);
  tillRoutes(app, db, access);
  staffRoutes(app, db, access);
  auditRoutes(app, db, access);
  adjustRoutes(app, db, access);
  couponRoutes(app, db, access);
  giftCardRoutes(app, db, access);
  userRoutes(app, db, access);
  memberRoutes(app, db, access);

  app.get('/api/v1/admin/review-flags', async (req) => {
    await access.require(req, 'auditor');
    const q = parse(
      z.object({
        after: z.coerce.number().int().nonnegative().default(0),
        limit: z.coerce.number().int().min(1).max(1000).default(1000),
      }),
      req.query,
    );
    // Paged by id: `after` is the last id of the previous page.
    return db.query(
      'SELECT id, kind, member_id, till_id, ref_id, detail, created_at FROM review_flags WHERE id > $1 ORDER BY id LIMIT $2',
      [q.after, q.limit],
    );
  });

  app.post('/api/v1/admin/expire', async (req) => {
    const actor = await access.require(req, 'manager');
    const body = parse(z.object({ at: z.iso.datetime({ offset: true }).optional() }), req.body ?? {});
    const at = body.at ?? new Date().toISOString();
    const result = await runExpiry(db, at);
    await audit(db.query, actor, 'expire.run', at, result);
    return { at, ...result };
  });

  app.put('/api/v1/admin/programs/:id', async (req) => {
    const actor = await access.require(req, 'manager');
    const { id } = req.params as { id: string };
    const parsed = validateProgram(req.body);
    if (!parsed.ok) throw new KassaError('PROGRAM_INVALID', 'The program has errors', parsed.issues);
    if (parsed.program.id !== id)
      throw new KassaError('PROGRAM_INVALID', `Program id "${parsed.program.id}" does not match the URL "${id}"`);
    // Every accepted change gets a higher version than the one stored (receipts and quotes name the version).
    const version = await db.tx(async (q) => {
      const [prev] = await q<{ version: number | null }>(
        "SELECT (data->>'version')::int AS version FROM refdata WHERE id = $1 FOR UPDATE",
        [`program:${id}`],
      );
      const stored = { ...parsed.program, version: Math.max(parsed.program.version, (prev?.version ?? -1) + 1) };
      await q(
        `INSERT INTO refdata (id, kind, key, data, seq) VALUES ($1, 'program', $2, $3, 0)
         ON CONFLICT (id) DO UPDATE SET data = EXCLUDED.data, deleted = false`,
        [`program:${id}`, id, JSON.stringify(stored)],
      );
      await audit(q, actor, 'program.put', id, { version: stored.version, previousVersion: prev?.version ?? null });
      await stampSeq(q, 'refdata', [`program:${id}`]);
      return stored.version;
    });
    return { ok: true, id, version };
  });

  return app;
};
