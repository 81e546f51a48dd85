/**
 * Replicated documents: the shapes that live in the till's RxDB collections
 * and in the server's tables. zod is the single source of truth; the RxDB
 * JSON schemas in src-renderer are checked against these in tests.
 *
 * Down (server -> till): products, members, refdata.  Every down document
 * carries `seq`, the server-assigned sequence it was last written at.
 * Up (till -> server): journal. Journal documents are insert-only: never
 * updated, so replicating them can never conflict.
 *
 * Personal data on tills is the minimum the till needs: a member document
 * carries the name as shown on the screen, the card number, the member state
 * (balance, tier, lots, ...) and a keyed hash of the phone number
 * (shared/phone.ts) for lookup. Never the phone number itself, an e-mail
 * address or a full birth date (the engine needs only the birthday's
 * month-day, in `state.birthday`).
 */
import { z } from 'zod';
import { currencySchema, minorSchema } from './money';
import { memberStateSchema } from './engine/member-state';
import { countryCodeSchema, phoneKeySchema } from './phone';
import { cardKeySchema } from './digital-card';
import { giftCardNumberSchema } from './gift-card-number';
import { boundedIntSchema, idTextSchema, isoTimeSchema, MAX_ENTRY_POINTS, MAX_MINOR, textSchema } from './primitives';
import { isShiftEventType, shiftEventProblem, shiftEventTypes } from './shift-events';

export { isoTimeSchema } from './primitives';
export const ulidSchema = z.string().regex(/^[0-9A-HJKMNP-TV-Z]{26}$/, 'ULID');

export const productSchema = z.object({
  id: z.string().min(1).max(64),
  /** 13-digit GTIN (UPC-A normalised with a leading 0), or a 5-digit PLU for variable-measure goods. */
  ean: z.string().regex(/^(\d{13}|\d{5})$/),
  name: z.string().min(1).max(200),
  priceMinor: minorSchema,
  currency: currencySchema,
  categoryId: z.string().max(64),
  /** 'each' is priced per item; 'kg' per kilogram (priceMinor per 1000 g). */
  unit: z.enum(['each', 'kg']),
  tags: z.array(z.string()).default([]),
  /** VAT included in the price, in basis points (900 = 9 %); absent where the store sells without VAT. */
  taxRateBp: z.number().int().min(0).max(10_000).optional(),
  seq: z.number().int().nonnegative(),
  _deleted: z.boolean().default(false),
});
export type Product = z.infer<typeof productSchema>;

export const memberSchema = z.object({
  id: ulidSchema,
  /** The member's card; an erased member's card is retired (`~` + member id), so no scan finds it. */
  cardNumber: z.string().min(1).max(32),
  /** The name as the till shows it ("Erased member" once erased). */
  name: z.string().max(120),
  /** HMAC-SHA256 (hex) of the phone's E.164 form under the chain's phone key; '' for none. */
  phoneHash: z
    .string()
    .regex(/^([0-9a-f]{64})?$/)
    .default(''),
  storeId: z.string(),
  enrolledAt: isoTimeSchema,
  state: memberStateSchema,
  /**
   * For each till database (its epoch, a ULID made when the till's local
   * database was created): the highest till sequence number of that
   * database's journal already counted in `state`. The till adds its own
   * journal above this mark to its view, so nothing is counted twice or
   * missed; a till whose database was lost starts a new epoch at 0. The
   * server sends each till database only its own mark (shared/replication.ts
   * `pullQuerySchema`), so the document does not grow with the chain's tills.
   */
  tillMarks: z.record(z.string(), z.number().int().nonnegative()).default({}),
  seq: z.number().int().nonnegative(),
  _deleted: z.boolean().default(false),
});
export type Member = z.infer<typeof memberSchema>;

export const refKinds = [
  'program',
  'store',
  'till',
  'cashier',
  'category',
  'reward',
  'offer',
  'coupons',
  'giftcard',
] as const;
export const refKindSchema = z.enum(refKinds);
export type RefKind = z.infer<typeof refKindSchema>;

export const refDocSchema = z.object({
  /** `${kind}:${key}` */
  id: z.string().min(3).max(128),
  kind: refKindSchema,
  key: z.string().min(1).max(100),
  data: z.record(z.string(), z.unknown()),
  seq: z.number().int().nonnegative(),
  _deleted: z.boolean().default(false),
});
export type RefDoc = z.infer<typeof refDocSchema>;

export const storeSchema = z.object({
  id: z.string(),
  name: z.string(),
  currency: currencySchema,
  /** IANA time zone; every time rule is evaluated in it. */
  timeZone: z.string(),
  programId: z.string(),
  /** Default region for phone numbers typed without a country code; null: only international numbers are found. */
  country: countryCodeSchema.nullable().default(null),
});
export type Store = z.infer<typeof storeSchema>;

