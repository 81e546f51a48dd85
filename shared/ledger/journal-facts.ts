/**
 * Journal documents as projection facts: the same conversion on the till
 * (its unconfirmed journal) and on the server (what it applies).
 */
import type { EntryDoc, JournalDoc, LedgerEntryBody, MemberDoc, SaleDoc } from '../documents';
import type { EntryFact, HouseholdFact, LedgerFact, SaleFact } from './project';

export function entryFact(id: string, at: string, body: LedgerEntryBody): EntryFact {
  return {
    kind: 'entry',
    id,
    memberId: body.memberId,
    type: body.type,
    points: body.points,
    at,
    naturalId: body.naturalId,
    ruleId: body.ruleId,
  };
}

/**
 * What a sale's goods cost (negative for a return): its total less the money it puts on stored value, an eWallet
 * top-up or a gift card. That money is the customer's still, so it is no spend (a tier's window counts goods only,
 * as the engine's quote does).
 */
export function saleGoodsMinor(body: Pick<SaleDoc['body'], 'totalMinor' | 'lines'>): number {
  return body.totalMinor - saleStoredValueMinor(body);
}

/** The money a sale puts on stored value: its eWallet top-up and gift card lines. */
export function saleStoredValueMinor(body: Pick<SaleDoc['body'], 'lines'>): number {
  let storedValue = 0;
  for (const l of body.lines) if (l.kind === 'topup' || l.kind === 'giftcard') storedValue += l.amountMinor;
  return storedValue;
}

/** A sale's effect on its member, or null for a sale without a member. */
export function saleFact(doc: Pick<SaleDoc, 'id' | 'at' | 'body'>): SaleFact | null {
  if (!doc.body.memberId) return null;
  return {
    kind: 'sale',
    id: doc.id,
    memberId: doc.body.memberId,
    at: doc.at,
    spendMinor: saleGoodsMinor(doc.body),
    effects: doc.body.effects,
  };
}

/** A household join's effect on the member who joins; null for any other member document (an enrolment). */
export function householdFact(doc: Pick<MemberDoc, 'id' | 'at' | 'body'> & { memberId: string }): HouseholdFact | null {
  if (doc.body.type !== 'household-join') return null;
  return { kind: 'household', id: doc.id, memberId: doc.memberId, at: doc.at, householdId: doc.body.householdId };
}

/** Every fact in a run of journal documents (entries, member sales, household joins). */
export function factsFromJournal(
  docs: ReadonlyArray<Pick<JournalDoc, 'id' | 'at' | 'kind' | 'body' | 'memberId'>>,
): LedgerFact[] {
  const out: LedgerFact[] = [];
  for (const d of docs) {
    const f =
      d.kind === 'entry'
        ? entryFact(d.id, d.at, (d as EntryDoc).body)
        : d.kind === 'sale'
          ? saleFact(d as SaleDoc)
          : d.kind === 'member'
            ? householdFact(d as MemberDoc)
            : null;
    if (f) out.push(f);
  }
  return out;
}

/**
 * One member's facts among a till database's journal documents above `afterSeq` (the server's mark
 * for that database): what the till's view adds to the member's snapshot.
 */
export function memberFacts(
  docs: ReadonlyArray<Pick<JournalDoc, 'id' | 'at' | 'kind' | 'body' | 'memberId' | 'tillSeq'>>,
  memberId: string,
  afterSeq = 0,
): LedgerFact[] {
  return factsFromJournal(docs.filter((d) => d.memberId === memberId && d.tillSeq > afterSeq)).filter(
    (f) => f.memberId === memberId,
  );
}
