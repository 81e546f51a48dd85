/**
 * Prometheus metrics at `GET /metrics` (prom-client, text format 0.0.4).
 *
 * Owns one Registry per server instance (never prom-client's global one), so
 * two servers in one process, as in the tests, keep separate counts.
 *
 * Invariants:
 * - Label values are bounded: `route` is Fastify's route template
 *   (`/api/v1/replication/:collection/pull`), never the raw URL, and a request
 *   that matched no route counts under `unmatched`; `till` is a till id the
 *   server itself authenticated.
 * - Gauges read from the database are computed at scrape time; when the
 *   database does not answer they read NaN in that scrape (never a stale
 *   number) and /metrics itself still answers 200.
 * - /metrics needs no token: it must only be reachable from inside the
 *   operator's network (see docs/operations.md).
 */
import type { FastifyInstance } from 'fastify';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Db } from '../db';
import { withTimeout } from './health';

export const METRICS_ROUTE = '/metrics';
const SCRAPE_QUERY_TIMEOUT_MS = 2000;

export type PushObservation = {
  tillId: string;
  /** Rows in the push body. */
  documents: number;
  /** From the push reply: new documents taken (`accepted`, parked ones included) and parked (`parked.length`). */
  accepted: number;
  parked: number;
  seconds: number;
};

export type ServerMetrics = {
  registry: Registry;
  observePush: (p: PushObservation) => void;
  /** A till's pull answered up to `checkpoint` of `collection` (for the replication lag). */
  observePull: (tillId: string, collection: string, checkpoint: number) => void;
};

export type MetricsOptions = {
  db: Db;
  /** Live SSE streams open on this node right now. */
  openStreams: () => number;
  /** Where a failed scrape-time query is reported. */
  warn: (err: unknown, message: string) => void;
};

export function createMetrics({ db, openStreams, warn }: MetricsOptions): ServerMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });

  // One count query per gauge and scrape; a failure reads NaN (an unlabelled gauge cannot be left out).
  const countGauge = (name: string, help: string, sql: string) =>
    new Gauge({
      name,
      help,
      registers: [registry],
      async collect() {
        try {
          const [row] = await withTimeout(db.query<{ n: string | number }>(sql), SCRAPE_QUERY_TIMEOUT_MS);
          this.set(Number(row?.n ?? 0));
        } catch (err) {
          this.set(Number.NaN);
          warn(err, `metrics: ${name} could not be read from the database`);
        }
      },
    });
  countGauge(
    'kassa_review_flags_open',
    'Review flags not yet resolved (double grants, negative balances, re-check disagreements).',
    'SELECT count(*) AS n FROM review_flags WHERE resolved_at IS NULL',
  );
  countGauge(
    'kassa_parked_documents_open',
    'Pushed documents parked for review and not yet resolved or replayed.',
    "SELECT count(*) AS n FROM parked_docs WHERE status = 'open'",
  );

  new Gauge({
    name: 'kassa_live_streams_open',
    help: 'Live pull streams (SSE) open on this server node.',
    registers: [registry],
    collect() {
      this.set(openStreams());
    },
  });

  // Per node: a till that pushes to another node is not seen here (aggregate with min by (till)).
  const lastPush = new Map<string, number>();
  new Gauge({
    name: 'kassa_till_last_push_seconds',
    help: "Seconds since this server node last took a push from the till (since the node's start).",
    labelNames: ['till'],
    registers: [registry],
    collect() {
      this.reset();
      const now = Date.now();
      for (const [till, at] of lastPush) this.set({ till }, (now - at) / 1000);
    },
  });

  // Per node: the checkpoint each till last pulled to, per collection; lag = the collection's newest seq minus it.
  const pulledTo = new Map<string, { till: string; collection: string; seq: number }>();
  new Gauge({
    name: 'kassa_replication_lag',
    help: "Server sequence numbers a till is behind, per collection: the newest seq minus the till's last pulled checkpoint (per node).",
    labelNames: ['till', 'collection'],
    registers: [registry],
    async collect() {
      this.reset();
      if (pulledTo.size === 0) return;
      try {
        const [top] = await withTimeout(
          db.query<{ products: string | null; members: string | null; refdata: string | null }>(
            `SELECT (SELECT max(seq) FROM products) AS products, (SELECT max(seq) FROM members) AS members,
                    (SELECT max(seq) FROM refdata) AS refdata`,
          ),
          SCRAPE_QUERY_TIMEOUT_MS,
        );
        for (const p of pulledTo.values()) {
          const newest = Number(top?.[p.collection as 'products' | 'members' | 'refdata'] ?? 0);
          this.set({ till: p.till, collection: p.collection }, Math.max(0, newest - p.seq));
        }
      } catch (err) {
        warn(err, 'metrics: kassa_replication_lag could not be read from the database');
      }
    },
  });

  const batch = new Histogram({
    name: 'kassa_push_batch_documents',
    help: 'Documents per accepted push request.',
    buckets: [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000],
    registers: [registry],
  });
  const pushDuration = new Histogram({
    name: 'kassa_push_duration_seconds',
    help: 'Time to take one push, from the request to the reply (authentication, checks, apply, commit).',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  const applied = new Counter({
    name: 'kassa_documents_applied_total',
    help: 'New pushed documents the server took, stored once (the push replies `accepted`; parked ones included).',
    registers: [registry],
  });
  const parked = new Counter({
    name: 'kassa_documents_parked_total',
    help: 'Pushed documents parked for review instead of applied (the push replies `parked`).',
    registers: [registry],
  });

  return {
    registry,
    observePull(tillId, collection, checkpoint) {
      pulledTo.set(`${tillId}|${collection}`, { till: tillId, collection, seq: checkpoint });
    },
    observePush(p) {
      lastPush.set(p.tillId, Date.now());
      batch.observe(p.documents);
      pushDuration.observe(p.seconds);
      applied.inc(p.accepted);
      parked.inc(p.parked);
    },
  };
}

/** Counts and times every request by route template, and serves the registry at /metrics. */
export function metricsRoutes(app: FastifyInstance, metrics: ServerMetrics): void {
  const requests = new Counter({
    name: 'kassa_http_requests_total',
    help: 'HTTP requests answered, by route template, method and status.',
    labelNames: ['route', 'method', 'status'],
    registers: [metrics.registry],
  });
  const duration = new Histogram({
    name: 'kassa_http_request_duration_seconds',
    help: 'Time to answer an HTTP request, by route template.',
    labelNames: ['route'],
    registers: [metrics.registry],
  });

  app.addHook('onResponse', (req, reply, done) => {
    const route = req.routeOptions.url ?? 'unmatched';
    requests.inc({ route, method: req.method, status: String(reply.statusCode) });
    duration.observe({ route }, reply.elapsedTime / 1000);
    done();
  });

  app.get(METRICS_ROUTE, async (_req, reply) => {
    const text = await metrics.registry.metrics();
    return reply.header('content-type', metrics.registry.contentType).send(text);
  });
}
