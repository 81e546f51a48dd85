/**
 * Single-use coupon batches (shared/coupons.ts): head office generates the codes of a program's batch, prints or
 * exports them as CSV, and sees which were used, by which sale at which till.
 *
 * Invariants:
 * - Codes are drawn from a cryptographic source and are unique per program (the ledger's key): a batch grows by
 *   `count` new codes per call, never reissuing one.
 * - Only a batch the program's current version has a promotion for may be generated (COUPON_BATCH_UNKNOWN).
 * - Every change to a batch (new codes, a code used) re-publishes its reference document `coupons:<program>:<batch>`,
 *   so every till hears it; the caller stamps the returned ids, last, in its transaction.
 */
import { randomInt } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { couponBatchRefId, couponCode, couponPrefixSchema, type CouponBatchRef } from '../../shared/coupons';
import { programSchema } from '../../shared/engine';
import { KassaError } from '../../shared/errors';
import type { Db, Query } from '../db';
import { parseInput } from '../http/errors';
import { stampSeq } from '../seq';
import { audit, type AdminAccess } from './access';

/** The most codes one call generates. */
export const MAX_BATCH_CODES = 100_000;

const params = z.object({ programId: z.string().min(1).max(64), batch: z.string().regex(/^[a-z0-9-]{1,64}$/) });
const batchBody = z.object({
  count: z.number().int().min(1).max(MAX_BATCH_CODES),
  /** The letters each code starts with (default: the batch id's first letters). */
  prefix: couponPrefixSchema.optional(),
});

/** Writes the batch's reference document from the ledger; returns its id. */
export async function publishCouponBatch(q: Query, programId: string, batch: string): Promise<string> {
  const rows = await q<{ code: string; used: boolean }>(
    `SELECT code, used_sale_id IS NOT NULL AS used FROM coupon_codes WHERE program_id = $1 AND batch = $2 ORDER BY code`,
    [programId, batch],
  );
  const data: CouponBatchRef = {
    programId,
    batch,
    codes: rows.map((r) => r.code),
    used: rows.filter((r) => r.used).map((r) => r.code),
  };
  const id = couponBatchRefId(programId, batch);
  await q(
    `INSERT INTO refdata (id, kind, key, data, seq) VALUES ($1, 'coupons', $2, $3, 0)
     ON CONFLICT (id) DO UPDATE SET data = EXCLUDED.data, deleted = false`,
    [id, `${programId}:${batch}`, JSON.stringify(data)],
  );
  return id;
}

async function checkBatch(q: Query, programId: string, batch: string): Promise<void> {
  const [row] = await q<{ data: unknown }>("SELECT data FROM refdata WHERE id = 'program:' || $1", [programId]);
  if (!row) throw new KassaError('NOT_FOUND', `No program ${programId}`);
  const program = programSchema.parse(row.data);
  if (!program.promotions.some((p) => p.couponBatch === batch))
    throw new KassaError(
      'COUPON_BATCH_UNKNOWN',
      `No promotion of program ${programId} has the coupon batch "${batch}"`,
    );
}

function csvCell(value: string | null): string {
  const text = value ?? '';
  return /[",\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function couponRoutes(app: FastifyInstance, db: Db, access: AdminAccess): void {
  app.post('/api/v1/admin/programs/:programId/coupon-batches/:batch', async (req) => {
    const actor = await access.require(req, 'manager');
    const { programId, batch } = parseInput(params, req.params);
    const body = parseInput(batchBody, req.body);
    const prefix = body.prefix ?? (batch.replaceAll('-', '').slice(0, 6).toUpperCase() || 'KASSA');
    return db.tx(async (q) => {
      await checkBatch(q, programId, batch);
      let created = 0;
      // A drawn code already in the ledger (about 1 in 34 billion per code) is drawn again.
      while (created < body.count) {
        const codes = Array.from({ length: body.count - created }, () => couponCode(prefix, randomInt));
        const inserted = await q<{ code: string }>(
          `INSERT INTO coupon_codes (program_id, code, batch)
           SELECT $1, c, $2 FROM unnest($3::text[]) AS c ON CONFLICT DO NOTHING RETURNING code`,
          [programId, batch, codes],
        );
        created += inserted.length;
      }
      const [{ total } = { total: 0 }] = await q<{ total: number }>(
        'SELECT count(*)::int AS total FROM coupon_codes WHERE program_id = $1 AND batch = $2',
        [programId, batch],
      );
      await audit(q, actor, 'coupons.generate', `${programId}:${batch}`, { count: created, prefix, total });
      await stampSeq(q, 'refdata', [await publishCouponBatch(q, programId, batch)]);
      return { ok: true, programId, batch, created, total };
    });
  });

  // The batch as CSV: one row per code, with the sale that used it (printable, or for a mailing).
  app.get('/api/v1/admin/programs/:programId/coupon-batches/:batch', async (req, reply) => {
    await access.require(req, 'manager');
    const { programId, batch } = parseInput(params, req.params);
    const rows = await db.query<{
      code: string;
      used_sale_id: string | null;
      used_till_id: string | null;
      used_at: Date | string | null;
    }>(
      `SELECT code, used_sale_id, used_till_id, used_at FROM coupon_codes
        WHERE program_id = $1 AND batch = $2 ORDER BY created_at, code`,
      [programId, batch],
    );
    if (rows.length === 0) throw new KassaError('NOT_FOUND', `No codes in batch "${batch}" of ${programId}`);
    const lines = ['code,status,used_at,till_id,sale_id'];
    for (const r of rows) {
      const usedAt = r.used_at === null ? null : new Date(r.used_at).toISOString();
      lines.push(
        [r.code, r.used_sale_id ? 'used' : 'open', usedAt, r.used_till_id, r.used_sale_id].map(csvCell).join(','),
      );
    }
    return reply
      .header('content-type', 'text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="${programId}-${batch}.csv"`)
      .send(`${lines.join('\n')}\n`);
  });
}
