/**
 * The eWallet: money a member keeps with the store, in minor units.
 *
 * - Topped up at the till as a basket line (`kind: 'topup'`): money in, no
 *   points, no discount, outside VAT (VAT is charged on what the wallet later
 *   buys). A top-up is not returnable.
 * - Spent as a tender (`kind: 'wallet'`) on the goods of a sale, never on the
 *   sale's own top-up.
 * - A return of a sale paid from the wallet gives back to the wallet first
 *   what the wallet paid (less earlier returns), after the card and before cash.
 * - The balance lives in member state (`wallet`) and moves only through the
 *   sale's effects (`walletMinor`, `walletSpentMinor`), folded by the one
 *   projection (shared/ledger/project.ts), so it replicates like points.
 * - Offline, a till lets a member spend at most the program's cap per store
 *   day; two offline tills spending the same money leave a negative balance
 *   that the server flags (`wallet-overdraft`), and the next top-up covers it.
 *
 * Both the till and the server derive the effects from the sale's own lines
 * and tenders with `withWalletEffects`, so they never disagree on them.
 */
import type { MemberEffectsBody, SaleBody } from '../documents';
import { KassaError } from '../errors';
import type { MemberState } from './member-state';
import type { Program } from './program';
import { NO_MEMBER_EFFECTS } from './quote';
import { amountOnDay, localDate } from './time';

/** The product id and line id a top-up line carries. */
export const WALLET_TOPUP_PRODUCT_ID = 'wallet-topup';
export const WALLET_TOPUP_LINE_ID = 'topup';

type MovesOf = Pick<SaleBody, 'lines' | 'tenders'>;

/** What a sale puts on the wallet (its top-up lines) and what it pays from it (negative on a return: given back). */
export function walletMoves(body: MovesOf): { topUpMinor: number; paidMinor: number } {
  let topUpMinor = 0;
  for (const l of body.lines) if (l.kind === 'topup') topUpMinor += l.amountMinor;
  let paidMinor = 0;
  for (const t of body.tenders) if (t.kind === 'wallet') paidMinor += t.amountMinor;
  return { topUpMinor, paidMinor };
}

/**
 * `effects` with the sale's wallet moves set (whatever wallet fields it had are replaced). A caller that has the
 * moves already passes them.
 */
export function withWalletEffects(
  effects: MemberEffectsBody | null,
  body: MovesOf,
  moves: { topUpMinor: number; paidMinor: number } = walletMoves(body),
): MemberEffectsBody | null {
  const { walletMinor: _w, walletSpentMinor: _s, ...rest } = effects ?? NO_MEMBER_EFFECTS;
  const { topUpMinor, paidMinor } = moves;
  const walletMinor = topUpMinor - paidMinor;
  const spent = Math.max(0, paidMinor);
  if (walletMinor === 0 && spent === 0) return effects && { ...rest };
  return { ...rest, ...(walletMinor !== 0 ? { walletMinor } : {}), ...(spent > 0 ? { walletSpentMinor: spent } : {}) };
}

export type WalletContext = { offline: boolean; at: string; timeZone: string };

/** Spent from the wallet on the store-local day of `at`. */
function spentOn(state: MemberState, at: string, timeZone: string): number {
  return amountOnDay(state.wallet.spentToday, 'minor', localDate(at, timeZone));
}

/** What the member may pay from the wallet now: the balance, and offline no more than what the day's cap leaves. */
export function walletSpendable(program: Program, state: MemberState, ctx: WalletContext): number {
  if (!program.wallet) return 0;
  const balance = Math.max(0, state.wallet.balanceMinor);
  if (!ctx.offline) return balance;
  const capLeft = Math.max(0, program.wallet.offlineSpendCapPerDayMinor - spentOn(state, ctx.at, ctx.timeZone));
  return Math.min(balance, capLeft);
}

/** The most a top-up may put on the wallet now (0 when it is full or the program has none). */
export function walletTopUpRoom(program: Program, state: MemberState): number {
  if (!program.wallet) return 0;
  return Math.max(0, program.wallet.maxBalanceMinor - state.wallet.balanceMinor);
}

/**
 * Checks a sale's wallet moves before it is written: `goodsMinor` is what the sale's goods cost (its total less
 * its top-ups). Throws a coded error a cashier can act on.
 */
export function checkWalletMoves(
  program: Program,
  state: MemberState | null,
  moves: { topUpMinor: number; paidMinor: number; goodsMinor: number },
  ctx: WalletContext,
): void {
  const { topUpMinor, paidMinor, goodsMinor } = moves;
  if (topUpMinor === 0 && paidMinor === 0) return;
  const wallet = program.wallet;
  if (!wallet) throw new KassaError('WALLET_NOT_OFFERED', 'This store’s program has no eWallet');
  if (!state) throw new KassaError('WALLET_NOT_OFFERED', 'An eWallet belongs to a member: scan their card first');
  if (!Number.isSafeInteger(topUpMinor) || !Number.isSafeInteger(paidMinor) || topUpMinor < 0 || paidMinor < 0)
    throw new KassaError('WALLET_BAD_AMOUNT', 'A wallet amount is a whole number of minor units above zero');
  if (topUpMinor > 0 && topUpMinor < wallet.minTopUpMinor)
    throw new KassaError('WALLET_BAD_AMOUNT', `A top-up is at least ${wallet.minTopUpMinor} minor units`, {
      minTopUpMinor: wallet.minTopUpMinor,
    });
  if (topUpMinor > walletTopUpRoom(program, state))
    throw new KassaError('WALLET_OVER_LIMIT', `The wallet may hold at most ${wallet.maxBalanceMinor} minor units`, {
      roomMinor: walletTopUpRoom(program, state),
    });
  if (paidMinor > goodsMinor)
    throw new KassaError('WALLET_BAD_AMOUNT', 'The wallet pays for goods, not for its own top-up');
  const spendable = walletSpendable(program, state, ctx);
  if (paidMinor > spendable) {
    const overCap = ctx.offline && paidMinor <= Math.max(0, state.wallet.balanceMinor);
    throw overCap
      ? new KassaError('WALLET_OFFLINE_CAP', `Offline, at most ${spendable} more may be paid from the wallet today`, {
          spendableMinor: spendable,
        })
      : new KassaError('WALLET_INSUFFICIENT', `The wallet holds ${Math.max(0, state.wallet.balanceMinor)}`, {
          spendableMinor: spendable,
        });
  }
}

/** What a return may still give back to the wallet: what the sale paid from it, less earlier returns' refunds. */
export function walletRefundLeft(sale: MovesOf, priorReturns: readonly MovesOf[]): number {
  const paid = walletMoves(sale).paidMinor;
  const given = priorReturns.reduce((s, r) => s - walletMoves(r).paidMinor, 0);
  return Math.max(0, paid - given);
}
