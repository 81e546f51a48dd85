/**
 * Returns as the server takes them: each return is checked against its
 * original sale and every return of that sale already taken, from any till.
 *
 * Invariants:
 * - The original sale's row is locked (in id order, once per group) before
 *   its returns are read, so two pushes returning the same line — from two
 *   tills, in two transactions — are taken one after the other: the later
 *   one sees the earlier one.
 * - A line is never returned beyond its quantity: a return that would is
 *   stored (the money went back over the counter) but parked with
 *   RETURN_ALREADY_RETURNED and flagged; it moves no points and no spend.
 * - What the till computed is re-computed with the same shared code
 *   (shared/returns.ts); lines that disagree park the return, ledger entries
 *   that disagree are parked and the server books its own.
 * - Money goes back to the eWallet and to each gift card at most what the
 *   sale paid from it less what earlier returns gave back to it.
 */
import type { SaleDoc } from '../../shared/documents';
import { KassaError } from '../../shared/errors';
import { returnLines, type BuiltReturn, type ReturnSale } from '../../shared/returns';
import { walletMoves, walletRefundLeft } from '../../shared/engine';
import { giftCardMoves, giftCardRefundLeft } from '../../shared/gift-cards';
import type { Query } from '../db';
import type { RuleViolation } from './rules';

/** The originals and returns a group of pushes has seen: read (and locked) once, kept up to date as it goes. */
export type ReturnBook = {
  originals: Map<string, ReturnSale | null>;
  /** Returns taken (not parked) per original sale id. */
  returns: Map<string, ReturnSale[]>;
};

export function emptyReturnBook(): ReturnBook {
  return { originals: new Map(), returns: new Map() };
}

type SaleRow = { id: string; till_id: string; till_time: string | Date; body: ReturnSale['body'] };

function asReturnSale(r: SaleRow): ReturnSale {
  return { id: r.id, tillId: r.till_id, at: new Date(r.till_time).toISOString(), body: r.body };
}

/** Locks and reads the originals `docs` return (and their returns so far), those not read yet. */
export async function loadOriginals(q: Query, book: ReturnBook, docs: readonly SaleDoc[]): Promise<void> {
  const ids = [...new Set(docs.map((d) => d.body.refundOf).filter((id): id is string => id !== null))]
    .filter((id) => !book.originals.has(id))
    .sort();
  if (ids.length === 0) return;
  const originals = await q<SaleRow>(
    'SELECT id, till_id, till_time, body FROM sales WHERE id = ANY($1::text[]) ORDER BY id FOR UPDATE',
    [ids],
  );
  const returns = await q<SaleRow>(
    `SELECT id, till_id, till_time, body FROM sales
      WHERE body->>'refundOf' = ANY($1::text[]) AND check_status NOT LIKE 'parked:%' ORDER BY till_time, id`,
    [ids],
  );
  for (const id of ids) book.originals.set(id, null);
  for (const r of originals) book.originals.set(r.id, asReturnSale(r));
  for (const r of returns) {
    const of = r.body.refundOf!;
    book.returns.set(of, [...(book.returns.get(of) ?? []), asReturnSale(r)]);
  }
}

/** A sale taken in this group: a later return in the group may name it. `replace`: its corrected copy. */
export function rememberSale(book: ReturnBook, sale: SaleDoc, opts: { replace?: boolean } = {}): void {
  if (sale.body.refundOf !== null) {
    const of = sale.body.refundOf;
    book.returns.set(of, [...(book.returns.get(of) ?? []), sale]);
  } else if (opts.replace || !book.originals.get(sale.id)) book.originals.set(sale.id, sale);
}

function violation(code: string, reason: string): { ok: false; violation: RuleViolation } {
  return { ok: false, violation: { code, reason } };
}

/** Checks a return against its original and the returns taken before it; on success, what it should be. */
export function checkReturn(
  book: ReturnBook,
  sale: SaleDoc,
): { ok: true; built: BuiltReturn; original: ReturnSale } | { ok: false; violation: RuleViolation } {
  const b = sale.body;
  const original = book.originals.get(b.refundOf!) ?? null;
  if (!original) return violation('RETURN_ORIGINAL_UNKNOWN', `The returned sale ${b.refundOf} is not on the server`);
  const o = original.body;
  if (o.refundOf !== null) return violation('RETURN_OF_RETURN', `Sale ${original.id} is itself a return`);
  if (o.storeId !== b.storeId)
    return violation('RETURN_OTHER_STORE', `Sale ${original.id} was made in store ${o.storeId}, not ${b.storeId}`);
  if (o.memberId !== b.memberId)
    return violation('RETURN_MEMBER_MISMATCH', `The return's member is not the member of sale ${original.id}`);
  const other = b.lines.findIndex((l) => l.kind !== 'return');
  if (other >= 0) return violation('RETURN_MIXED_LINES', `Line ${other + 1} of a return is not a return line`);
  const prior = book.returns.get(original.id) ?? [];
  let built: BuiltReturn;
  try {
    built = returnLines({
      sale: o,
      returnId: sale.id,
      priorReturns: prior.map((r) => r.body),
      picked: b.lines.map((l) => ({ lineId: l.lineId, quantity: l.quantity })),
    });
  } catch (e) {
    if (!(e instanceof KassaError)) throw e;
    return e.code === 'NOT_FOUND'
      ? violation('RETURN_LINE_UNKNOWN', e.message)
      : violation(
          'RETURN_ALREADY_RETURNED',
          `${e.message} (returned before: ${prior.map((r) => r.id).join(', ') || 'nothing'})`,
        );
  }
  const want = new Map(built.lines.map((l) => [l.lineId, l]));
  for (const l of b.lines) {
    const w = want.get(l.lineId);
    if (!w || w.quantity !== l.quantity) {
      // The same line twice on one return: allowed, but then it must be given back as one line.
      return violation('RETURN_AMOUNT_MISMATCH', `Line ${l.lineId} appears more than once on the return`);
    }
    if (w.amountMinor !== l.amountMinor || w.unitPriceMinor !== l.unitPriceMinor || w.points !== l.points)
      return violation(
        'RETURN_AMOUNT_MISMATCH',
        `Line ${l.lineId} (${l.name}) gives back ${-l.amountMinor} and ${-l.points} points; the sale gives ${-w.amountMinor} and ${-w.points}`,
      );
  }
  const tendered = b.tenders.reduce((s, t) => s + t.amountMinor, 0);
  if (b.tenders.some((t) => t.amountMinor > 0 || t.tenderedMinor !== undefined) || tendered !== b.totalMinor)
    return violation(
      'RETURN_TENDERS_MISMATCH',
      `The return's tenders (${tendered}) do not give back its total (${b.totalMinor})`,
    );
  const walletBack = -walletMoves(b).paidMinor;
  const walletLeft = walletRefundLeft(
    o,
    prior.map((r) => r.body),
  );
  if (walletBack > walletLeft)
    return violation(
      'RETURN_TENDERS_MISMATCH',
      `The return gives ${walletBack} back to the wallet; the sale paid ${walletLeft} from it that is not given back yet`,
    );
  for (const [number, move] of giftCardMoves(b)) {
    const back = -move.paidMinor;
    const left = giftCardRefundLeft(
      o,
      prior.map((r) => r.body),
      number,
    );
    if (back > left)
      return violation(
        'RETURN_TENDERS_MISMATCH',
        `The return gives ${back} back to gift card ${number}; the sale paid ${left} from it that is not given back yet`,
      );
  }
  return { ok: true, built, original };
}
