/**
 * Which tenders a refund goes back to. Pure.
 *
 * The rule (docs/returns.md): money goes back to the tenders the sale was paid
 * with, never to one it was not paid with, and never more to a tender than it
 * paid (less what earlier returns of the same sale gave back to it). Card
 * first, in the order the cards were taken, then the member's eWallet, then
 * cash: a card or wallet payment is never turned into cash over the counter,
 * and the drawer gives out no more than it took. A cash tender counts what it paid, not what was handed over (the
 * change went back already). A top-up on the sale is not returnable: what paid
 * for it (cash first, then card; the wallet never pays its own top-up) is not
 * money for the goods, and is not given back. Points are not a money tender: the redeemed
 * points come back as points through the ledger (shared/engine/refund.ts).
 */
import type { SaleBody } from '../../../../shared/documents';
import { walletMoves } from '../../../../shared/engine/wallet';
import { KassaError } from '../../../../shared/errors';

export type RefundTender = { kind: 'cash' | 'card' | 'wallet'; amountMinor: number };

const ORDER: Record<RefundTender['kind'], number> = { card: 0, wallet: 1, cash: 2 };

/**
 * Splits `refundMinor` over the sale's money tenders; `priorReturns` are the sale's earlier returns (their
 * tenders carry negative amounts). Amounts in the answer are positive; a zero refund goes back as 0 cash.
 */
export function refundTenders(
  sale: Pick<SaleBody, 'tenders'> & { lines?: SaleBody['lines'] },
  priorReturns: ReadonlyArray<Pick<SaleBody, 'tenders'>>,
  refundMinor: number,
): RefundTender[] {
  if (!Number.isSafeInteger(refundMinor) || refundMinor < 0)
    throw new KassaError('MONEY_BAD_INPUT', `A refund of ${refundMinor} minor units is not possible`);
  if (refundMinor === 0) return [{ kind: 'cash', amountMinor: 0 }];
  // What earlier returns gave back to each kind; it uses up that kind's first tenders.
  const used = new Map<RefundTender['kind'], number>();
  for (const r of priorReturns)
    for (const t of r.tenders) if (t.kind !== 'points') used.set(t.kind, (used.get(t.kind) ?? 0) - t.amountMinor);
  const slots = sale.tenders
    .map((t, i) => ({ kind: t.kind, amountMinor: t.amountMinor, i }))
    .filter((t): t is { kind: RefundTender['kind']; amountMinor: number; i: number } => t.kind !== 'points')
    .filter((t) => t.amountMinor > 0);
  // The top-up's share of the tenders, taken from the last to be refunded: it is never given back.
  let topUp = sale.lines ? walletMoves({ lines: sale.lines, tenders: [] }).topUpMinor : 0;
  for (const slot of [...slots].sort((a, b) => ORDER[b.kind] - ORDER[a.kind] || b.i - a.i)) {
    if (slot.kind === 'wallet') continue;
    const share = Math.min(topUp, slot.amountMinor);
    slot.amountMinor -= share;
    topUp -= share;
  }
  slots.sort((a, b) => ORDER[a.kind] - ORDER[b.kind] || a.i - b.i);
  const out: RefundTender[] = [];
  let due = refundMinor;
  for (const slot of slots) {
    const spent = Math.min(Math.max(0, used.get(slot.kind) ?? 0), slot.amountMinor);
    used.set(slot.kind, (used.get(slot.kind) ?? 0) - spent);
    const take = Math.min(slot.amountMinor - spent, due);
    if (take <= 0) continue;
    const same = out.find((o) => o.kind === slot.kind);
    if (same) same.amountMinor += take;
    else out.push({ kind: slot.kind, amountMinor: take });
    due -= take;
    if (due === 0) break;
  }
  if (due > 0)
    throw new KassaError(
      'NOT_ALLOWED',
      `The refund (${refundMinor}) is more than the sale's tenders have left to give back (${refundMinor - due})`,
    );
  return out;
}
