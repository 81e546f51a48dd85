/**
 * A till looks up a sale to return it: by the sale's id (the receipt's
 * barcode) or by its receipt label (`till-1-000042`), from any till of its
 * own store. The answer holds the sale and every return of it taken so far,
 * so the till shows what is left and refuses a line already returned at
 * another till before anything is written. A till asks which receipt
 * number comes next (after its database was wiped), and for a member's
 * history (their newest sales and points movements, shared/history.ts).
 * Reads only.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { KassaError } from '../shared/errors';
import { ulidSchema } from '../shared/documents';
import { parseReceiptLabel, type ReturnSale, type SaleForReturnReply } from '../shared/returns';
import { HISTORY_ENTRIES, HISTORY_SALES, historyEntry, historySale, type MemberHistory } from '../shared/history';
import { memberStateSchema } from '../shared/engine/member-state';
import type { LedgerEntryBody, LedgerType } from '../shared/documents';
import type { Db } from './db';
import { tillFromAuthHeader } from './auth';
import { parseInput as parse } from './http/errors';

type SaleRow = { id: string; till_id: string; till_time: string | Date; body: ReturnSale['body'] };

function asSale(r: SaleRow): ReturnSale {
  return { id: r.id, tillId: r.till_id, at: new Date(r.till_time).toISOString(), body: r.body };
}

async function reply(db: Db, row: SaleRow | undefined, what: string): Promise<SaleForReturnReply> {
  if (!row) throw new KassaError('NOT_FOUND', `No sale ${what} in this store`);
  const returns = await db.query<SaleRow>(
    `SELECT id, till_id, till_time, body FROM sales
      WHERE body->>'refundOf' = $1 AND check_status NOT LIKE 'parked:%' ORDER BY till_time, id`,
    [row.id],
  );
  return { sale: asSale(row), returns: returns.map(asSale) };
}

const labelSchema = z.string().min(3).max(80);

export function registerTillSaleRoutes(app: FastifyInstance, db: Db): void {
  // The number this till's next receipt gets, from the sales the server holds: a till whose database was wiped
  // (or replaced) goes on counting from there instead of starting again at 1.
  app.get('/api/v1/till/receipt-floor', async (req) => {
    const till = await tillFromAuthHeader(db, req.headers.authorization);
    const [row] = await db.query<{ top: string | number | null }>(
      `SELECT max((body->>'receiptNo')::bigint) AS top FROM sales WHERE till_id = $1 AND body->>'receiptNo' IS NOT NULL`,
      [till.tillId],
    );
    return { next: Number(row?.top ?? 0) + 1 };
  });

  app.get('/api/v1/till/sales/by-receipt/:label', async (req) => {
    const till = await tillFromAuthHeader(db, req.headers.authorization);
    const label = parse(labelSchema, (req.params as { label: string }).label, 'BAD_REQUEST');
    const parsed = parseReceiptLabel(label);
    if (!parsed) throw new KassaError('BAD_REQUEST', `"${label}" is not a receipt number (e.g. till-1-000042)`);
    const [row] = await db.query<SaleRow>(
      `SELECT id, till_id, till_time, body FROM sales
        WHERE till_id = $1 AND store_id = $2 AND body->>'refundOf' IS NULL AND (body->>'receiptNo')::bigint = $3
        ORDER BY till_time DESC LIMIT 1`,
      [parsed.tillId, till.storeId, parsed.receiptNo],
    );
    return reply(db, row, `with receipt ${label}`);
  });

  app.get('/api/v1/till/sales/:id', async (req) => {
    const till = await tillFromAuthHeader(db, req.headers.authorization);
    const id = parse(ulidSchema, (req.params as { id: string }).id, 'BAD_REQUEST');
    const [row] = await db.query<SaleRow>(
      'SELECT id, till_id, till_time, body FROM sales WHERE id = $1 AND store_id = $2',
      [id, till.storeId],
    );
    return reply(db, row, id);
  });

  // A member's history: their newest sales (not parked) and the newest movements of the points they use (a
  // household's account's). Any till of the chain may ask: every till may serve every member.
  app.get('/api/v1/till/members/:id/history', async (req): Promise<MemberHistory> => {
    await tillFromAuthHeader(db, req.headers.authorization);
    const id = parse(ulidSchema, (req.params as { id: string }).id, 'BAD_REQUEST');
    const [m] = await db.query<{ state: unknown }>(
      'SELECT state FROM members WHERE id = $1 AND erased_at IS NULL AND NOT deleted',
      [id],
    );
    if (!m) throw new KassaError('NOT_FOUND', `No member ${id}`);
    const account = memberStateSchema.parse(m.state).householdId ?? id;
    const sales = await db.query<SaleRow>(
      `SELECT id, till_id, till_time, body FROM sales
        WHERE member_id = $1 AND check_status NOT LIKE 'parked:%' ORDER BY till_time DESC, id DESC LIMIT $2`,
      [id, HISTORY_SALES],
    );
    const entries = await db.query<{
      id: string;
      type: LedgerType;
      points: string | number;
      reason: string;
      rule_id: string | null;
      sale_id: string | null;
      member_id: string;
      natural_id: string | null;
      till_time: string | Date;
    }>(
      `SELECT id, type, points, reason, rule_id, sale_id, member_id, natural_id, till_time FROM ledger_entries
        WHERE member_id = ANY($1::text[]) AND effective ORDER BY till_time DESC, id DESC LIMIT $2`,
      [[...new Set([id, account])], HISTORY_ENTRIES],
    );
    return {
      memberId: id,
      asOf: new Date().toISOString(),
      sales: sales.map((r) => historySale(r.id, r.till_id, new Date(r.till_time).toISOString(), r.body)),
      entries: entries.map((e) => {
        const body: LedgerEntryBody = {
          memberId: e.member_id,
          saleId: e.sale_id,
          type: e.type,
          points: Number(e.points),
          reason: e.reason,
          naturalId: e.natural_id,
          ruleId: e.rule_id,
        };
        return historyEntry(e.id, new Date(e.till_time).toISOString(), body);
      }),
    };
  });
}
