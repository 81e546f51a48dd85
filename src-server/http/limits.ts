/**
 * Request rate limits and failed-authentication throttling (@fastify/rate-limit
 * counters, driven from one onRequest hook so they cover routes registered by
 * any feature file, admin/* included).
 *
 * Owns which limit a request counts against:
 * - till routes (`/api/v1/replication/*`, `/api/v1/till/*`): per till token;
 * - admin routes (`/api/v1/admin/*`): per admin credential (the Authorization header);
 * - enrolment (`/api/v1/enrol`): per source IP;
 * - any `/api/*` request from an IP that has had too many 401 answers in the
 *   window: refused before its credential is even looked at.
 * and the live-stream cap per till (checked by the stream route).
 *
 * Invariants:
 * - Counters are keyed by the SHA-256 of the credential, never the credential
 *   itself: no raw token is kept in memory beyond the request.
 * - Every refusal is 429 `{ error: { code: 'RATE_LIMITED', message } }` with `Retry-After` in seconds.
 * - Every 401 is logged at warn with route, method, source IP and error code (never the token).
 * - Counters are per process (the in-memory store): N server nodes allow up to N times the limit.
 */
import { sha256 } from '../auth';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import rateLimit from '@fastify/rate-limit';
import { KassaError, type ErrorBody } from '../../shared/errors';

export type RateLimits = {
  /** Requests per till token per window on till routes. */
  tillPerWindow: number;
  /** Requests per admin credential per window on admin routes. */
  adminPerWindow: number;
  /** Enrolment attempts per source IP per window. */
  enrolPerWindow: number;
  /** 401 answers per source IP per window; the next request from that IP is refused until the window ends. */
  failedAuthPerWindow: number;
  /** The window every count above is taken over (fixed window per key). */
  windowMs: number;
  /** Open live streams per till on one server process; the next is refused (429). */
  streamsPerTill: number;
};

/** Production defaults: far above what a busy till or a head-office script needs, far below a brute force. */
export const DEFAULT_LIMITS: RateLimits = {
  tillPerWindow: 600,
  adminPerWindow: 300,
  enrolPerWindow: 20,
  failedAuthPerWindow: 30,
  windowMs: 60_000,
  streamsPerTill: 8,
};

/** How long a till is told to wait before opening another stream when it has too many. */
const STREAM_RETRY_SECONDS = 5;
/** Keys each counter holds (LRU): a chain's tills and admins fit; an evicted key merely starts a fresh window. */
const COUNTER_KEYS = 20_000;

export function resolveLimits(limits: Partial<RateLimits> | false | undefined): RateLimits | false {
  return limits === false ? false : { ...DEFAULT_LIMITS, ...limits };
}

/** Sends the one 429 shape; `seconds` goes to Retry-After (at least 1). */
export function sendRateLimited(reply: FastifyReply, seconds: number, message: string): FastifyReply {
  const body: ErrorBody = { error: { code: 'RATE_LIMITED', message } };
  return reply
    .code(429)
    .header('retry-after', String(Math.max(1, Math.ceil(seconds))))
    .send(body);
}

type Scope = 'till' | 'admin' | 'enrol';

function scopeOf(path: string): Scope | null {
  if (path.startsWith('/api/v1/replication/') || path.startsWith('/api/v1/till/')) return 'till';
  if (path.startsWith('/api/v1/admin/') || path === '/api/v1/admin') return 'admin';
  if (path === '/api/v1/enrol') return 'enrol';
  return null;
}

function credentialKey(req: FastifyRequest): string {
  const header = req.headers.authorization;
  // No credential: the request will be a 401 anyway; count it against its IP so it cannot dodge the limit.
  return header ? `cred:${sha256(header)}` : `ip:${req.ip}`;
}

function errorCodeOf(payload: unknown): string {
  if (typeof payload !== 'string') return 'unknown';
  try {
    const code = (JSON.parse(payload) as Partial<ErrorBody>).error?.code;
    return typeof code === 'string' ? code : 'unknown';
  } catch {
    return 'unknown';
  }
}

/**
 * Registers the limits and the failed-auth warn log. `limits: false` turns the rate limits off
 * (benchmarks); failed authentication is still logged.
 */
