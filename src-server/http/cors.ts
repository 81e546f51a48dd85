/**
 * Which browser origins may call the central server (@fastify/cors).
 *
 * Owns the origin check used by every route, including the live stream, which
 * writes its own headers because it hijacks the reply.
 *
 * Invariants:
 * - Configured origins (`corsOrigins`, env KASSA_CORS_ORIGINS) are the whole
 *   allow-list; when none are configured only loopback origins are allowed
 *   (`http://127.0.0.1:<port>`, `http://localhost:<port>`, `http://[::1]:<port>`),
 *   where browser-mode tills serve their page from, and the Electron till's
 *   own origin `kassa://till` (shared/ipc.ts), which no web page can claim.
 * - A foreign origin gets no `access-control-allow-origin`, so the browser
 *   refuses the answer (and the request after a preflight). Requests without an
 *   Origin (the till host, curl, server-to-server) are not affected: CORS binds browsers only.
 * - The literal origin `null` (file:// pages, sandboxed frames) is allowed only when configured.
 */
import type { FastifyInstance } from 'fastify';
import cors from '@fastify/cors';
import { TILL_APP_ORIGIN } from '../../shared/ipc';

const LOOPBACK = /^http:\/\/(127\.0\.0\.1|localhost|\[::1\])(:\d{1,5})?$/;

export type CorsPolicy = {
  /** The origin to echo in `access-control-allow-origin`, or null when it is not allowed. */
  allowedOrigin: (origin: string | undefined) => string | null;
  /** Headers a hijacked reply (the live stream) must write itself. */
  streamHeaders: (origin: string | undefined) => Record<string, string>;
};

/** Parses `KASSA_CORS_ORIGINS` (comma-separated); unset or empty: none configured (loopback only). */
export function corsOriginsFromEnv(value: string | undefined): string[] | undefined {
  const list = (value ?? '')
    .split(',')
    .map((s) => s.trim().replace(/\/$/, ''))
    .filter((s) => s !== '');
  return list.length > 0 ? list : undefined;
}

export function corsPolicy(corsOrigins: readonly string[] | undefined): CorsPolicy {
  const configured = corsOrigins && corsOrigins.length > 0 ? new Set(corsOrigins) : null;
  function allowedOrigin(origin: string | undefined): string | null {
    if (!origin) return null;
    const ok = configured ? configured.has(origin) : LOOPBACK.test(origin) || origin === TILL_APP_ORIGIN;
    return ok ? origin : null;
  }
  return {
    allowedOrigin,
    streamHeaders: (origin): Record<string, string> => {
      const allowed = allowedOrigin(origin);
      return allowed ? { 'access-control-allow-origin': allowed, vary: 'Origin' } : {};
    },
  };
}

/** `exposed` gets `retry-after` added, so a browser till can read how long a 429 asks it to wait. */
export async function registerCors(
  app: FastifyInstance,
  policy: CorsPolicy,
  headers: { allowed: string[]; exposed: string[] },
): Promise<void> {
  await app.register(cors, {
    // false: no CORS headers at all for this origin (the browser refuses the answer).
    origin: (origin, cb) => cb(null, policy.allowedOrigin(origin) !== null),
    allowedHeaders: headers.allowed,
    exposedHeaders: [...headers.exposed, 'retry-after'],
  });
}
