/**
 * RxDB JSON schemas of the till's collections. Two collections (the free
 * RxDB edition allows ~13 per process): one down (refdata) and one up
 * (journal). Shapes follow shared/documents.ts; a unit test keeps the
 * required fields of both in step. Members and products are not RxDB
 * collections any more: they live in their own IndexedDB databases
 * (member-store.ts, catalog.ts), written by the till's data worker.
 * `legacyMemberSchema` and `legacyProductSchema` are kept only to remove the
 * collections earlier builds left on disk (database.ts).
 *
 * Schema versions start at 0. A change bumps `version` and adds a migration
 * strategy (`migrationStrategies` below, used by database.ts); the journal's
 * unsynced documents survive every migration. A down collection whose version
 * changed pulls again from the start (replication.ts), because documents
 * migrated locally may lack what the new version needs.
 *
 * Members (legacy), version 1: no phone and no e-mail on the till any more,
 * only the phone's keyed hash (shared/phone.ts), indexed for lookup.
 */
import type { RxJsonSchema } from 'rxdb';
import type { JournalDoc, Member, Product, RefDoc } from '../../../shared/documents';

/** Stored shapes: RxDB keeps `_deleted` itself. */
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
export type ProductRow = Omit<Product, '_deleted'>;
export type MemberRow = Omit<Member, '_deleted'>;
export type RefRow = Omit<RefDoc, '_deleted'>;
export type JournalRow = DistributiveOmit<JournalDoc, '_deleted'>;

const seq = { type: 'integer', minimum: 0, maximum: 1e15, multipleOf: 1 } as const;

/** Products as earlier builds kept them in RxDB (removed on open: database.ts); now in catalog.ts. */
export const legacyProductSchema: RxJsonSchema<Omit<ProductRow, 'taxRateBp'>> = {
  version: 0,
  primaryKey: 'id',
  type: 'object',
  properties: {
    id: { type: 'string', maxLength: 64 },
    ean: { type: 'string', maxLength: 14 },
    name: { type: 'string' },
    priceMinor: { type: 'integer' },
    currency: { type: 'string' },
    categoryId: { type: 'string' },
    unit: { type: 'string', enum: ['each', 'kg'] },
    tags: { type: 'array', items: { type: 'string' } },
    seq,
  },
  required: ['id', 'ean', 'name', 'priceMinor', 'currency', 'categoryId', 'unit', 'seq'],
  indexes: ['ean'],
};

export const legacyMemberSchema: RxJsonSchema<MemberRow> = {
  version: 1,
  primaryKey: 'id',
  type: 'object',
  properties: {
    id: { type: 'string', maxLength: 26 },
    cardNumber: { type: 'string', maxLength: 32 },
    name: { type: 'string' },
    phoneHash: { type: 'string', maxLength: 64 },
    storeId: { type: 'string' },
    enrolledAt: { type: 'string' },
    state: { type: 'object' },
    tillMarks: { type: 'object' },
    seq,
  },
  required: ['id', 'cardNumber', 'name', 'phoneHash', 'storeId', 'enrolledAt', 'state', 'tillMarks', 'seq'],
  indexes: ['cardNumber', 'phoneHash'],
};

/** A member as version 0 stored it: with the phone number and e-mail address. */
export type MemberRowV0 = Omit<MemberRow, 'phoneHash'> & { phone?: string; email?: string };

/**
 * Version 0 -> 1: the phone number and e-mail address leave the till. The hash is not made here (the till
 * may not hold the key yet); the members collection pulls again from the start and gets it from the server.
 */
export function memberToV1(doc: MemberRowV0): MemberRow {
  const { phone: _phone, email: _email, ...rest } = doc;
  return { ...rest, phoneHash: '' };
}

/** Migration strategies per collection, by the version they migrate to. */
export const migrationStrategies = {
  products: {},
  members: { 1: memberToV1 },
  refdata: {},
  // Versions 1 and 2 only widened `kind` (staff events, enrolments): every stored document is valid as it is.
  journal: { 1: (doc: JournalRow) => doc, 2: (doc: JournalRow) => doc },
} as const;

export const refdataSchema: RxJsonSchema<RefRow> = {
  version: 0,
  primaryKey: 'id',
  type: 'object',
  properties: {
    id: { type: 'string', maxLength: 128 },
    kind: { type: 'string', maxLength: 32 },
    key: { type: 'string' },
    data: { type: 'object' },
    seq,
  },
  required: ['id', 'kind', 'key', 'data', 'seq'],
  indexes: ['kind'],
};

export const journalSchema: RxJsonSchema<JournalRow> = {
  // 1: staff events (kind 'event') beside sales and entries; 2: enrolments (kind 'member').
  version: 2,
  primaryKey: 'id',
  type: 'object',
  properties: {
    id: { type: 'string', maxLength: 26 },
    kind: { type: 'string', enum: ['sale', 'entry', 'event', 'member'], maxLength: 8 },
    tillId: { type: 'string' },
    tillSeq: { type: 'integer', minimum: 1, maximum: 1e15, multipleOf: 1 },
    at: { type: 'string' },
    memberId: { type: 'string', maxLength: 26 },
    body: { type: 'object' },
  },
  required: ['id', 'kind', 'tillId', 'tillSeq', 'at', 'memberId', 'body'],
  // `kind` + tillSeq: the members enrolled here, found without reading every sale (db/enrolment.ts).
  indexes: ['tillSeq', ['memberId', 'tillSeq'], ['kind', 'tillSeq']],
};
