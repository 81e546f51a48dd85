/**
 * Which tenders a refund goes back to. Pure.
 *
 * The rule (docs/returns.md): money goes back to the tenders the sale was paid
 * with, never to one it was not paid with, and never more to a tender than it
 * paid (less what earlier returns of the same sale gave back to it). Card
 * first, in the order the cards were taken, then the member's eWallet, then
 * gift cards (each card what it paid, in the order they were taken), then
 * cash: a card, wallet or gift card payment is never turned into cash over the
 * counter, and the drawer gives out no more than it took. A cash tender counts
 * what it paid, not what was handed over (the change went back already). An
 * eWallet top-up or a gift card sold on the sale is not returnable: what paid
 * for it (cash first, then card; the wallet and gift cards pay for goods only)
 * is not money for the goods, and is not given back. Points are not a money
 * tender: the redeemed points come back as points through the ledger
 * (shared/engine/refund.ts).
 */
import type { SaleBody } from '../../../../shared/documents';
import { walletMoves } from '../../../../shared/engine/wallet';
import { KassaError } from '../../../../shared/errors';
import { giftCardLoadsMinor } from '../../../../shared/gift-cards';

/** Money going back to a tender of the sale; a gift card's names the card. */
export type RefundTender = { kind: 'cash' | 'card' | 'wallet' | 'giftcard'; amountMinor: number; giftCard?: string };

const ORDER: Record<RefundTender['kind'], number> = { card: 0, wallet: 1, giftcard: 2, cash: 3 };

type Tendered = Pick<SaleBody['tenders'][number], 'kind' | 'amountMinor' | 'giftCard'>;

/** What a refund's money is counted by: its kind, and for a gift card the card (each card gets back its own). */
function purse(t: Tendered): string {
  return t.kind === 'giftcard' ? `giftcard:${t.giftCard ?? ''}` : t.kind;
}

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
  // What earlier returns gave back to each purse; it uses up that purse's first tenders.
  const used = new Map<string, number>();
  for (const r of priorReturns)
    for (const t of r.tenders) if (t.kind !== 'points') used.set(purse(t), (used.get(purse(t)) ?? 0) - t.amountMinor);
  type Slot = { kind: RefundTender['kind']; amountMinor: number; giftCard?: string; i: number };
  const slots = sale.tenders
    .map((t, i) => ({ kind: t.kind, amountMinor: t.amountMinor, ...(t.giftCard ? { giftCard: t.giftCard } : {}), i }))
    .filter((t): t is Slot => t.kind !== 'points')
    .filter((t) => t.amountMinor > 0);
  // The stored value the sale put on (its top-up, the gift cards it sold) came out of the tenders last to be
  // refunded, cash and card: it is never given back. The wallet and gift cards paid for goods only.
  let storedValue = sale.lines
    ? walletMoves({ lines: sale.lines, tenders: [] }).topUpMinor + giftCardLoadsMinor({ lines: sale.lines })
    : 0;
  for (const slot of [...slots].sort((a, b) => ORDER[b.kind] - ORDER[a.kind] || b.i - a.i)) {
    if (slot.kind === 'wallet' || slot.kind === 'giftcard') continue;
    const share = Math.min(storedValue, slot.amountMinor);
    slot.amountMinor -= share;
    storedValue -= share;
  }
  slots.sort((a, b) => ORDER[a.kind] - ORDER[b.kind] || a.i - b.i);
  const out: RefundTender[] = [];
  let due = refundMinor;
  for (const slot of slots) {
    const key = purse(slot);
    const spent = Math.min(Math.max(0, used.get(key) ?? 0), slot.amountMinor);
    used.set(key, (used.get(key) ?? 0) - spent);
    const take = Math.min(slot.amountMinor - spent, due);
    if (take <= 0) continue;
    const same = out.find((o) => purse(o) === key);
    if (same) same.amountMinor += take;
    else out.push({ kind: slot.kind, amountMinor: take, ...(slot.giftCard ? { giftCard: slot.giftCard } : {}) });
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
