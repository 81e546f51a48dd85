/**
 * Digital member cards at the till (shared/digital-card.ts): verified offline
 * with the store document's public keys, and taken once. The nonces of codes
 * taken here are kept in this database until the codes expire, so a code
 * shown again (a screenshot, a photo of someone's phone) is refused as a
 * replay, across restarts too. Checks on one database run one at a time: two
 * scans of one code in quick succession cannot both pass.
 */
import { CLOCK_SKEW_SECONDS, verifyDigitalCard, type CardKey } from '../../../shared/digital-card';
import { KassaError } from '../../../shared/errors';
import type { TillDatabase } from './database';

const SEEN_DOC = 'digital-cards-seen';
const queues = new WeakMap<TillDatabase, Promise<unknown>>();

/** The member a scanned code names; throws DIGITAL_CARD_* (garbled, key unknown, forged, expired, replayed). */
export function takeDigitalCard(
  db: TillDatabase,
  keys: readonly CardKey[],
  code: string,
  nowMs = Date.now(),
): Promise<string> {
  const run = (queues.get(db) ?? Promise.resolve()).then(() => takeNow(db, keys, code, nowMs));
  queues.set(
    db,
    run.catch(() => undefined),
  );
  return run;
}

async function takeNow(db: TillDatabase, keys: readonly CardKey[], code: string, nowMs: number): Promise<string> {
  const check = verifyDigitalCard(code, keys, nowMs);
  if (!check.ok) throw new KassaError(check.code, check.reason);
  const doc = await db.journal.getLocal<{ seen: Record<string, number> }>(SEEN_DOC);
  const seen = (doc?.get('seen') as Record<string, number> | undefined) ?? {};
  if (seen[check.nonce] !== undefined)
    throw new KassaError('DIGITAL_CARD_REPLAYED', 'This code was used already: ask the member to show a fresh one');
  const now = Math.floor(nowMs / 1000);
  const kept = Object.fromEntries(Object.entries(seen).filter(([, exp]) => exp + CLOCK_SKEW_SECONDS >= now));
  await db.journal.upsertLocal(SEEN_DOC, { seen: { ...kept, [check.nonce]: check.expiresAt } });
  return check.memberId;
}
