/**
 * Card-number ranges for tills (shared/member-card.ts): the server assigns
 * each till ranges of EAN-13 member-card numbers it gives out itself when it
 * enrols a member, and publishes them in the till's reference document
 * `till:<id>` (pulled by that store's tills).
 *
 * Invariants:
 * - Ranges never overlap: a new range starts after the highest number ever
 *   assigned, under an advisory lock, so two nodes assigning at once still
 *   give out different numbers; a range, once assigned, is never taken back.
 * - A till is topped up with a further range while it has fewer than
 *   `CARD_RANGE_LOW_WATER` numbers left above the highest card it used (its
 *   enrolments the server has taken): at start, when the till is created,
 *   and after a push that enrolled members.
 * - The caller stamps the returned refdata ids, last, in its transaction.
 */
import { isDeepStrictEqual } from 'node:util';
import { CARD_RANGE_LOW_WATER, cardsLeft, nextRange, type CardRange, type TillRef } from '../../shared/member-card';
import type { Db, Query } from '../db';
import { stampSeq } from '../seq';

const RANGE_LOCK = 7_301_013;

async function rangesOf(q: Query, tillId: string): Promise<CardRange[]> {
  return q<CardRange>('SELECT first, last FROM card_ranges WHERE till_id = $1 ORDER BY first', [tillId]);
}

/** The highest card (thirteen digits) the server has taken from this till's ranges, or null. */
async function highestUsed(q: Query, ranges: readonly CardRange[]): Promise<string | null> {
  if (ranges.length === 0) return null;
  const [row] = await q<{ card: string | null }>(
    `SELECT max(m.card_number) AS card FROM members m
       JOIN unnest($1::text[], $2::text[]) AS r(first, last)
         ON m.card_number >= r.first AND m.card_number <= r.last || '9'`,
    [ranges.map((r) => r.first), ranges.map((r) => r.last)],
  );
  return row?.card ?? null;
}

/** Assigns this till a further range when it runs low; true when one was assigned. */
async function topUp(q: Query, tillId: string): Promise<boolean> {
  const ranges = await rangesOf(q, tillId);
  if (cardsLeft(ranges, await highestUsed(q, ranges)) >= CARD_RANGE_LOW_WATER) return false;
  await q('SELECT pg_advisory_xact_lock($1)', [RANGE_LOCK]);
  const [top] = await q<{ last: string | null }>('SELECT max(last) AS last FROM card_ranges');
  const range = nextRange(top?.last ?? null);
  if (!range) return false;
  await q('INSERT INTO card_ranges (first, last, till_id) VALUES ($1, $2, $3)', [range.first, range.last, tillId]);
  return true;
}

/** Writes `till:<id>` from the till's ranges; returns its id when it changed. */
async function publishTill(q: Query, tillId: string): Promise<string | null> {
  const [till] = await q<{ store_id: string; data: unknown }>(
    `SELECT t.store_id, r.data FROM tills t LEFT JOIN refdata r ON r.id = 'till:' || t.id WHERE t.id = $1`,
    [tillId],
  );
  if (!till) return null;
  const data: TillRef = { tillId, storeId: till.store_id, cardRanges: await rangesOf(q, tillId) };
  if (isDeepStrictEqual(till.data, data)) return null;
  await q(
    `INSERT INTO refdata (id, kind, key, data, seq) VALUES ($1, 'till', $2, $3, 0)
     ON CONFLICT (id) DO UPDATE SET data = EXCLUDED.data, deleted = false`,
    [`till:${tillId}`, tillId, JSON.stringify(data)],
  );
  return `till:${tillId}`;
}

/** Tops up and publishes the tills named; returns the refdata ids that changed (the caller stamps them). */
export async function ensureCardRanges(q: Query, tillIds: readonly string[]): Promise<string[]> {
  const changed: string[] = [];
  for (const id of [...new Set(tillIds)].sort()) {
    await topUp(q, id);
    const doc = await publishTill(q, id);
    if (doc) changed.push(doc);
  }
  return changed;
}

/** At server start: every till has numbers to give out and its document says so. */
export async function prepareCardRanges(db: Db): Promise<{ tills: number; published: number }> {
  return db.tx(async (q) => {
    const tills = await q<{ id: string }>('SELECT id FROM tills ORDER BY id');
    const changed = await ensureCardRanges(
      q,
      tills.map((t) => t.id),
    );
    await stampSeq(q, 'refdata', changed);
    return { tills: tills.length, published: changed.length };
  });
}
