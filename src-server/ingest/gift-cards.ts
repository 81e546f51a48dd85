/**
 * The gift card ledger (shared/gift-cards.ts): every sale the server stores moves its cards — money put on them by
 * its lines, paid from them by its tenders, given back to them by a return — through the one fold the tills use.
 *
 * Invariants:
 * - A move is booked once per sale and card (`gift_card_moves` is keyed by both): the card changes only when its
 *   move is inserted now, so a replay changes nothing.
 * - The money moved at the till whatever the card held (the goods left): a payment from a card nobody sold, an
 *   expired one, or more than it held (two offline tills spending the same money) is booked and flagged for head
 *   office (`gift-card-unknown`, `gift-card-expired`, `gift-card-overdraft`).
 * - A parked sale moves no card, but the card's mark for the till database passes it all the same (flagged
 *   `gift-card-parked`), so the till stops counting it in its view, as members' marks pass parked documents.
 * - The group's cards are locked once, in key order, before its sales are taken, and written once after: pushes
 *   naming the same cards wait for each other and never deadlock; no lock is taken for a push without cards.
 */
import type { SaleDoc } from '../../shared/documents';
import {
  applyGiftCardMove,
  giftCardExpired,
  giftCardMoves,
  giftCardNumberOf,
  type GiftCardMove,
  type GiftCardState,
} from '../../shared/gift-cards';
import type { Query } from '../db';
import { GIFT_CARD_COLUMNS, giftCardOfRow, publishGiftCards, type GiftCardRow } from '../admin/gift-cards';
import { flag, loadProgram, type Batch } from './batch';
import type { RuleViolation } from './rules';

/** What booking a sale's cards reads from the push it came in (a replay gives only these). */
type CardBatch = Pick<Batch, 'till' | 'epoch' | 'store' | 'programs' | 'giftCards'>;

/** The cards a group of pushes moves, by `programId NUL number`: as they stand after its moves so far. */
export type GiftCardBook = { cards: Map<string, GiftCardState>; touched: Set<string> };

export function emptyGiftCardBook(): GiftCardBook {
  return { cards: new Map(), touched: new Set() };
}

function cardKey(programId: string, number: string): string {
  return `${programId}\u0000${number}`;
}

/**
 * What the sale's gift card numbers start with: the prefix of the program version the till sold under (else the
 * current one); null when the sale names no card, or its program sells none (then any well-formed number stands:
 * a card sold before keeps its money).
 */
export async function giftCardPrefix(q: Query, b: Pick<Batch, 'programs'>, sale: SaleDoc): Promise<string | null> {
  const names =
    sale.body.lines.some((l) => l.kind === 'giftcard') || sale.body.tenders.some((t) => t.kind === 'giftcard');
  if (!names) return null;
  const { programId, programVersion } = sale.body;
  const program = (await loadProgram(q, b, programId, programVersion)) ?? (await loadProgram(q, b, programId, null));
  return program?.giftCards?.prefix ?? null;
}

/** The sale's moves that change a card of its program, in the order the sale names the cards. */
async function movesOf(q: Query, b: Pick<Batch, 'programs'>, sale: SaleDoc): Promise<Array<[string, GiftCardMove]>> {
  const moves = giftCardMoves(sale.body);
  if (moves.size === 0) return [];
  const prefix = await giftCardPrefix(q, b, sale);
  return [...moves].filter(
    ([number, m]) =>
      (m.loadMinor !== 0 || m.paidMinor !== 0) && (prefix === null || giftCardNumberOf(number, prefix) === number),
  );
}

/**
 * Locks the cards of `pairs` not in the book yet and reads them into it: a card nobody has a row for gets an empty
 * one first (a row another push is inserting is waited for). Both statements go in key order.
 */
