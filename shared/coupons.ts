/**
 * Single-use coupons: codes generated in batches by head office for a promotion with `couponBatch`
 * (shared/engine/program.ts), each good for one sale in the whole chain.
 *
 * - A code is the batch's prefix, a dash and 8 characters of Crockford base32 (no I, L, O, U: nothing to misread),
 *   the last of them a check character, e.g. `XMAS-7KQ2H9TD`. A code with one character mistyped fails its check,
 *   so it is never taken for another customer's.
 * - The server keeps the coupon ledger (which code, which sale used it); each batch reaches the tills as one
 *   reference document (`coupons:<programId>:<batch>`) with its codes and those used, and a till adds the codes it
 *   used itself until the server's list says so. Offline, two tills may take the same code: both sales stand (the
 *   customer left with the goods) and the server flags the second (`coupon-reused`).
 */
import { z } from 'zod';
import { codesOf } from './engine/quote';

/** A coupon code is a checked code (shared/check-code.ts) under the batch's prefix. */
export {
  checkedCode as couponCode,
  checkedCodeValid as couponCodeValid,
  codePrefixSchema as couponPrefixSchema,
} from './check-code';

/** The reference document id of a batch. */
export function couponBatchRefId(programId: string, batch: string): string {
  return `coupons:${programId}:${batch}`;
}

/** A batch as tills receive it: every code, and those the server knows used. */
export const couponBatchRefSchema = z.object({
  programId: z.string().min(1),
  batch: z.string().min(1),
  codes: z.array(z.string()),
  used: z.array(z.string()),
});
export type CouponBatchRef = z.infer<typeof couponBatchRefSchema>;

/**
 * The single-use codes among `codes` as the engine takes them (QuoteInput.batchCodes): each found in a batch, used
 * when the batch lists it used or `usedHere` has it (this till's own sales not yet on the server's list).
 */
export function batchCodesOf(
  codes: readonly string[] | undefined,
  batches: readonly CouponBatchRef[],
  usedHere: ReadonlySet<string> = new Set(),
): Record<string, { batch: string; used: boolean }> {
  const out: Record<string, { batch: string; used: boolean }> = {};
  for (const code of codesOf(codes)) {
    const found = batches.find((b) => b.codes.includes(code));
    if (found) out[code] = { batch: found.batch, used: usedHere.has(code) || found.used.includes(code) };
  }
  return out;
}
