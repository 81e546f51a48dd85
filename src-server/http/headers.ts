/**
 * Security headers on every answer (@fastify/helmet), for a server that serves
 * JSON, text metrics and an SSE stream, never a page.
 *
 * Invariants:
 * - Every answer carries `x-content-type-options: nosniff`, `referrer-policy:
 *   no-referrer`, `x-frame-options: DENY` and a CSP of `default-src 'none';
 *   frame-ancestors 'none'`, error answers and the hijacked live stream
 *   included: helmet writes onto the raw Node response in onRequest, and a
 *   hijacked reply's `writeHead` merges what was set there.
 * - `strict-transport-security` only when the server is reached over TLS
 *   (`hsts: true`, env KASSA_HSTS=1): sent over plain HTTP from a laptop it
 *   would pin the name to HTTPS for a year.
 * - No `x-powered-by` (Fastify sends none; helmet removes any).
 */
import type { FastifyInstance } from 'fastify';
import helmet from '@fastify/helmet';

export async function registerSecurityHeaders(app: FastifyInstance, { hsts }: { hsts: boolean }): Promise<void> {
  await app.register(helmet, {
    global: true,
    contentSecurityPolicy: {
      useDefaults: false,
      directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] },
    },
    xFrameOptions: { action: 'deny' },
    referrerPolicy: { policy: 'no-referrer' },
    strictTransportSecurity: hsts ? { maxAge: 31_536_000, includeSubDomains: true } : false,
    hidePoweredBy: true,
  });
}
