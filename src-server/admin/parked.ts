/**
 * The review queue for parked documents: what the server did not apply as a
 * till sent it, kept verbatim with its reason. An operator resolves one
 * (dismisses it, with a note) or replays it (applies it as sent, through the
 * shared projection). Both are audited; a document leaves the open queue once.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { journalDocSchema } from '../../shared/documents';
import { KassaError } from '../../shared/errors';
import { memberStateSchema } from '../../shared/engine/member-state';
import { entryFact, project, saleFact, type LedgerFact } from '../../shared/ledger';
import { textSchema } from '../../shared/primitives';
import type { Db, Query } from '../db';
import { stampSeq } from '../seq';
import { parseInput } from '../http/errors';
import { replaySaleMoves } from '../ingest/replay';
import { audit, type AdminAccess } from './access';

const idParams = z.object({ id: z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER) });
const noteBody = z.object({ note: textSchema(500).default('') }).default({ note: '' });

type ParkedRow = { id: string; doc: unknown; status: string; till_id: string; store_id: string; epoch: string };

async function openParked(q: Query, id: number): Promise<ParkedRow> {
  const [row] = await q<ParkedRow>(
    `SELECT p.id, p.doc, p.status, p.till_id, t.store_id, p.epoch
       FROM parked_docs p JOIN tills t ON t.id = p.till_id WHERE p.id = $1 FOR UPDATE OF p`,
    [id],
  );
  if (!row) throw new KassaError('NOT_FOUND', `No parked document ${id}`);
  if (row.status !== 'open') throw new KassaError('NOT_ALLOWED', `Parked document ${id} is already ${row.status}`);
  return row;
}

/** Applies one fact to its member through the projection (a replay is outside any till's order). */
async function applyToMember(q: Query, fact: LedgerFact): Promise<void> {
  const [m] = await q<{ state: unknown; time_zone: string }>(
    `SELECT m.state, s.time_zone FROM members m JOIN stores s ON s.id = m.store_id WHERE m.id = $1 FOR UPDATE OF m`,
    [fact.memberId],
  );
  if (!m) throw new KassaError('NOT_FOUND', `No member ${fact.memberId}`);
  const state = project(memberStateSchema.parse(m.state), [fact], { timeZone: m.time_zone });
  await q('UPDATE members SET state = $2 WHERE id = $1', [fact.memberId, JSON.stringify(state)]);
  await stampSeq(q, 'members', [fact.memberId]);
}

export function parkedRoutes(app: FastifyInstance, db: Db, access: AdminAccess): void {
  app.get('/api/v1/admin/parked', async (req) => {
    await access.require(req, 'auditor');
    const q = parseInput(
      z.object({
        status: z.enum(['open', 'resolved', 'replayed']).default('open'),
        limit: z.coerce.number().int().min(1).max(1000).default(100),
      }),
      req.query,
    );
    const rows = await db.query<{ id: string; till_seq: string | number }>(
      `SELECT id, doc_id, till_id, epoch, till_seq, code, reason, doc, status, created_at, resolved_at, note
         FROM parked_docs WHERE status = $1 ORDER BY id LIMIT $2`,
      [q.status, q.limit],
    );
    return rows.map((r) => ({ ...r, id: Number(r.id), till_seq: Number(r.till_seq) }));
  });

  app.post('/api/v1/admin/parked/:id/resolve', async (req) => {
    const actor = await access.require(req, 'manager');
    const { id } = parseInput(idParams, req.params);
    const { note } = parseInput(noteBody, req.body ?? undefined);
    await db.tx(async (q) => {
      await openParked(q, id);
      await q(
        "UPDATE parked_docs SET status = 'resolved', resolved_at = now(), resolved_by = $3, note = $2 WHERE id = $1",
        [id, note, actor.id],
      );
      await audit(q, actor, 'parked.resolve', String(id), { note });
    });
    return { ok: true, id, status: 'resolved' };
  });

  app.post('/api/v1/admin/parked/:id/replay', async (req) => {
    const actor = await access.require(req, 'manager');
    const { id } = parseInput(idParams, req.params);
    const { note } = parseInput(noteBody, req.body ?? undefined);
    await db.tx(async (q) => {
      const row = await openParked(q, id);
      const doc = journalDocSchema.parse(row.doc);
      if (doc.kind === 'event')
        throw new KassaError('NOT_ALLOWED', 'A staff event is in the audit log already: resolve it with a note');
      if (doc.kind === 'member')
        throw new KassaError(
          'NOT_ALLOWED',
          'An enrolment or a household join is not replayed: do it again at a till, or resolve it with a note',
        );
      if (doc.kind === 'entry') {
        const inserted = await q(
          `INSERT INTO ledger_entries (id, member_id, till_id, sale_id, type, points, reason, natural_id, rule_id,
                                       till_seq, till_time, epoch, effective)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, true) ON CONFLICT DO NOTHING RETURNING id`,
          [
            doc.id,
            doc.body.memberId,
            doc.tillId,
            doc.body.saleId,
            doc.body.type,
            doc.body.points,
            doc.body.reason,
            doc.body.naturalId,
            doc.body.ruleId,
            doc.tillSeq,
            doc.at,
            row.epoch,
          ],
        );
        if (inserted.length === 0)
          throw new KassaError('NOT_ALLOWED', 'This entry (or its natural id) is already in the ledger');
        await applyToMember(q, entryFact(doc.id, doc.at, doc.body));
      } else {
        const fact = saleFact(doc);
        const updated = await q("UPDATE sales SET effects = $2, check_status = 'replayed' WHERE id = $1 RETURNING id", [
          doc.id,
          doc.body.effects ? JSON.stringify(doc.body.effects) : null,
        ]);
        if (updated.length === 0) throw new KassaError('NOT_FOUND', `Sale ${doc.id} is not stored`);
        if (fact) await applyToMember(q, fact);
        // The codes it used and the gift card money it moved, as for a sale stored as sent; tills hear of them.
        const till = { tillId: row.till_id, storeId: row.store_id };
        await stampSeq(q, 'refdata', await replaySaleMoves(q, doc, till, row.epoch));
      }
      await q(
        "UPDATE parked_docs SET status = 'replayed', resolved_at = now(), resolved_by = $3, note = $2 WHERE id = $1",
        [id, note, actor.id],
      );
      await audit(q, actor, 'parked.replay', String(id), { docId: doc.id, kind: doc.kind, note });
    });
    return { ok: true, id, status: 'replayed' };
  });
}
