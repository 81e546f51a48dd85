/**
 * Returns: the ledger entries that reverse a sale's points for the goods
 * brought back.
 *
 * Policy (documented in docs/program-format.md):
 * - Earned points are reversed in proportion to the returned quantity of each
 *   line, rounded UP, so a member never keeps points for goods they returned.
 * - Redeemed points are restored in proportion to the returned share of the
 *   sale's value, rounded DOWN, so a return never gives back more points than
 *   were spent.
 * - A full return reverses exactly what was earned and restores exactly what
 *   was redeemed: the balance is as if the sale never happened.
 * - The money refunded per line is its amount after discounts, in proportion.
 */
import { KassaError } from '../errors';
import type { LedgerEntryBody, SaleBody } from '../documents';
import { divideRounded } from '../money';

export type ReturnedLine = { lineIndex: number; quantity: number };

export type RefundResult = {
  refundMinor: number;
  pointsReversed: number;
  pointsRestored: number;
  entries: LedgerEntryBody[];
};

export const refund = (input: {
  sale: SaleBody;
  saleId: string;
  /** Points the sale redeemed (its redeem entries, as a positive number). */
  pointsRedeemed: number;
  /** What already came back from this sale in earlier returns, by line. */
  alreadyReturned?: ReturnedLine[];
  returned: ReturnedLine[];
}): RefundResult => {
  const { sale } = input;
  const before = new Map<number, number>();
  for (const r of input.alreadyReturned ?? []) before.set(r.lineIndex, (before.get(r.lineIndex) ?? 0) + r.quantity);

  let refundMinor = 0;
  let pointsReversed = 0;
  let returnedValue = 0;
  for (const r of input.returned) {
    const line = sale.lines[r.lineIndex];
    if (!line) throw new KassaError('NOT_FOUND', `The sale has no line ${r.lineIndex + 1}`);
    const prior = before.get(r.lineIndex) ?? 0;
    if (!Number.isSafeInteger(r.quantity) || r.quantity <= 0 || prior + r.quantity > line.quantity) {
      throw new KassaError(
        'NOT_ALLOWED',
        `Cannot return ${r.quantity} of ${line.name}: ${line.quantity - prior} left to return`,
      );
    }
    before.set(r.lineIndex, prior + r.quantity);
    const net = line.amountMinor - line.discountMinor;
    // Cumulative rounding: the total over several partial returns equals one full return exactly.
    const share = (q: number, total: number, rounding: 'up' | 'down') =>
      divideRounded(total * q, line.quantity, rounding);
    refundMinor += share(prior + r.quantity, net, 'down') - share(prior, net, 'down');
    pointsReversed += share(prior + r.quantity, line.points, 'up') - share(prior, line.points, 'up');
    returnedValue += share(prior + r.quantity, line.amountMinor, 'down') - share(prior, line.amountMinor, 'down');
  }

  // Redeemed points come back in proportion to the value returned; a sale worth nothing (every line
  // free or rounded to 0) shares them by units instead, so a full return still restores all of them.
  const byValue = sale.subtotalMinor > 0;
  const weight = (lineIndex: number, quantity: number) => {
    const line = sale.lines[lineIndex]!;
    return byValue ? divideRounded(line.amountMinor * quantity, line.quantity, 'down') : quantity;
  };
  const total = byValue ? sale.subtotalMinor : sale.lines.reduce((s, l) => s + l.quantity, 0);
  const returnedBefore = [...(input.alreadyReturned ?? [])].reduce((s, r) => s + weight(r.lineIndex, r.quantity), 0);
  const returnedNow = byValue ? returnedValue : input.returned.reduce((s, r) => s + r.quantity, 0);
  const restore = (w: number) => (total > 0 ? divideRounded(input.pointsRedeemed * w, total, 'down') : 0);
  const pointsRestored = restore(returnedBefore + returnedNow) - restore(returnedBefore);

  // Points go back where the sale put them: the household account the member shopped on, else the member.
  const account = sale.accountId ?? sale.memberId;
  const entries: LedgerEntryBody[] = [];
  if (account && pointsReversed > 0) {
    entries.push({
      memberId: account,
      saleId: input.saleId,
      type: 'refund',
      points: -pointsReversed,
      reason: `Return: ${pointsReversed} earned points reversed`,
      naturalId: null,
      ruleId: 'refund:earn',
    });
  }
  if (account && pointsRestored > 0) {
    entries.push({
      memberId: account,
      saleId: input.saleId,
      type: 'refund',
      points: pointsRestored,
      reason: `Return: ${pointsRestored} redeemed points restored`,
      naturalId: null,
      ruleId: 'refund:redeem',
    });
  }
  return { refundMinor, pointsReversed, pointsRestored, entries };
};
