/**
 * Reading the audit log through the admin API (any role: auditors exist for
 * this). Newest first, filtered by actor, action prefix, target or time, and
 * paged by id (`before`), so a long log is read in bounded pages.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { textSchema } from '../../shared/primitives';
import type { Db } from '../db';
import { parseInput } from '../http/errors';
import { isoTime } from '../rows';
import type { AdminAccess } from './access';

const auditQuery = z.object({
  actor: textSchema(100).optional(),
  /** A prefix: `till-event.` matches every staff event from tills, `staff.pin` one action. */
  action: textSchema(100).optional(),
  target: textSchema(200).optional(),
  since: z.iso.datetime({ offset: true }).optional(),
  before: z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

type AuditRow = {
  id: string;
  actor: string;
  action: string;
  target: string | null;
  detail: unknown;
  source: string | null;
  at: Date | string;
};

export function auditRoutes(app: FastifyInstance, db: Db, access: AdminAccess): void {
  app.get('/api/v1/admin/audit', async (req) => {
    await access.require(req, 'auditor');
    const f = parseInput(auditQuery, req.query);
    const rows = await db.query<AuditRow>(
      `SELECT id, actor, action, target, detail, source, at FROM audit_log
        WHERE ($1::text IS NULL OR actor = $1)
          AND ($2::text IS NULL OR starts_with(action, $2))
          AND ($3::text IS NULL OR target = $3)
          AND ($4::timestamptz IS NULL OR at >= $4)
          AND ($5::bigint IS NULL OR id < $5)
        ORDER BY id DESC LIMIT $6`,
      [f.actor ?? null, f.action ?? null, f.target ?? null, f.since ?? null, f.before ?? null, f.limit],
    );
    const entries = rows.map((r) => ({ ...r, id: Number(r.id), at: isoTime(r.at) }));
    return { entries, next: entries.length === f.limit ? entries.at(-1)!.id : null };
  });
}