/** Who may sign in at a store's tills: a cashier, or a supervisor who also allows overrides. */
export const staffRoles = ['cashier', 'supervisor'] as const;
export const staffRoleSchema = z.enum(staffRoles);
export type StaffRole = z.infer<typeof staffRoleSchema>;

/**
 * A cashier as the store's tills hold it (refdata kind `cashier`): no PIN,
 * only its hash (shared/staff/pin.ts). An inactive one cannot sign in.
 */
export const staffSchema = z.object({
  id: z.string().min(1).max(64),
  storeId: z.string().min(1).max(64),
  name: z.string().min(1).max(120),
  role: staffRoleSchema,
  pinHash: z.string().max(200),
  active: z.boolean(),
});
export type Staff = z.infer<typeof staffSchema>;

/**
 * The store as its tills receive it (refdata `store:<id>`): the store plus the chain's phone and card keys, current
 * first (during a key rotation the previous one follows, until every till has pulled the re-hashed members).
 */
export const storeConfigSchema = storeSchema.extend({
  phoneKeys: z.array(phoneKeySchema).max(2).default([]),
  /** The public keys digital member cards are verified with (shared/digital-card.ts), current first. */
  cardKeys: z.array(cardKeySchema).max(2).default([]),
});
export type StoreConfig = z.infer<typeof storeConfigSchema>;

/** Money on an up document: a safe integer within ±10^12 minor units. */
const upMinorSchema = boundedIntSchema(MAX_MINOR);

export const tenderSchema = z
  .object({
    /** wallet: paid from the member's eWallet (shared/engine/wallet.ts); giftcard: from the gift card `giftCard`. */
    kind: z.enum(['cash', 'card', 'points', 'wallet', 'giftcard']),
    /** What this tender pays of the sale. */
    amountMinor: upMinorSchema,
    /** Cash only: what the customer handed over; the change given is `tenderedMinor − amountMinor`. */
    tenderedMinor: upMinorSchema.optional(),
    /** Gift card tenders only: the card's number (shared/gift-cards.ts). */
    giftCard: giftCardNumberSchema.optional(),
  })
  .refine((t) => (t.kind === 'giftcard') === (t.giftCard !== undefined), {
    message: 'a gift card tender names its card, and only it does',
    path: ['giftCard'],
  });

/**
 * A discount (a percentage off, with a reason) or a price override at the till. An override always names the
 * supervisor who allowed it; a discount names one when it went past what a cashier may give.
 */
export const priceChangeSchema = z
  .strictObject({
    kind: z.enum(['discount', 'override']),
    fromMinor: upMinorSchema.refine((v) => v >= 0, 'a price is never below zero'),
    percent: z.number().int().min(1).max(100).optional(),
    reason: textSchema(200).refine((v) => v.trim().length > 0, 'a price change says why'),
    supervisorId: idTextSchema(64).nullable(),
  })
  .refine((c) => c.kind !== 'override' || c.supervisorId !== null, {
    message: 'a price override names the supervisor who allowed it',
    path: ['supervisorId'],
  })
  .refine((c) => c.kind !== 'discount' || c.percent !== undefined, {
    message: 'a discount says its percentage',
    path: ['percent'],
  });
export type PriceChangeBody = z.infer<typeof priceChangeSchema>;

export const saleLineSchema = z.object({
  /** The till's line id; the engine orders lines by it, so a re-check sees the basket as the till did. */
  lineId: idTextSchema(16).default('L0001'),
  /**
   * item: goods; discount: a declared discount line (may be negative); return: goods brought back (negative);
   * topup: money put on the member's eWallet (no points, no discount, outside VAT; not returnable);
   * giftcard: money put on the gift card `giftCard` (the same, for a card anyone may hold).
   */
  kind: z.enum(['item', 'discount', 'return', 'topup', 'giftcard']).default('item'),
  productId: idTextSchema(64),
  ean: textSchema(32),
  name: textSchema(200),
  quantity: z.number().int().positive().max(100_000),
  /** Grams for goods sold by weight, else null. */
  grams: z.number().int().positive().max(10_000_000).nullable(),
  unit: z.enum(['each', 'kg']).default('each'),
  tags: z.array(textSchema(64)).max(32).default([]),
  taxRateBp: z.number().int().min(0).max(10_000).optional(),
  unitPriceMinor: upMinorSchema,
  amountMinor: upMinorSchema,
  discountMinor: upMinorSchema.default(0),
  points: boundedIntSchema(MAX_ENTRY_POINTS).default(0),
  categoryId: textSchema(64),
  /** A price changed at the till: `unitPriceMinor` is the new price, `fromMinor` the one it replaced. */
  priceChange: priceChangeSchema.optional(),
  /** Gift card lines only: the card's number. */
  giftCard: giftCardNumberSchema.optional(),
  /**
   * The stamps this line earned, per stamp-card id: the bucket they went to and how many (free units are not
   * counted: they used stamps instead). A return takes back its share (shared/returns.ts). Absent on older sales.
   */
  stamps: z
    .record(textSchema(64), z.object({ bucket: z.string().max(16), n: z.number().int().min(0).max(100_000) }))
    .optional(),
});
export type SaleLine = z.infer<typeof saleLineSchema>;

