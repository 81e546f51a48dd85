/**
 * Bounded primitives for everything that crosses a process boundary. A
 * document that passes these can be stored and computed with safely: no
 * integer beyond JavaScript's safe range (or PostgreSQL's bigint), no NUL
 * byte or lone surrogate (PostgreSQL text and jsonb reject both, which once
 * made a push fail for ever), no date outside 2000–2099 and no UTC offset
 * beyond ±14:00.
 */
import { z } from 'zod';

/** Points on one ledger entry: far above any real grant, far below unsafe integers even summed a million times. */
export const MAX_ENTRY_POINTS = 1_000_000_000;
/** Money on one document, in minor units (10^12 cents is ten billion euros). */
export const MAX_MINOR = 1_000_000_000_000;

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** True for text PostgreSQL can store and every consumer can render: no NUL, no lone surrogate. */
export function isCleanText(s: string): boolean {
  return !s.includes('\u0000') && !LONE_SURROGATE.test(s);
}

/** Text of at most `max` characters, without NUL bytes or lone surrogates. */
export function textSchema(max: number) {
  return z.string().max(max).refine(isCleanText, 'text must not contain NUL bytes or unpaired surrogates');
}

/** A non-empty identifier-like string. */
export function idTextSchema(max = 64) {
  return textSchema(max).min(1);
}

/** A signed safe integer within ±max. */
export function boundedIntSchema(max: number) {
  return z.number().int().min(-max).max(max);
}

const ISO_OFFSET = /(Z|[+-](\d{2}):(\d{2}))$/;

/** True when an ISO-8601 time with offset lies in 2000–2099 and its offset within ±14:00. */
export function isSaneTime(s: string): boolean {
  const m = ISO_OFFSET.exec(s);
  if (!m) return false;
  if (m[2] !== undefined && Number(m[2]) * 60 + Number(m[3]) > 14 * 60) return false;
  const ms = Date.parse(s);
  return Number.isFinite(ms) && ms >= Date.UTC(2000, 0, 1) && ms < Date.UTC(2100, 0, 1);
}

/** An ISO-8601 date-time with offset, in 2000–2099, offset within ±14:00. */
export const isoTimeSchema = z.iso
  .datetime({ offset: true })
  .max(40)
  .refine(isSaneTime, 'time must be in 2000–2099 with an offset within ±14:00');

/** A calendar date YYYY-MM-DD in 2000–2099. */
export const isoDateSchema = z
  .string()
  .regex(/^20\d{2}-\d{2}-\d{2}$/, 'a date as YYYY-MM-DD in 2000–2099')
  .refine(
    (d) => !Number.isNaN(Date.parse(`${d}T12:00:00Z`)) && new Date(`${d}T12:00:00Z`).toISOString().startsWith(d),
    'a real calendar date',
  );
