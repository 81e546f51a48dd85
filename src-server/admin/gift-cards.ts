/**
 * Gift cards for head office (shared/gift-cards.ts): one card with every sale's move on it, and all of a program's
 * cards as CSV for the liability report. Also the one place a card's row becomes its reference document
 * `giftcard:<program>:<number>` (ingest/gift-cards.ts keeps the ledger, seed.ts the demo cards).
 *
 * Invariants:
 * - Read only: any admin role may look (auditors too); nothing here changes a card.
 * - A number that is not one of the program's (a wrong prefix or check character) is 400 GIFT_CARD_BAD_NUMBER, an
 *   unknown program or card 404 NOT_FOUND.
 * - A card's reference document holds exactly its row; the caller stamps the returned ids, last, in its
 *   transaction, so every till pulls the card.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { checkedCodePrefix } from '../../shared/check-code';
import { programSchema } from '../../shared/engine';
import { KassaError } from '../../shared/errors';
import { giftCardRefId, giftCardStateSchema, type GiftCardState } from '../../shared/gift-cards';
import type { Db, Query } from '../db';
import { parseInput } from '../http/errors';
import type { AdminAccess } from './access';

/** The columns of a `gift_cards` row (aliased `g`) as `GiftCardRow` reads them. */
export const GIFT_CARD_COLUMNS = `g.program_id, g.number, g.balance_minor,
  to_char(g.valid_until, 'YYYY-MM-DD') AS valid_until, g.issued_at, g.spent_today, g.till_marks`;

export type GiftCardRow = {
  program_id: string;
  number: string;
  balance_minor: string | number;
  valid_until: string | null;
  issued_at: string | Date | null;
  spent_today: unknown;
  till_marks: unknown;
};

/** A card's row as its state (checked by the shared schema). */
export function giftCardOfRow(r: GiftCardRow): GiftCardState {
  return giftCardStateSchema.parse({
    number: r.number,
    programId: r.program_id,
    balanceMinor: Number(r.balance_minor),
    validUntil: r.valid_until,
    issuedAt: r.issued_at === null ? null : new Date(r.issued_at).toISOString(),
    spentToday: r.spent_today ?? null,
    tillMarks: r.till_marks ?? {},
  });
}

/** Writes the cards' reference documents in one statement; returns their ids. */
export async function publishGiftCards(q: Query, cards: readonly GiftCardState[]): Promise<string[]> {
  if (cards.length === 0) return [];
  const docs = cards.map((c) => ({
    id: giftCardRefId(c.programId, c.number),
    key: `${c.programId}:${c.number}`,
    data: c,
  }));
  await q(
    `INSERT INTO refdata (id, kind, key, data, seq)
     SELECT r.id, 'giftcard', r.key, r.data, 0 FROM jsonb_to_recordset($1::jsonb) AS r(id text, key text, data jsonb)
     ON CONFLICT (id) DO UPDATE SET data = EXCLUDED.data, deleted = false`,
    [JSON.stringify(docs)],
  );
  return docs.map((d) => d.id);
}

const programParams = z.object({ programId: z.string().min(1).max(64) });
const cardParams = programParams.extend({ number: z.string().min(1).max(40) });

/** The program's gift card prefix, or null when it sells no cards (its cards sold before are still looked up). */
async function cardPrefix(db: Db, programId: string): Promise<string | null> {
  const [row] = await db.query<{ data: unknown }>("SELECT data FROM refdata WHERE id = 'program:' || $1", [programId]);
  if (!row) throw new KassaError('NOT_FOUND', `No program ${programId}`);
  return programSchema.parse(row.data).giftCards?.prefix ?? null;
}

function csvCell(value: string | number | null): string {
  const text = value === null ? '' : String(value);
  return /[",\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function giftCardRoutes(app: FastifyInstance, db: Db, access: AdminAccess): void {
  app.get('/api/v1/admin/programs/:programId/gift-cards/:number', async (req) => {
    await access.require(req, 'auditor');
    const { programId, number: typed } = parseInput(cardParams, req.params);
    const prefix = await cardPrefix(db, programId);
    const number = typed.trim().toUpperCase();
    const found = checkedCodePrefix(number);
    if (found === null || (prefix !== null && found !== prefix))
      throw new KassaError('GIFT_CARD_BAD_NUMBER', `${typed} is not one of this program’s gift card numbers`, {
        number: typed,
      });
    const [row] = await db.query<GiftCardRow>(
      `SELECT ${GIFT_CARD_COLUMNS} FROM gift_cards g WHERE g.program_id = $1 AND g.number = $2`,
      [programId, number],
    );
    if (!row) throw new KassaError('NOT_FOUND', `No gift card ${number} in program ${programId}`);
    const moves = await db.query<{
      sale_id: string;
      till_id: string;
      at: string | Date;
      load_minor: string | number;
      paid_minor: string | number;
    }>(
      `SELECT sale_id, till_id, at, load_minor, paid_minor FROM gift_card_moves
        WHERE program_id = $1 AND number = $2 ORDER BY at, till_id, epoch, till_seq, sale_id`,
      [programId, number],
    );
    return {
      card: giftCardOfRow(row),
      moves: moves.map((m) => ({
        saleId: m.sale_id,
        tillId: m.till_id,
        at: new Date(m.at).toISOString(),
        loadMinor: Number(m.load_minor),
        paidMinor: Number(m.paid_minor),
      })),
    };
  });

  // Head office's liability: every card money was ever put on, or that stands below zero, with what it holds.
  app.get('/api/v1/admin/programs/:programId/gift-cards', async (req, reply) => {
    await access.require(req, 'auditor');
    const { programId } = parseInput(programParams, req.params);
    await cardPrefix(db, programId);
    const rows = await db.query<GiftCardRow>(
      `SELECT ${GIFT_CARD_COLUMNS} FROM gift_cards g
        WHERE g.program_id = $1 AND (g.issued_at IS NOT NULL OR g.balance_minor <> 0)
        ORDER BY g.number COLLATE "C"`,
      [programId],
    );
    const lines = ['number,balance_minor,valid_until,issued_at'];
    for (const r of rows.map(giftCardOfRow))
      lines.push([r.number, r.balanceMinor, r.validUntil, r.issuedAt].map(csvCell).join(','));
    return reply
      .header('content-type', 'text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="${programId.replace(/[^\w-]/g, '_')}-gift-cards.csv"`)
      .send(`${lines.join('\n')}\n`);
  });
}