export const ledgerTypes = ['earn', 'redeem', 'bonus', 'expire', 'refund', 'adjust', 'transfer'] as const;
export const ledgerTypeSchema = z.enum(ledgerTypes);
export type LedgerType = z.infer<typeof ledgerTypeSchema>;

export const ledgerEntryBodySchema = z.object({
  memberId: ulidSchema,
  saleId: ulidSchema.nullable(),
  type: ledgerTypeSchema,
  /** Signed integer points, within ±10^9 on one entry. */
  points: boundedIntSchema(MAX_ENTRY_POINTS),
  reason: textSchema(500),
  /** Natural id for one-off grants (e.g. "birthday:<member>:2026"); two tills granting it collapse into one. */
  naturalId: textSchema(200).nullable().default(null),
  ruleId: textSchema(100).nullable().default(null),
});
export type LedgerEntryBody = z.infer<typeof ledgerEntryBodySchema>;

const effectKey = textSchema(64);

/**
 * What a sale changes in the member's state besides points, as commutative
 * increments (shared/ledger/project.ts): stamps per card per bucket day
 * (signed), offer uses (+n), one-off grants, points redeemed (counted on the
 * sale's store-local day), a membership term bought.
 */
export const memberEffectsSchema = z.object({
  stamps: z.record(effectKey, z.record(z.string().max(16), boundedIntSchema(100_000))).default({}),
  offerUses: z.record(effectKey, z.number().int().positive().max(100_000)).default({}),
  grants: z.array(textSchema(200)).max(50).default([]),
  redeemedPoints: z.number().int().nonnegative().max(MAX_ENTRY_POINTS).default(0),
  membership: z
    .object({ planId: effectKey, months: z.number().int().positive().max(120) })
    .nullable()
    .default(null),
  /** The eWallet's change (top-ups and refunds in, payments out), signed minor units; absent when 0. */
  walletMinor: boundedIntSchema(MAX_MINOR).optional(),
  /** What the sale paid from the eWallet, counted on its store-local day for the offline cap; absent when 0. */
  walletSpentMinor: z.number().int().positive().max(MAX_MINOR).optional(),
});
export type MemberEffectsBody = z.infer<typeof memberEffectsSchema>;

/** What the cashier chose to redeem (the engine's `RedeemChoice`). */
export const redeemChoiceSchema = z
  .discriminatedUnion('kind', [
    z.object({ kind: z.literal('reward'), rewardId: effectKey, count: z.number().int().min(1).max(100).optional() }),
    z.object({ kind: z.literal('points'), points: z.number().int().positive().max(MAX_ENTRY_POINTS) }),
  ])
  .nullable();

export const saleBodySchema = z.object({
  storeId: idTextSchema(64),
  cashierId: idTextSchema(64),
  memberId: ulidSchema.nullable(),
  currency: currencySchema,
  lines: z.array(saleLineSchema).min(1).max(500),
  subtotalMinor: upMinorSchema,
  discountMinor: upMinorSchema,
  totalMinor: upMinorSchema,
  tenders: z.array(tenderSchema).min(1).max(20),
  programId: idTextSchema(64),
  programVersion: z.number().int().nonnegative().max(1_000_000_000),
  /** The member's `seq` the till quoted against (member-state version). */
  memberSeq: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER).nullable(),
  /** The household account's `seq` when the member shops on a shared account. */
  accountSeq: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER).nullable().default(null),
  /** The household account the sale's points went to; null when they went to the member's own. A return gives back to it. */
  accountId: ulidSchema.nullable().default(null),
  /** The redemption the cashier chose, and whether the till was offline: the server re-runs the engine with both. */
  redeem: redeemChoiceSchema.default(null),
  /** Promo codes entered or scanned on the sale (capitals). */
  codes: z
    .array(z.string().regex(/^[A-Z0-9-]{3,32}$/))
    .min(1)
    .max(10)
    .optional(),
  offline: z.boolean().default(false),
  /** Set on a return: the original sale. */
  refundOf: ulidSchema.nullable().default(null),
  /** The receipt's number on its till: 1, 2, 3… with no gaps, across restarts (null from tills before receipts). */
  receiptNo: z.number().int().positive().max(Number.MAX_SAFE_INTEGER).nullable().default(null),
  /** Ids of the ledger entries written with this sale (they follow it in tillSeq order). */
  entryIds: z.array(ulidSchema).max(50).default([]),
  /** Member-state effects (stamps, offer uses, grants, membership), as increments. */
  effects: memberEffectsSchema.nullable().default(null),
});
export type SaleBody = z.infer<typeof saleBodySchema>;

