/**
 * The member ledger, one projection for till and server: facts (entries,
 * sale effects, household joins) in, member state out. See project.ts for the invariants.
 */
export {
  project,
  applyFact,
  expiredBucketDay,
  type EntryFact,
  type SaleFact,
  type HouseholdFact,
  type LedgerFact,
  type ProjectionContext,
} from './project';
export {
  entryFact,
  saleFact,
  saleGoodsMinor,
  saleStoredValueMinor,
  householdFact,
  factsFromJournal,
  memberFacts,
} from './journal-facts';
export { accountIdOf, memberView, type MemberView, type MemberSnapshot } from './view';
export {
  openLots,
  lotDebt,
  earnLot,
  spendPoints,
  expireLot,
  LOT_HORIZON_DAYS,
  OLDEST_BUCKET,
  type OpenLot,
} from './lots';
export { addStamps, validStampBuckets, emptyStampCard, NO_WINDOW_BUCKET, STAMP_HORIZON_DAYS } from './stamps';
export { membershipUntil, addMembershipTerm, type MembershipView } from './membership';