async function lockCards(q: Query, book: GiftCardBook, pairs: ReadonlyArray<[string, string]>): Promise<void> {
  const wanted = pairs.filter(([p, n]) => !book.cards.has(cardKey(p, n)));
  if (wanted.length === 0) return;
  const params = [wanted.map(([p]) => p), wanted.map(([, n]) => n)];
  await q(
    `INSERT INTO gift_cards (program_id, number)
     SELECT c.p, c.n FROM unnest($1::text[], $2::text[]) AS c(p, n) ORDER BY c.p, c.n ON CONFLICT DO NOTHING`,
    params,
  );
  const rows = await q<GiftCardRow>(
    `SELECT ${GIFT_CARD_COLUMNS} FROM gift_cards g JOIN unnest($1::text[], $2::text[]) AS c(p, n)
         ON g.program_id = c.p AND g.number = c.n
      ORDER BY g.program_id, g.number FOR UPDATE OF g`,
    params,
  );
  for (const r of rows) book.cards.set(cardKey(r.program_id, r.number), giftCardOfRow(r));
}

/** Locks and reads every card the group's sales move (take.ts, before any sale is taken). */
export async function lockGiftCards(q: Query, b: Batch, sales: readonly SaleDoc[]): Promise<void> {
  const pairs = new Map<string, [string, string]>();
  for (const sale of sales) {
    for (const [number] of await movesOf(q, b, sale))
      pairs.set(cardKey(sale.body.programId, number), [sale.body.programId, number]);
  }
  await lockCards(q, b.giftCards, [...pairs.values()]);
}

/** The card from the book (locked by `lockGiftCards`; one it missed is locked now). */
async function cardOf(
  q: Query,
  b: Pick<Batch, 'giftCards'>,
  programId: string,
  number: string,
): Promise<GiftCardState> {
  const key = cardKey(programId, number);
  if (!b.giftCards.cards.has(key)) await lockCards(q, b.giftCards, [[programId, number]]);
  return b.giftCards.cards.get(key)!;
}

/** The card after the sale: its till database's mark raised to the sale; written after the group. */
function keep(b: CardBatch, card: GiftCardState, sale: SaleDoc): void {
  const mark = Math.max(card.tillMarks[b.epoch] ?? 0, sale.tillSeq);
  const key = cardKey(card.programId, card.number);
  if (card === b.giftCards.cards.get(key) && card.tillMarks[b.epoch] === mark) return;
  b.giftCards.cards.set(key, { ...card, tillMarks: { ...card.tillMarks, [b.epoch]: mark } });
  b.giftCards.touched.add(key);
}

/** Books a stored sale's gift card moves (anonymous, member or return) and flags what head office must see. */
export async function takeGiftCards(q: Query, b: CardBatch, sale: SaleDoc): Promise<void> {
  const moves = await movesOf(q, b, sale);
  if (moves.length === 0) return;
  const { programId } = sale.body;
  const inserted = await q<{ number: string }>(
    `INSERT INTO gift_card_moves (program_id, number, sale_id, till_id, epoch, till_seq, at, load_minor, paid_minor)
     SELECT $1, m.number, $2, $3, $4, $5, $6, m.load_minor, m.paid_minor
       FROM jsonb_to_recordset($7::jsonb) AS m(number text, load_minor bigint, paid_minor bigint)
     ON CONFLICT DO NOTHING RETURNING number`,
    [
      programId,
      sale.id,
      b.till.tillId,
      b.epoch,
      sale.tillSeq,
      sale.at,
      JSON.stringify(moves.map(([number, m]) => ({ number, load_minor: m.loadMinor, paid_minor: m.paidMinor }))),
    ],
  );
  const booked = new Set(inserted.map((r) => r.number));
  const program = await loadProgram(q, b, programId, null);
  const ctx = { at: sale.at, timeZone: b.store.time_zone, validMonths: program?.giftCards?.validMonths ?? 0 };
  for (const [number, move] of moves) {
    const before = await cardOf(q, b, programId, number);
    if (!booked.has(number)) {
      keep(b, before, sale);
      continue;
    }
    const after = applyGiftCardMove(before, move, ctx);
    await review(q, b, sale, before, after, move.paidMinor);
    // Through its row's types (a time as the database gives it back), so the document is the same either way.
    keep(b, { ...after, issuedAt: after.issuedAt === null ? null : new Date(after.issuedAt).toISOString() }, sale);
  }
}