export async function registerLimits(app: FastifyInstance, limits: RateLimits | false): Promise<void> {
  let countFailure: ((req: FastifyRequest) => Promise<unknown>) | null = null;
  if (limits !== false) {
    await app.register(rateLimit, { global: false, cache: COUNTER_KEYS });
    const window = { timeWindow: limits.windowMs, cache: COUNTER_KEYS };
    const failed = app.createRateLimit({ ...window, max: limits.failedAuthPerWindow, keyGenerator: (r) => r.ip });
    countFailure = (req) => failed(req);
    const perScope = {
      till: app.createRateLimit({ ...window, max: limits.tillPerWindow, keyGenerator: credentialKey }),
      admin: app.createRateLimit({ ...window, max: limits.adminPerWindow, keyGenerator: credentialKey }),
      enrol: app.createRateLimit({ ...window, max: limits.enrolPerWindow, keyGenerator: (r) => r.ip }),
    };
    const messages = {
      till: 'Too many requests from this till; it retries on its own',
      admin: 'Too many requests with this admin credential; wait and try again',
      enrol: 'Too many enrolment attempts from this address; wait and try again',
    };

    app.addHook('onRequest', async (req, reply) => {
      const path = req.url.split('?')[0] ?? '';
      // Preflights carry no credential and cost nothing; CORS answers them.
      if (req.method === 'OPTIONS' || !path.startsWith('/api/')) return;
      // Checked before the credential is looked at: a guessing client learns nothing more until the window ends.
      const seen = await failed(req, { increment: false });
      if (!seen.isAllowed && seen.remaining === 0) {
        return sendRateLimited(
          reply,
          seen.ttl / 1000,
          'Too many failed sign-ins from this address; wait and try again',
        );
      }
      const scope = scopeOf(path);
      if (!scope) return;
      const r = await perScope[scope](req);
      if (!r.isAllowed && r.isExceeded) return sendRateLimited(reply, r.ttl / 1000, messages[scope]);
    });
  }

  app.addHook('onSend', async (req, reply, payload) => {
    if (reply.statusCode !== 401) return payload;
    if (countFailure) await countFailure(req);
    req.log.warn(
      { route: req.routeOptions.url ?? 'unmatched', method: req.method, ip: req.ip, code: errorCodeOf(payload) },
      'authentication failed',
    );
    return payload;
  });
}

/** Why the stream route refuses another stream for a till (answered 429 RATE_LIMITED), or null when it may open one. */
export function streamRefusal(
  limits: RateLimits | false,
  openForTill: number,
): { seconds: number; message: string } | null {
  if (limits === false || openForTill < limits.streamsPerTill) return null;
  return {
    seconds: STREAM_RETRY_SECONDS,
    message: `This till already has ${openForTill} live streams open; close one or retry later`,
  };
}

const ENV_KEYS: Record<keyof RateLimits, string> = {
  tillPerWindow: 'KASSA_RATE_TILL',
  adminPerWindow: 'KASSA_RATE_ADMIN',
  enrolPerWindow: 'KASSA_RATE_ENROL',
  failedAuthPerWindow: 'KASSA_RATE_FAILED_AUTH',
  windowMs: 'KASSA_RATE_WINDOW_MS',
  streamsPerTill: 'KASSA_STREAMS_PER_TILL',
};

/**
 * Limits from the environment: each KASSA_RATE_* a positive integer (unset: the default);
 * `KASSA_RATE_LIMITS=off` turns them off. A bad value is CONFIG_INVALID (the server does not start).
 */
export function limitsFromEnv(env: Record<string, string | undefined>): Partial<RateLimits> | false {
  if (env.KASSA_RATE_LIMITS === 'off') return false;
  const out: Partial<RateLimits> = {};
  for (const [key, name] of Object.entries(ENV_KEYS) as Array<[keyof RateLimits, string]>) {
    const raw = env[name];
    if (raw === undefined || raw === '') continue;
    const n = Number(raw);
    if (!Number.isSafeInteger(n) || n < 1) {
      throw new KassaError('CONFIG_INVALID', `${name} must be a positive whole number, not "${raw}"`);
    }
    out[key] = n;
  }
  return out;
}