export const tillEventTypes = ['sign-in', 'sign-out', 'pin-locked', 'override', ...shiftEventTypes] as const;
const eventDetailValue = z.union([textSchema(500), boundedIntSchema(MAX_MINOR), z.boolean(), z.null()]);

/**
 * Something staff did at the till that head office must be able to see: a
 * sign-in or sign-out, a PIN lock-out, a supervisor override, and the
 * shift's open, cash in and out, X report and close (Z report, its totals in
 * `details`). The server writes each one to its audit log (who, what, when,
 * from which till).
 */
export const tillEventBodySchema = z
  .object({
    storeId: idTextSchema(64),
    type: z.enum(tillEventTypes),
    cashierId: idTextSchema(64),
    /** The supervisor whose PIN allowed an override; null for anything else. */
    supervisorId: idTextSchema(64).nullable().default(null),
    /** What was done, e.g. `void-basket`; for a sign-in `pin`. */
    action: idTextSchema(64),
    reason: textSchema(500).default(''),
    saleId: ulidSchema.nullable().default(null),
    details: z
      .record(z.string().max(64), eventDetailValue)
      .refine((d) => Object.keys(d).length <= 32, 'at most 32 details')
      .default({}),
  })
  // Shift events (open, cash in/out, X and Z reports) carry typed details: shared/shift-events.ts.
  .superRefine((e, ctx) => {
    if (!isShiftEventType(e.type)) return;
    const problem = shiftEventProblem(e.type, e.details, e.reason);
    if (problem) ctx.addIssue({ code: 'custom', message: problem, path: ['details'] });
  });
export type TillEventBody = z.infer<typeof tillEventBodySchema>;

/**
 * A member enrolled at a till (`kind: 'member'`, `type: 'enrol'`). The till
 * makes the member's id and card number (shared/member-card.ts) and sells to
 * the member at once; the server inserts the member when the push arrives,
 * and flags for review (never merges) a phone or e-mail address another
 * member already has. This document is the one way a phone number, an
 * e-mail address or a birth year travels from a till: the till keeps it only
 * in its journal until compaction (db/journal-compaction.ts), never in the
 * member store.
 */
export const enrolmentBodySchema = z.object({
  type: z.literal('enrol'),
  storeId: idTextSchema(64),
  cashierId: idTextSchema(64),
  cardNumber: z.string().regex(/^[0-9A-Z]{4,32}$/, 'a card number: 4–32 digits or capital letters'),
  /** `range`: given out by this till from its own card ranges; `card`: a pre-printed card scanned or typed. */
  cardSource: z.enum(['range', 'card']),
  name: textSchema(120).refine((n) => n.trim().length > 0, 'a name'),
  /** E.164 ("+31612345678"), or '' when the member gave none. */
  phone: z.string().regex(/^(\+[1-9]\d{6,14})?$/, 'a phone number in E.164 form'),
  email: z.union([z.literal(''), z.email().max(254)]),
  /** Day and month (the engine's birthday window); the year only when the member gave it. */
  birthday: z
    .object({
      month: z.number().int().min(1).max(12),
      day: z.number().int().min(1).max(31),
      year: z.number().int().min(1900).max(2099).nullable().default(null),
    })
    .refine((b) => b.day <= daysInMonth(b.month, b.year), { message: 'a day that month has' })
    .nullable()
    .default(null),
  /** Marketing consent as the member gave it: yes or no, when, and the version of the text they were shown. */
  consent: z.object({ marketing: z.boolean(), at: isoTimeSchema, textVersion: idTextSchema(32) }),
  /** The member who referred this one (found by card or phone at enrolment), or null. */
  referrerId: ulidSchema.nullable().default(null),
});
export type EnrolmentBody = z.infer<typeof enrolmentBodySchema>;

