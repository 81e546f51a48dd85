/**
 * In-page: timed lookups by card, the same for every arm (raw Dexie, RxDB,
 * the Kassa member store), so their medians and p99s compare directly.
 * Cards are spread over the whole chain and visited in a fixed order.
 */
import { chainCardNumber } from '../../shared/demo-chain';
import type { LookupTimes } from '../support/page-types';

export function lookupCards(members: number, count: number): string[] {
  // A fixed stride co-prime with most chain sizes: every part of the key space, no two neighbours in a row.
  return Array.from({ length: count }, (_, k) => chainCardNumber((k * 7_919 + 13) % members));
}

export async function timeLookups(
  cards: readonly string[],
  find: (card: string) => Promise<unknown>,
): Promise<LookupTimes> {
  const times: number[] = [];
  let missing = 0;
  for (const card of cards) {
    const t0 = performance.now();
    const found = await find(card);
    times.push(performance.now() - t0);
    if (!found) missing++;
  }
  times.sort((a, b) => a - b);
  const at = (p: number) => times[Math.min(times.length - 1, Math.ceil(p * times.length) - 1)] ?? Number.NaN;
  return { count: times.length, medianMs: at(0.5), p99Ms: at(0.99), missing };
}