/** What head office must see about one payment from a card. */
async function review(
  q: Query,
  b: CardBatch,
  sale: SaleDoc,
  before: GiftCardState,
  after: GiftCardState,
  paidMinor: number,
): Promise<void> {
  if (paidMinor <= 0) return;
  const note = (kind: string, detail: object) =>
    flag(q, kind, sale.body.memberId, b.till.tillId, sale.id, { number: before.number, ...detail });
  // A card nobody sold: its balance below zero says nothing more.
  if (before.issuedAt === null) {
    await note('gift-card-unknown', { paidMinor });
    return;
  }
  if (giftCardExpired(before, sale.at, b.store.time_zone))
    await note('gift-card-expired', { validUntil: before.validUntil, paidMinor });
  if (after.balanceMinor < 0) await note('gift-card-overdraft', { balanceMinor: after.balanceMinor });
}

/** A sale the server parks: no card moves, but each card's mark passes it (and head office hears of it). */
export async function parkGiftCards(q: Query, b: Batch, sale: SaleDoc, v: RuleViolation): Promise<void> {
  for (const [number] of await movesOf(q, b, sale)) {
    keep(b, await cardOf(q, b, sale.body.programId, number), sale);
    await flag(q, 'gift-card-parked', sale.body.memberId, b.till.tillId, sale.id, { number, code: v.code });
  }
}

/** Writes the group's changed cards (one statement) and their reference documents; returns the ids to stamp. */
export async function writeGiftCards(q: Query, book: GiftCardBook): Promise<string[]> {
  const cards = [...book.touched].map((key) => book.cards.get(key)!);
  book.touched.clear();
  if (cards.length === 0) return [];
  await q(
    `UPDATE gift_cards g SET balance_minor = r.balance_minor, valid_until = r.valid_until::date,
            issued_at = r.issued_at::timestamptz, spent_today = r.spent_today, till_marks = r.till_marks
       FROM jsonb_to_recordset($1::jsonb) AS r(program_id text, number text, balance_minor bigint, valid_until text,
            issued_at text, spent_today jsonb, till_marks jsonb)
      WHERE g.program_id = r.program_id AND g.number = r.number`,
    [
      JSON.stringify(
        cards.map((c) => ({
          program_id: c.programId,
          number: c.number,
          balance_minor: c.balanceMinor,
          valid_until: c.validUntil,
          issued_at: c.issuedAt,
          spent_today: c.spentToday,
          till_marks: c.tillMarks,
        })),
      ),
    ],
  );
  return publishGiftCards(q, cards);
}

/**
 * A push the server could not apply, parked whole (index.ts `parkWholePush`): the cards its sales up to the
 * watermark name have their mark for the epoch raised to it, as members' marks are. Returns the ids to stamp.
 */
export async function passParkedGiftCards(
  q: Query,
  epoch: string,
  sales: readonly SaleDoc[],
  watermark: number,
): Promise<string[]> {
  const pairs = new Map<string, [string, string]>();
  for (const sale of sales) {
    if (sale.tillSeq > watermark) continue;
    for (const [number, m] of giftCardMoves(sale.body))
      if (m.loadMinor !== 0 || m.paidMinor !== 0)
        pairs.set(cardKey(sale.body.programId, number), [sale.body.programId, number]);
  }
  const book = emptyGiftCardBook();
  await lockCards(q, book, [...pairs.values()]);
  for (const [key, card] of book.cards) {
    if ((card.tillMarks[epoch] ?? 0) >= watermark) continue;
    book.cards.set(key, { ...card, tillMarks: { ...card.tillMarks, [epoch]: watermark } });
    book.touched.add(key);
  }
  return writeGiftCards(q, book);
}
