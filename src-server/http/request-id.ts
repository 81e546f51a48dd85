/**
 * Request ids: every request gets one, every log line of the request carries
 * it (Fastify's per-request child logger, label `reqId`), and the reply
 * echoes it in `x-request-id`.
 *
 * Invariant: an id from the client (a load balancer or a till) is used only
 * when it matches SAFE_REQUEST_ID, so nothing a client sends can break a log
 * line or a header; anything else is replaced by a fresh UUID.
 *
 * Fastify's `requestIdHeader` option is deliberately left off: with it set,
 * Fastify takes the header's value as it is and calls `genReqId` only when
 * the header is absent, so validation has to happen in `genReqId` itself.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { FastifyInstance } from 'fastify';

export const REQUEST_ID_HEADER = 'x-request-id';

/** Letters, digits and `._:-`, 1–128 characters: UUIDs, ULIDs and the usual load-balancer trace ids. */
export const SAFE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export function genReqId(req: IncomingMessage): string {
  const given = req.headers[REQUEST_ID_HEADER];
  return typeof given === 'string' && SAFE_REQUEST_ID.test(given) ? given : randomUUID();
}

/** Echoes the id on every reply (errors and 404s included; hijacked SSE replies set it themselves). */
export function echoRequestId(app: FastifyInstance): void {
  app.addHook('onRequest', (req, reply, done) => {
    void reply.header(REQUEST_ID_HEADER, req.id);
    done();
  });
}
