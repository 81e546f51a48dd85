/**
 * A whole chain's members and products, generated: member i and product i
 * are pure functions of (i, seed), so the demo chain the server seeds
 * (src-server/seed-chain.ts, `KASSA_DEMO_MEMBERS` / `KASSA_DEMO_PRODUCTS`),
 * tests, and in-page bench code (bundled for Chromium) all produce the same
 * documents without sharing state.
 *
 * Invariants:
 * - Pure and portable: no Node or DOM imports (bench pages bundle this
 *   module), only shared/ and ulid.
 * - Deterministic: ids, cards, phones and EANs depend only on the index;
 *   `seed` varies names, balances and prices.
 * - Members are numbered from 0. Card numbers are EAN-13 codes under the
 *   till's member prefix (299, so they scan as member cards) with a valid
 *   check digit, unique per i, and never one of the demo cards
 *   (299000000001…, src-server/seed.ts): chain cards start at 299100000000.
 * - Ids are ULIDs stamped 2025-01-01 and phones lie in +3162…–+3169…, so
 *   they never meet the demo members' (2026-01-01, +3161000000…).
 * - Product EANs are valid EAN-13 codes under 872 (the demo's are 871).
 * - Member states parse with shared/engine/member-state.ts, and the balance
 *   equals the point lots' earned minus spent.
 */
import { encodeTime } from 'ulid';
import { withCheckDigit } from './barcode';
import type { Member, Product } from './documents';
import type { MemberState } from './engine/member-state';

/** The demo store (src-server/seed.ts DEMO_STORE_ID, which shared/ cannot import), the demo's only store. */
export const CHAIN_DEFAULT_STORES: readonly string[] = ['store-1'];
/** Most chain members one generator numbers (nine digits after the prefix). */
export const CHAIN_MAX_MEMBERS = 899_999_999;

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
/** Chain ids are ULIDs stamped 2025-01-01, a year before the demo's, so they never meet demo ids. */
const ID_TIME = encodeTime(Date.UTC(2025, 0, 1), 10);

function crockford(n: number, width: number): string {
  let out = '';
  for (let v = n, i = 0; i < width; i++, v = Math.floor(v / 32)) out = CROCKFORD[v % 32]! + out;
  return out;
}

/** Member i's id: a ULID (the journal's member ids are ULIDs); the first random character 0 marks members. */
export function chainMemberId(i: number): string {
  return `${ID_TIME}0${crockford(i, 15)}`;
}

/** The id of member i's opening-balance ledger entry; first random character 1 marks ledger entries. */
export function chainLedgerId(i: number): string {
  return `${ID_TIME}1${crockford(i, 15)}`;
}

export function chainCardNumber(i: number): string {
  if (!Number.isInteger(i) || i < 0 || i >= CHAIN_MAX_MEMBERS) throw new RangeError(`no chain member ${i}`);
  return withCheckDigit(`299${String(100_000_000 + i)}`);
}

/**
 * Member i's phone in E.164: Dutch mobile numbers from +31620000000, unique per i below 80,000,000 and clear
 * of the demo members' +31610000000….
 */
export function chainPhone(i: number): string {
  return `+316${String(20_000_000 + (i % 80_000_000))}`;
}

export function chainProductEan(i: number): string {
  return withCheckDigit(`872${String(i).padStart(9, '0')}`);
}

/** A small deterministic hash of (i, seed, salt) in [0, 1): the same on every machine and in every engine. */
function unit(i: number, seed: number, salt: number): number {
  let h = Math.imul(i ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(seed + salt, 0xc2b2ae35);
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d);
  h ^= h >>> 15;
  h = Math.imul(h, 0x846ca68b);
  h ^= h >>> 16;
  return (h >>> 0) / 4_294_967_296;
}

const FIRST = ['Anna', 'Bram', 'Chloé', 'Daan', 'Eva', 'Finn', 'Greta', 'Hugo', 'Iris', 'Jesse', 'Kim', 'Lars'];
const LAST = ['de Vries', 'Jansen', 'Martin', 'Bakker', 'Visser', 'Smit', 'Meijer', 'Mulder', 'de Boer', 'Bos'];

/** A member as head office holds it: personal data included (a till receives only `chainMemberDoc`). */
export type ChainMember = {
  id: string;
  cardNumber: string;
  name: string;
  phone: string;
  email: string;
  storeId: string;
  enrolledAt: string;
  state: MemberState;
};

/** Days after 2025-01-01 as an ISO date (src-server/seed-chain.ts computes the same in SQL). */
function day(offset: number): string {
  return new Date(Date.UTC(2025, 0, 1) + offset * 86_400_000).toISOString().slice(0, 10);
}

/**
 * The few numbers member i's state is made of. The seeder sends these to the database and builds the
 * state there (the same way `chainState` does here), which keeps a million-member seed small on the wire.
 * Most members earned a small amount in one to three lots; a tenth earned nothing; a few percent earned
 * thousands (silver from 500, gold from 2,000, the demo program's tiers).
 */
