/**
 * Replicated documents: the shapes that live in the till's RxDB collections
 * and in the server's tables. zod is the single source of truth; the RxDB
 * JSON schemas in src-renderer are checked against these in tests.
 *
 * Down (server -> till): products, members, refdata.  Every down document
 * carries `seq`, the server-assigned sequence it was last written at.
 * Up (till -> server): journal. Journal documents are insert-only: never
 * updated, so replicating them can never conflict.
 */
import { z } from 'zod';
import { currencySchema, minorSchema } from './money';
import { memberStateSchema } from './engine/member-state';

export const ulidSchema = z.string().regex(/^[0-9A-HJKMNP-TV-Z]{26}$/, 'ULID');
export const isoTimeSchema = z.iso.datetime({ offset: true });

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
  seq: z.number().int().nonnegative(),
  _deleted: z.boolean().default(false),
});
export type Product = z.infer<typeof productSchema>;

export const memberSchema = z.object({
  id: ulidSchema,
  cardNumber: z.string().min(1).max(32),
  /** Personal data is kept to the minimum the program needs. */
  name: z.string().max(120),
  phone: z.string().max(32).default(''),
  email: z.string().max(200).default(''),
  storeId: z.string(),
  enrolledAt: isoTimeSchema,
  state: memberStateSchema,
  /**
   * For each till: the highest till sequence number of that till's ledger
   * entries already counted in `state`. The till adds its own entries above
   * this mark to show a balance that is never counted twice.
   */
  tillMarks: z.record(z.string(), z.number().int().nonnegative()).default({}),
  seq: z.number().int().nonnegative(),
  _deleted: z.boolean().default(false),
});
export type Member = z.infer<typeof memberSchema>;

export const refKinds = ['program', 'store', 'till', 'cashier', 'category', 'reward', 'offer'] as const;
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
});
export type Store = z.infer<typeof storeSchema>;

export const tenderSchema = z.object({
  kind: z.enum(['cash', 'card', 'points']),
  amountMinor: minorSchema,
});

export const saleLineSchema = z.object({
  productId: z.string(),
  ean: z.string(),
  name: z.string(),
  quantity: z.number().int().positive(),
  /** Grams for goods sold by weight, else null. */
  grams: z.number().int().positive().nullable(),
  unitPriceMinor: minorSchema,
  amountMinor: minorSchema,
  discountMinor: minorSchema.default(0),
  points: z.number().int().default(0),
  categoryId: z.string(),
});
export type SaleLine = z.infer<typeof saleLineSchema>;

export const ledgerTypes = ['earn', 'redeem', 'bonus', 'expire', 'refund', 'adjust', 'transfer'] as const;
export const ledgerTypeSchema = z.enum(ledgerTypes);

export const ledgerEntryBodySchema = z.object({
  memberId: ulidSchema,
  saleId: ulidSchema.nullable(),
  type: ledgerTypeSchema,
  /** Signed integer points. */
  points: z.number().int(),
  reason: z.string().max(500),
  /** Natural id for one-off grants (e.g. "birthday:<member>:2026"); two tills granting it collapse into one. */
  naturalId: z.string().max(200).nullable().default(null),
  ruleId: z.string().max(100).nullable().default(null),
});
export type LedgerEntryBody = z.infer<typeof ledgerEntryBodySchema>;

/** What a sale changes in the member's state besides points (engine `MemberEffects`). */
export const memberEffectsSchema = z.object({
  stamps: z
    .record(z.string(), z.object({ count: z.number().int().nonnegative(), windowStart: z.string().nullable() }))
    .default({}),
  offerUses: z.record(z.string(), z.number().int().nonnegative()).default({}),
  grants: z.array(z.string()).default([]),
  redeemedPoints: z.number().int().nonnegative().default(0),
  membership: z.object({ planId: z.string(), validUntil: z.string() }).nullable().default(null),
});
export type MemberEffectsBody = z.infer<typeof memberEffectsSchema>;

export const saleBodySchema = z.object({
  storeId: z.string(),
  cashierId: z.string(),
  memberId: ulidSchema.nullable(),
  currency: currencySchema,
  lines: z.array(saleLineSchema).min(1).max(500),
  subtotalMinor: minorSchema,
  discountMinor: minorSchema,
  totalMinor: minorSchema,
  tenders: z.array(tenderSchema).min(1),
  programId: z.string(),
  programVersion: z.number().int().nonnegative(),
  /** The member's `seq` the till quoted against (member-state version). */
  memberSeq: z.number().int().nonnegative().nullable(),
  /** Set on a return: the original sale. */
  refundOf: ulidSchema.nullable().default(null),
  /** Member-state effects (stamps, offer uses, grants, membership), applied by the server in till order. */
  effects: memberEffectsSchema.nullable().default(null),
});
export type SaleBody = z.infer<typeof saleBodySchema>;

const journalBase = {
  id: ulidSchema,
  tillId: z.string().min(1).max(64),
  /** Per-till monotone counter; orders a till's writes without trusting its clock. */
  tillSeq: z.number().int().positive(),
  /** Till wall-clock time, informational only (never a checkpoint). */
  at: isoTimeSchema,
  /** '' when the document concerns no member (indexable, unlike null). */
  memberId: z.union([ulidSchema, z.literal('')]),
  _deleted: z.literal(false).default(false),
};

export const journalDocSchema = z.discriminatedUnion('kind', [
  z.object({ ...journalBase, kind: z.literal('sale'), body: saleBodySchema }),
  z.object({ ...journalBase, kind: z.literal('entry'), body: ledgerEntryBodySchema }),
]);
export type JournalDoc = z.infer<typeof journalDocSchema>;
export type SaleDoc = Extract<JournalDoc, { kind: 'sale' }>;
export type EntryDoc = Extract<JournalDoc, { kind: 'entry' }>;
