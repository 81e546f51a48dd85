/**
 * One error shape for every non-2xx answer: `{ error: { code, message, details? } }`.
 *
 * Owns the HTTP status of each Kassa error code, the translation of Fastify's
 * own errors (unknown route, body too large, unsupported media type, broken
 * JSON) into Kassa codes, and zod input parsing for routes.
 *
 * Invariants:
 * - Nothing leaves without the shape, not even a 404 for a route that does not exist.
 * - Input that fails validation is a 4xx (400 unless the route names a more
 *   fitting code), never a 404 and never a 5xx.
 * - A 5xx says `INTERNAL` and nothing else; what went wrong goes to the
 *   request's log line (which carries the request id), never to the client.
 */
import type { FastifyError, FastifyInstance } from 'fastify';
import type { z } from 'zod';
import { errorBody, isKassaError, KassaError, type ErrorBody, type ErrorCode } from '../../shared/errors';

/** Codes not listed answer 400: they are all something wrong with the request. */
const STATUS: Partial<Record<ErrorCode, number>> = {
  BAD_REQUEST: 400,
  AUTH_MISSING: 401,
  AUTH_INVALID: 401,
  TILL_REVOKED: 401,
  CONFLICT: 409,
  ENROL_CODE_INVALID: 401,
  FORBIDDEN_STORE: 403,
  FORBIDDEN_ROLE: 403,
  NOT_FOUND: 404,
  MEMBER_NOT_FOUND: 404,
  SNAPSHOT_GONE: 409,
  MEMBER_SCOPE_CHANGED: 409,
  BODY_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  PUSH_MALFORMED: 400,
  PULL_BAD_CHECKPOINT: 400,
  WIRE_VERSION_UNSUPPORTED: 400,
  PROGRAM_INVALID: 400,
  INTERNAL: 500,
  NOT_READY: 503,
  RATE_LIMITED: 429,
};

export function statusOf(code: ErrorCode): number {
  return STATUS[code] ?? 400;
}

/** Fastify's own errors (node_modules/fastify/lib/errors.js) as Kassa codes, with messages for a person. */
const FASTIFY_ERRORS: Record<string, { code: ErrorCode; status: number; message: string }> = {
  FST_ERR_NOT_FOUND: { code: 'NOT_FOUND', status: 404, message: 'No such route' },
  FST_ERR_CTP_BODY_TOO_LARGE: { code: 'BODY_TOO_LARGE', status: 413, message: 'The request body is too large' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: {
    code: 'UNSUPPORTED_MEDIA_TYPE',
    status: 415,
    message: 'Unsupported content type: send application/json',
  },
  FST_ERR_CTP_EMPTY_JSON_BODY: {
    code: 'BAD_REQUEST',
    status: 400,
    message: 'The body is empty but the content type is application/json',
  },
  FST_ERR_CTP_INVALID_JSON_BODY: { code: 'BAD_REQUEST', status: 400, message: 'The body is not valid JSON' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: {
    code: 'BAD_REQUEST',
    status: 400,
    message: 'The body size does not match its Content-Length',
  },
};

function shaped(code: ErrorCode, message: string, details?: unknown): ErrorBody {
  return { error: { code, message, ...(details === undefined ? {} : { details }) } };
}

/** Translates any thrown value into a status and the one error shape. */
export function toErrorReply(err: unknown): { status: number; body: ErrorBody } {
  if (isKassaError(err)) return { status: statusOf(err.code), body: errorBody(err) };
  const e = err as Partial<FastifyError> | null;
  const known = e?.code ? FASTIFY_ERRORS[e.code] : undefined;
  if (known) return { status: known.status, body: shaped(known.code, known.message) };
  const status = typeof e?.statusCode === 'number' ? e.statusCode : 500;
  if (status >= 400 && status < 500) {
    // Other client errors Fastify raises (a bad URL, a poisoned JSON key): their messages name the input only.
    return { status, body: shaped(status === 404 ? 'NOT_FOUND' : 'BAD_REQUEST', e?.message ?? 'Bad request') };
  }
  return { status: 500, body: shaped('INTERNAL', 'Internal server error') };
}

/** Registers the error and not-found handlers; call before any route (they apply to routes registered after). */
export function registerErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((err, req, reply) => {
    const { status, body } = toErrorReply(err);
    if (status >= 500) req.log.error({ err }, 'request failed');
    return reply.status(status).send(body);
  });
  app.setNotFoundHandler((req, reply) => {
    const path = (req.url.split('?')[0] ?? '').slice(0, 200);
    return reply.status(404).send(shaped('NOT_FOUND', `No route ${req.method} ${path}`));
  });
}

/** Parses route input with zod; a failure throws `code` (400 BAD_REQUEST unless a route has a better one). */
export function parseInput<T>(schema: z.ZodType<T>, value: unknown, code: ErrorCode = 'BAD_REQUEST'): T {
  const r = schema.safeParse(value);
  if (!r.success) {
    const issue = r.error.issues[0];
    throw new KassaError(
      code,
      `Invalid request: ${issue ? `${issue.path.join('.') || '(root)'}: ${issue.message}` : 'malformed'}`,
    );
  }
  return r.data;
}