export type ChainFacts = {
  /** Points earned, split over `lots` lots 30 days apart, the first `firstDay` days after 2025-01-01. */
  earned: number;
  lots: number;
  firstDay: number;
  /** Points redeemed since (FIFO): the balance is earned − spent. */
  spent: number;
  enrolledDay: number;
};

export function chainFacts(i: number, seed = 1): ChainFacts {
  const r = unit(i, seed, 1);
  const size = unit(i, seed, 2);
  const earned =
    r < 0.1
      ? 0
      : r < 0.85
        ? Math.floor(size * 600)
        : r < 0.97
          ? 600 + Math.floor(size * 2400)
          : 3000 + Math.floor(size * 17000);
  return {
    earned,
    lots: earned === 0 ? 0 : 1 + Math.floor(unit(i, seed, 3) * 3),
    firstDay: Math.floor(unit(i, seed, 4) * 300),
    spent: earned > 0 && unit(i, seed, 5) < 0.3 ? Math.floor(earned * unit(i, seed, 6) * 0.5) : 0,
    enrolledDay: Math.floor(unit(i, seed, 9) * 365),
  };
}

/** Lot l of `lots` gets earned ÷ lots (rounded down); the last one takes the remainder. */
function lotPoints(f: ChainFacts, l: number): number {
  const each = Math.floor(f.earned / f.lots);
  return l === f.lots - 1 ? f.earned - each * (f.lots - 1) : each;
}

export function chainState(f: ChainFacts): MemberState {
  const buckets: Record<string, [number, number]> = {};
  for (let l = 0; l < f.lots; l++) buckets[day(f.firstDay + l * 30)] = [lotPoints(f, l), 0];
  const asOf = f.lots > 0 ? day(f.firstDay + (f.lots - 1) * 30) : null;
  const tier = f.earned >= 2000 ? 'gold' : f.earned >= 500 ? 'silver' : null;
  return {
    balance: f.earned - f.spent,
    lots: { asOf, buckets, spent: f.spent },
    tierWindow: { spendMinor: f.earned * 100, points: f.earned },
    tier,
    tierSince: tier ? day(f.firstDay) : null,
    stamps: {},
    offerUses: {},
    grants: [],
    householdId: null,
    membership: null,
    membershipTerms: [],
    redeemedToday: null,
    wallet: { balanceMinor: 0, spentToday: null },
    birthday: null,
    segments: [],
    referredBy: null,
    lastActivityAt: asOf ? `${asOf}T12:00:00.000Z` : null,
  };
}

export function chainName(i: number, seed = 1): string {
  const first = FIRST[Math.floor(unit(i, seed, 7) * FIRST.length)]!;
  const last = LAST[Math.floor(unit(i, seed, 8) * LAST.length)]!;
  return `${first} ${last} ${i}`;
}

export function chainMember(i: number, options: { seed?: number; stores?: readonly string[] } = {}): ChainMember {
  const seed = options.seed ?? 1;
  const stores = options.stores ?? CHAIN_DEFAULT_STORES;
  const facts = chainFacts(i, seed);
  return {
    id: chainMemberId(i),
    cardNumber: chainCardNumber(i),
    name: chainName(i, seed),
    phone: chainPhone(i),
    email: `chain-${i}@example.com`,
    storeId: stores[i % stores.length]!,
    enrolledAt: `${day(facts.enrolledDay)}T09:00:00.000Z`,
    state: chainState(facts),
  };
}

/**
 * Member i as a till holds it (shared/documents.ts Member): no phone or e-mail, the phone's keyed hash
 * instead (`phoneHash`, computed by the caller under the chain's phone key).
 */
export function chainMemberDoc(m: ChainMember, phoneHash: string, seq: number): Member {
  return {
    id: m.id,
    cardNumber: m.cardNumber,
    name: m.name,
    phoneHash,
    storeId: m.storeId,
    enrolledAt: m.enrolledAt,
    state: m.state,
    tillMarks: {},
    seq,
    _deleted: false,
  };
}

const CATEGORIES = ['dairy', 'bakery', 'coffee', 'drinks', 'pantry', 'snacks', 'meat', 'fish', 'household', 'care'];

/** Product i (its id and document body; the server adds seq). */
export function chainProduct(i: number, options: { seed?: number } = {}): Omit<Product, 'seq' | '_deleted'> {
  const seed = options.seed ?? 1;
  const categoryId = CATEGORIES[Math.floor(unit(i, seed, 10) * CATEGORIES.length)]!;
  return {
    id: `cp-${String(i).padStart(7, '0')}`,
    ean: chainProductEan(i),
    name: `${categoryId} item ${i}`,
    priceMinor: 49 + Math.floor(unit(i, seed, 11) * 2950),
    currency: 'EUR',
    categoryId,
    unit: 'each',
    tags: [],
  };
}
