/**
 * A sale's single-use coupons in the server's coupon ledger (admin/coupons.ts): each code the sale names that is
 * in one of its program's batches is marked used by this sale. A code another sale used first still stands on this
 * one (two tills took it offline; the goods left the store) and is flagged `coupon-reused` for head office.
 *
 * The answer is what the re-check gives the engine (QuoteInput.batchCodes): every code found, as not used — the
 * sale is checked as the till that took the code saw it; a code in no batch stays unknown and the re-check
 * refuses it.
 */
import type { SaleDoc } from '../../shared/documents';
import { codesOf } from '../../shared/engine';
import type { Query } from '../db';
import { flag, type Batch } from './batch';

export async function takeCoupons(
  q: Query,
  b: Pick<Batch, 'till' | 'couponBatches'>,
  sale: SaleDoc,
): Promise<Record<string, { batch: string; used: boolean }>> {
  const codes = codesOf(sale.body.codes);
  if (codes.length === 0) return {};
  const programId = sale.body.programId;
  const rows = await q<{ code: string; batch: string; used_sale_id: string | null }>(
    `SELECT code, batch, used_sale_id FROM coupon_codes WHERE program_id = $1 AND code = ANY($2::text[]) FOR UPDATE`,
    [programId, codes],
  );
  const out: Record<string, { batch: string; used: boolean }> = {};
  for (const r of rows) {
    out[r.code] = { batch: r.batch, used: false };
    if (r.used_sale_id === sale.id) continue;
    if (r.used_sale_id !== null) {
      await flag(q, 'coupon-reused', sale.body.memberId, b.till.tillId, sale.id, {
        code: r.code,
        batch: r.batch,
        firstSaleId: r.used_sale_id,
      });
      continue;
    }
    await q(
      `UPDATE coupon_codes SET used_sale_id = $3, used_till_id = $4, used_at = $5 WHERE program_id = $1 AND code = $2`,
      [programId, r.code, sale.id, b.till.tillId, sale.at],
    );
    b.couponBatches.set(`${programId}\u0000${r.batch}`, [programId, r.batch]);
  }
  return out;
}
