/**
 * Manual points adjustments by head office (goodwill, a correction after a
 * complaint): the only way an `adjust` entry enters the ledger, since tills
 * may not write one.
 *
 * Invariants:
 * - A manager or admin names the member, a non-zero amount within ±1,000,000
 *   points, a reason and a request id; the same request id for the same member
 *   adjusts once (a retried call answers the first result, `duplicate: true`).
 * - The entry goes through the shared projection like every other, so tills
 *   hear the new balance through replication; an adjustment never takes a
 *   balance below zero (NOT_ENOUGH_POINTS, nothing written).
 * - Every adjustment is in the audit log with the balance before and after.
 */
import type { FastifyInstance } from 'fastify';
import { monotonicFactory } from 'ulid';
import { z } from 'zod';
import { KassaError } from '../../shared/errors';
import { memberStateSchema } from '../../shared/engine/member-state';
import { entryFact, project } from '../../shared/ledger';
import { textSchema } from '../../shared/primitives';
import type { Db } from '../db';
import { parseInput } from '../http/errors';
import { stampSeq } from '../seq';
import { audit, type AdminAccess } from './access';

const MAX_MANUAL_POINTS = 1_000_000;
const nextId = monotonicFactory();
const params = z.object({ id: z.string().regex(/^[0-9A-HJKMNP-TV-Z]{26}$/, 'a member id (ULID)') });
const adjustBody = z.object({
  points: z
    .number()
    .int()
    .min(-MAX_MANUAL_POINTS)
    .max(MAX_MANUAL_POINTS)
    .refine((n) => n !== 0, 'not zero'),
  reason: textSchema(500).min(3),
  /** The caller's id for this request (e.g. a ULID): a retry with the same id adjusts once. */
  requestId: z.string().regex(/^[A-Za-z0-9_-]{8,64}$/, '8 to 64 letters, digits, _ or -'),
});

export function adjustRoutes(app: FastifyInstance, db: Db, access: AdminAccess): void {
  app.post('/api/v1/admin/members/:id/adjust', async (req) => {
    const actor = await access.require(req, 'manager');
    const { id } = parseInput(params, req.params);
    const a = parseInput(adjustBody, req.body);
    const naturalId = `adjust:${id}:${a.requestId}`;
    return db.tx(async (q) => {
      const [m] = await q<{ state: unknown; time_zone: string }>(
        `SELECT m.state, s.time_zone FROM members m JOIN stores s ON s.id = m.store_id WHERE m.id = $1 FOR UPDATE OF m`,
        [id],
      );
      if (!m) throw new KassaError('NOT_FOUND', `No member ${id}`);
      const before = memberStateSchema.parse(m.state);
      const [done] = await q<{ id: string; points: string | number }>(
        'SELECT id, points FROM ledger_entries WHERE natural_id = $1 AND effective',
        [naturalId],
      );
      if (done)
        return { ok: true, duplicate: true, entryId: done.id, points: Number(done.points), balance: before.balance };
      if (before.balance + a.points < 0)
        throw new KassaError(
          'NOT_ENOUGH_POINTS',
          `The member has ${before.balance} points; ${a.points} would go below zero`,
        );
      const at = new Date().toISOString();
      const entryId = nextId();
      const body = {
        memberId: id,
        saleId: null,
        type: 'adjust' as const,
        points: a.points,
        reason: a.reason,
        naturalId,
        ruleId: null,
      };
      await q(
        `INSERT INTO ledger_entries (id, member_id, till_id, sale_id, type, points, reason, natural_id, rule_id, till_seq, till_time)
         VALUES ($1, $2, 'admin', NULL, 'adjust', $3, $4, $5, NULL, 0, $6)`,
        [entryId, id, a.points, a.reason, naturalId, at],
      );
      const after = project(before, [entryFact(entryId, at, body)], { timeZone: m.time_zone });
      await q('UPDATE members SET state = $2 WHERE id = $1', [id, JSON.stringify(after)]);
      await stampSeq(q, 'members', [id]);
      await audit(q, actor, 'member.adjust', id, {
        entryId,
        points: a.points,
        reason: a.reason,
        requestId: a.requestId,
        balanceBefore: before.balance,
        balanceAfter: after.balance,
      });
      return { ok: true, duplicate: false, entryId, points: a.points, balance: after.balance };
    });
  });
}