/** Days in a month; February has 29 when the year is not known. */
export function daysInMonth(month: number, year: number | null): number {
  if (month === 2) return year === null || (year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0)) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/**
 * A member joined to a household at a till (`kind: 'member'`, `type: 'household-join'`; the document's member is
 * the one who joins): from now on their points go to the household's shared account, the account holder's
 * (`householdId`), and the points they had move there with two `transfer` entries right after this document
 * (none when they had none). A supervisor approves it (`supervisorId`). shared/household.ts builds the three.
 */
export const householdJoinBodySchema = z.object({
  type: z.literal('household-join'),
  storeId: idTextSchema(64),
  cashierId: idTextSchema(64),
  supervisorId: idTextSchema(64),
  householdId: ulidSchema,
  /** The member's own points the till moved to the shared account (their balance as the till saw it). */
  points: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
});
export type HouseholdJoinBody = z.infer<typeof householdJoinBodySchema>;

/**
 * A lost card replaced at a till (`kind: 'member'`, `type: 'card-replace'`): the member keeps their id, balance and
 * history; the old card is blocked (a scan of it finds no one) and the new one, scanned from a new plastic card or
 * numbered from this till's ranges, finds them from now on. A supervisor approves it.
 */
export const cardReplaceBodySchema = z.object({
  type: z.literal('card-replace'),
  storeId: idTextSchema(64),
  cashierId: idTextSchema(64),
  supervisorId: idTextSchema(64),
  oldCardNumber: z.string().min(1).max(40),
  newCardNumber: z.string().regex(/^[0-9A-Z]{4,32}$/, 'a card number: 4–32 digits or capital letters'),
  cardSource: z.enum(['range', 'card']),
});
export type CardReplaceBody = z.infer<typeof cardReplaceBodySchema>;

/**
 * A member's contact details or marketing consent changed at a till (`kind: 'member'`, `type: 'profile-edit'`):
 * only the fields given change (`''` clears a phone or e-mail address). Conflict rule (docs/till.md): per field,
 * the latest edit by its time wins — the till's time for phone and e-mail, the consent's own time for consent —
 * and an edit older than the field's last change is kept for review, not applied.
 */
export const profileEditBodySchema = z
  .object({
    type: z.literal('profile-edit'),
    storeId: idTextSchema(64),
    cashierId: idTextSchema(64),
    phone: z
      .string()
      .regex(/^(\+[1-9]\d{6,14})?$/, 'a phone number in E.164 form')
      .optional(),
    email: z.union([z.literal(''), z.email().max(254)]).optional(),
    consent: z.object({ marketing: z.boolean(), at: isoTimeSchema, textVersion: idTextSchema(32) }).optional(),
  })
  .refine((e) => e.phone !== undefined || e.email !== undefined || e.consent !== undefined, 'a field to change');
export type ProfileEditBody = z.infer<typeof profileEditBodySchema>;

/** What a till writes about a member other than sales and entries (enrolment, a household join, a card replaced). */
export const memberBodySchema = z.discriminatedUnion('type', [
  enrolmentBodySchema,
  householdJoinBodySchema,
  cardReplaceBodySchema,
  profileEditBodySchema,
]);
export type MemberBody = z.infer<typeof memberBodySchema>;

const journalBase = {
  id: ulidSchema,
  tillId: idTextSchema(64),
  /** Per-till (per local database) monotone counter; orders a till's writes without trusting its clock. */
  tillSeq: z.number().int().positive().max(Number.MAX_SAFE_INTEGER),
  /** Till wall-clock time; the server keeps it beside its own receive time (never a checkpoint). */
  at: isoTimeSchema,
  /** '' when the document concerns no member (indexable, unlike null). */
  memberId: z.union([ulidSchema, z.literal('')]),
  _deleted: z.literal(false).default(false),
};

export const journalDocSchema = z.discriminatedUnion('kind', [
  z.object({ ...journalBase, kind: z.literal('sale'), body: saleBodySchema }),
  z.object({ ...journalBase, kind: z.literal('entry'), body: ledgerEntryBodySchema }),
  z.object({ ...journalBase, kind: z.literal('event'), memberId: z.literal(''), body: tillEventBodySchema }),
  z.object({ ...journalBase, kind: z.literal('member'), memberId: ulidSchema, body: memberBodySchema }),
]);
export type JournalDoc = z.infer<typeof journalDocSchema>;
export type SaleDoc = Extract<JournalDoc, { kind: 'sale' }>;
export type EntryDoc = Extract<JournalDoc, { kind: 'entry' }>;
export type EventDoc = Extract<JournalDoc, { kind: 'event' }>;
export type MemberDoc = Extract<JournalDoc, { kind: 'member' }>;
