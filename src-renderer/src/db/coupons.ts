/**
 * Single-use coupons at the till (shared/coupons.ts): the codes this till has taken on its own sales, kept until
 * the server's batch documents list them used. Offline, this is what stops the same till taking a code twice.
 */
import type { TillDatabase } from './database';

const USED_DOC = 'coupons-used';
/** Codes kept: far more than a till takes between two syncs. */
const KEEP = 5_000;

export async function usedCouponsHere(db: TillDatabase): Promise<Set<string>> {
  const doc = await db.journal.getLocal<{ codes: string[] }>(USED_DOC);
  const codes: unknown = doc?.get('codes');
  return new Set(Array.isArray(codes) ? codes.filter((c): c is string => typeof c === 'string') : []);
}

/** Adds the codes a sale just took; answers the set as it now stands. */
export async function rememberUsedCoupons(db: TillDatabase, codes: readonly string[]): Promise<Set<string>> {
  const used = await usedCouponsHere(db);
  if (codes.length === 0) return used;
  for (const c of codes) used.add(c);
  await db.journal.upsertLocal(USED_DOC, { codes: [...used].slice(-KEEP) });
  return used;
}
