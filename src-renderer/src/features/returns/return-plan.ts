/**
 * A return at the till, before it is written: the lines picked, the money and
 * points the engine gives back, the tenders the money goes to, and whether a
 * supervisor must approve it. Then the journal documents that record it. Pure.
 *
 * Invariants: a plan is made from the original sale and every return of it
 * the till knows (its own journal, and the server's when online), so a line is
 * never planned beyond what is left of it; every document is parsed with the
 * wire schema before it is handed back (a till never queues a return the
 * server must refuse).
 */
import type { JournalDoc, MemberEffectsBody, SaleBody, SaleLine } from '../../../../shared/documents';
import { checkedJournalDoc } from '../../../../shared/sale-journal';
import { KassaError } from '../../../../shared/errors';
import type { RefundResult } from '../../../../shared/engine/refund';
import { withWalletEffects } from '../../../../shared/engine/wallet';
import { returnLines, type PickedLine, type ReturnSale } from '../../../../shared/returns';
import { needsSupervisor } from '../../../../shared/staff/till-events';
import type { StaffRole } from '../../../../shared/documents';
import { refundTenders, type RefundTender } from './refund-tenders';

export type ReturnPlan = {
  original: ReturnSale;
  returnId: string;
  lines: SaleLine[];
  refund: RefundResult;
  /** The stamps the return takes back (shared/returns.ts), or null. */
  effects: MemberEffectsBody | null;
  tenders: RefundTender[];
  /** Above the return threshold for this role: a supervisor's PIN first. */
  needsSupervisor: boolean;
};

export function planReturn(input: {
  original: ReturnSale;
  priorReturns: ReadonlyArray<Pick<SaleBody, 'lines' | 'tenders'>>;
  picked: readonly PickedLine[];
  returnId: string;
  role: StaffRole;
}): ReturnPlan {
  const { original } = input;
  if (original.body.refundOf !== null)
    throw new KassaError('NOT_ALLOWED', 'This receipt is itself a return: scan the receipt of the sale');
  const built = returnLines({
    sale: original.body,
    returnId: input.returnId,
    priorReturns: input.priorReturns,
    picked: input.picked,
  });
  const tenders = refundTenders(original.body, input.priorReturns, built.refund.refundMinor);
  return {
    original,
    returnId: input.returnId,
    lines: built.lines,
    refund: built.refund,
    effects: built.effects,
    tenders,
    needsSupervisor: needsSupervisor(input.role, 'return', built.refund.refundMinor),
  };
}

/** A return's document checked before it is written (sale-journal.ts's check, naming a return). */
function checkReturnDoc(doc: unknown): JournalDoc {
  return checkedJournalDoc(doc, 'return');
}

export type ReturnContext = {
  tillId: string;
  storeId: string;
  cashierId: string;
  receiptNo: number;
  offline: boolean;
  at: string;
};

/** The return's sale document and its ledger entries; `entryIds` (one per entry) and `seqs` (1 + entries). */
export function returnDocuments(
  plan: ReturnPlan,
  ctx: ReturnContext,
  entryIds: readonly string[],
  seqs: readonly number[],
): JournalDoc[] {
  const o = plan.original.body;
  const subtotal = plan.lines.reduce((s, l) => s + l.amountMinor, 0);
  // Money going back to the customer: negative amounts on the original's tenders (a gift card's names the card).
  const tenders = plan.tenders.map((t) => ({
    kind: t.kind,
    amountMinor: -t.amountMinor,
    ...(t.giftCard ? { giftCard: t.giftCard } : {}),
  }));
  const body: SaleBody = {
    storeId: ctx.storeId,
    cashierId: ctx.cashierId,
    memberId: o.memberId,
    currency: o.currency,
    lines: plan.lines,
    subtotalMinor: subtotal,
    discountMinor: 0,
    totalMinor: subtotal,
    tenders,
    programId: o.programId,
    programVersion: o.programVersion,
    memberSeq: null,
    accountSeq: null,
    accountId: o.accountId,
    redeem: null,
    offline: ctx.offline,
    refundOf: plan.original.id,
    receiptNo: ctx.receiptNo,
    entryIds: [...entryIds],
    // What went back to the eWallet moves it, as on the server (shared/engine/wallet.ts).
    effects: o.memberId ? withWalletEffects(plan.effects, { lines: plan.lines, tenders }) : null,
  };
  const memberId = o.memberId ?? '';
  return [
    checkReturnDoc({
      id: plan.returnId,
      kind: 'sale',
      tillId: ctx.tillId,
      tillSeq: seqs[0],
      at: ctx.at,
      memberId,
      body,
    }),
    ...plan.refund.entries.map((e, i) =>
      checkReturnDoc({
        id: entryIds[i],
        kind: 'entry',
        tillId: ctx.tillId,
        tillSeq: seqs[i + 1],
        at: ctx.at,
        memberId: e.memberId,
        body: e,
      }),
    ),
  ];
}
