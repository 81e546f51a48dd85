/**
 * Enrolling a member at the till, online or not (shared/enrolment.ts).
 *
 * - The enrolment and its sign-up bonus are one `bulkInsert` into the
 *   journal: both or neither. They reach the server with the next push, like
 *   a sale, exactly once.
 * - A new card's number comes from this till's own ranges (`till:<id>` in
 *   reference data, shared/member-card.ts), so two tills enrolling through
 *   the same outage never give out the same number. The last number given is
 *   kept in a local document; numbers the member store already holds are
 *   skipped (a till whose database was replaced starts again from its
 *   ranges' start and must not hand out a number it gave before).
 * - A plastic card scanned into the form keeps its printed number; one the
 *   till already knows is refused (`CARD_IN_USE`) before anything is written.
 * - Until the server's record arrives, the till finds a member it enrolled
 *   from its journal (`LocalMembers`): by card, by phone hash and by id, as a
 *   provisional record (seq 0, mark 0) that every later sale is counted on
 *   top of. The server's record, once pulled, replaces it.
 * - Enrolments on one database run one at a time, so two can never take the
 *   same number.
 */
import { monotonicFactory } from 'ulid';
import { refDocSchema, type StoreConfig } from '../../../shared/documents';
import type { Program } from '../../../shared/engine';
import type { MemberDoc } from '../../../shared/documents';
import { enrolmentBody, enrolmentDocuments, provisionalRecord, type EnrolmentForm } from '../../../shared/enrolment';
import { KassaError } from '../../../shared/errors';
import type { MemberRecord } from '../../../shared/member-snapshot';
import { nameKeyParts } from '../../../shared/member-name';
import {
  cardsLeft,
  CARD_RANGE_LOW_WATER,
  nextCardNumber,
  tillRefSchema,
  type TillRef,
} from '../../../shared/member-card';
import { memberPhoneHash } from '../../../shared/phone';
import type { TillDatabase } from './database';
import type { MemberStore } from './member-store';
import { takeTillSeqs } from './sales';

const nextId = monotonicFactory();
/** The last card number this database gave out from its ranges. */
const CARD_DOC = 'card-counter';
const queues = new WeakMap<TillDatabase, Promise<unknown>>();

/** This till's reference document (its card ranges), or null before the server has sent one. */
export async function readTillRef(db: TillDatabase, tillId: string): Promise<TillRef | null> {
  const doc = await db.refdata.findOne(`till:${tillId}`).exec();
  if (!doc) return null;
  const r = tillRefSchema.safeParse(refDocSchema.shape.data.parse(doc.data));
  return r.success ? r.data : null;
}

async function lastCardGiven(db: TillDatabase): Promise<string | null> {
  const doc = await db.journal.getLocal<{ last: string }>(CARD_DOC);
  return (doc?.get('last') as string | undefined) ?? null;
}

export type CardSupply = { next: string | null; left: number; low: boolean };

/** The number the next new card gets, how many are left in this till's ranges, and whether that is running low. */
export async function cardSupply(db: TillDatabase, ref: TillRef | null): Promise<CardSupply> {
  if (!ref) return { next: null, left: 0, low: true };
  const last = await lastCardGiven(db);
  const left = cardsLeft(ref.cardRanges, last);
  return { next: nextCardNumber(ref.cardRanges, last), left, low: left < CARD_RANGE_LOW_WATER };
}

export type EnrolContext = {
  tillId: string;
  storeId: string;
  cashierId: string;
  config: Pick<StoreConfig, 'country' | 'phoneKeys'> | null;
  program: Program | null;
  ref: TillRef | null;
  /** Where members are found: the member store, then those enrolled here (`withLocalMembers`). */
  members: MemberFinder;
};

export type Enrolled = { member: MemberRecord; bonusPoints: number };

/**
 * Enrols a member: the form checked field by field (ENROL_FIELD_INVALID with `details.field`), the card numbered
 * from the ranges or taken as scanned (CARD_IN_USE, CARD_RANGE_EXHAUSTED), the enrolment and its sign-up bonus
 * written together. Nothing is written when anything is refused.
 */
export function enrolMember(db: TillDatabase, form: EnrolmentForm, ctx: EnrolContext): Promise<Enrolled> {
  const run = (queues.get(db) ?? Promise.resolve()).then(() => enrolNow(db, form, ctx));
  queues.set(
    db,
    run.catch(() => undefined),
  );
  return run;
}

async function enrolNow(db: TillDatabase, form: EnrolmentForm, ctx: EnrolContext): Promise<Enrolled> {
  const at = new Date().toISOString();
  const card = await pickCard(db, ctx, form.cardSource, form.cardNumber);
  const body = enrolmentBody(
    { ...form, cardNumber: card },
    { storeId: ctx.storeId, cashierId: ctx.cashierId, country: ctx.config?.country ?? null, at },
  );
  if (body.referrerId && !(await ctx.members.byId(body.referrerId)))
    throw new KassaError('REFERRER_NOT_FOUND', `No member ${body.referrerId} to refer`, { field: 'referrerId' });
  const memberId = nextId();
  const seqs = await takeTillSeqs(db, 2);
  const { member, bonus } = enrolmentDocuments(
    { tillId: ctx.tillId, at },
    body,
    ctx.program,
    { memberId, entryId: nextId() },
    [seqs[0]!, seqs[1]!],
  );
  const rows = [member, ...(bonus ? [bonus] : [])].map(({ _deleted: _, ...row }) => row);
  const result = await db.journal.bulkInsert(rows);
  if (result.error.length > 0) throw new Error(`Could not record the enrolment: ${result.error[0]!.status}`);
  if (form.cardSource === 'range') await rememberCardGiven(db, card);
  const record = provisionalRecord(memberId, body, at, phoneHashFor(body.phone, ctx.config));
  return { member: record, bonusPoints: bonus ? bonus.body.points : 0 };
}

async function cardKnown(ctx: Pick<EnrolContext, 'members'>, card: string): Promise<boolean> {
  return (await ctx.members.byCard(card)) !== null || ((await ctx.members.blocked?.(card)) ?? false);
}

/**
 * The card a new or replaced membership gets: the next free number of this till's ranges (`range`), or the one
 * scanned or typed (`card`). Throws CARD_IN_USE (a member holds it, or it was blocked) or CARD_RANGE_EXHAUSTED.
 * A number from the ranges counts as given once the caller has written it (`rememberCardGiven`).
 */
export async function pickCard(
  db: TillDatabase,
  ctx: Pick<EnrolContext, 'members' | 'ref'>,
  source: 'range' | 'card',
  typed: string,
): Promise<string> {
  if (source === 'card') {
    const card = typed.trim();
    if (await cardKnown(ctx, card))
      throw new KassaError('CARD_IN_USE', `Card ${card} already belongs to a member`, { field: 'cardNumber' });
    return card;
  }
  if (!ctx.ref)
    throw new KassaError('CARD_RANGE_EXHAUSTED', 'This till has no card numbers yet: it gets them from the server');
  let last = await lastCardGiven(db);
  for (;;) {
    const next = nextCardNumber(ctx.ref.cardRanges, last);
    if (next === null)
      throw new KassaError('CARD_RANGE_EXHAUSTED', 'This till has given out every card number it was sent');
    last = next;
    if (!(await cardKnown(ctx, next))) return next;
  }
}

/** Marks a number from the ranges as given (the next `pickCard` goes on after it). */
export async function rememberCardGiven(db: TillDatabase, card: string): Promise<void> {
  await db.journal.upsertLocal(CARD_DOC, { last: card });
}

function phoneHashFor(phone: string, config: Pick<StoreConfig, 'country' | 'phoneKeys'> | null): string {
  const key = config?.phoneKeys[0];
  return phone === '' || !key ? '' : memberPhoneHash(phone, config.country, key.secret);
}

/** Members this till enrolled whose server record it does not hold yet. */
export type LocalMembers = {
  byCard: (card: string) => Promise<MemberRecord | null>;
  byId: (id: string) => Promise<MemberRecord | null>;
  byPhoneHashes: (hashes: readonly string[]) => Promise<MemberRecord[]>;
  byNamePrefix: (prefix: string, limit: number) => Promise<{ members: MemberRecord[]; more: boolean }>;
  /** Cards replaced at this till: the old numbers (blocked) and the new ones, by card and by member. */
  replacedCards: () => Promise<ReplacedCards>;
  /** Phones given in this till's profile edits, as lookup hashes, and whose they are. */
  editedPhones: () => Promise<Map<string, string>>;
};

export type ReplacedCards = {
  blocked: Set<string>;
  byCard: Map<string, string>;
  byMember: Map<string, string>;
};

/**
 * The members enrolled on this database that the member store does not hold yet, read from the journal (a handful:
 * each leaves as soon as its record is pulled). `config` gives the phone key their phones are hashed with.
 */
export function localMembers(
  db: TillDatabase,
  store: MemberStore,
  config: Pick<StoreConfig, 'country' | 'phoneKeys'> | null,
): LocalMembers {
  async function pending(): Promise<MemberRecord[]> {
    const docs = await db.journal.find({ selector: { kind: 'member', tillSeq: { $gt: 0 } } }).exec();
    const out: MemberRecord[] = [];
    for (const d of docs) {
      const doc = d.toJSON() as unknown as MemberDoc;
      if (doc.body.type !== 'enrol' || (await store.byId(doc.memberId))) continue;
      out.push(provisionalRecord(doc.memberId, doc.body, doc.at, phoneHashFor(doc.body.phone, config)));
    }
    return out;
  }
  async function replacedCards(): Promise<ReplacedCards> {
    const docs = await db.journal.find({ selector: { kind: 'member', tillSeq: { $gt: 0 } } }).exec();
    const out: ReplacedCards = { blocked: new Set(), byCard: new Map(), byMember: new Map() };
    for (const d of docs) {
      const doc = d.toJSON() as unknown as MemberDoc;
      if (doc.body.type !== 'card-replace') continue;
      out.blocked.add(doc.body.oldCardNumber);
      out.byCard.set(doc.body.newCardNumber, doc.memberId);
      out.byMember.set(doc.memberId, doc.body.newCardNumber);
    }
    return out;
  }
  async function editedPhones(): Promise<Map<string, string>> {
    const docs = await db.journal.find({ selector: { kind: 'member', tillSeq: { $gt: 0 } } }).exec();
    const out = new Map<string, string>();
    for (const d of docs) {
      const doc = d.toJSON() as unknown as MemberDoc;
      if (doc.body.type === 'profile-edit' && doc.body.phone)
        out.set(phoneHashFor(doc.body.phone, config), doc.memberId);
    }
    out.delete('');
    return out;
  }
  return {
    replacedCards,
    editedPhones,
    byCard: async (card) => (await pending()).find((m) => m.cardNumber === card) ?? null,
    byId: async (id) => (await pending()).find((m) => m.id === id) ?? null,
    byPhoneHashes: async (hashes) =>
      (await pending()).filter((m) => m.phoneHash !== '' && hashes.includes(m.phoneHash)),
    byNamePrefix: async (prefix, limit) => {
      if (prefix === '') return { members: [], more: false };
      const found = (await pending()).filter((m) => nameKeyParts(m.name).some((part) => part.startsWith(prefix)));
      return { members: found.slice(0, limit), more: found.length > limit };
    },
  };
}

export type MemberFinder = Pick<MemberStore, 'byCard' | 'byId' | 'byPhoneHashes' | 'byNamePrefix'> & {
  /** Whether a card was replaced at this till (reported lost): it finds no one. */
  blocked?: (card: string) => Promise<boolean>;
};

/** The member store, and then the members enrolled here that it does not hold yet. */
export function withLocalMembers(store: MemberStore, local: LocalMembers): MemberFinder {
  /** A member with the card this till gave them in place of a lost one (until the server's record has it). */
  async function current(m: MemberRecord | null): Promise<MemberRecord | null> {
    const card = m ? (await local.replacedCards()).byMember.get(m.id) : undefined;
    return m && card ? { ...m, cardNumber: card } : m;
  }
  return {
    byCard: async (card) => {
      const replaced = await local.replacedCards();
      if (replaced.blocked.has(card)) return null;
      const moved = replaced.byCard.get(card);
      if (moved) return current((await store.byId(moved)) ?? (await local.byId(moved)));
      return current((await store.byCard(card)) ?? (await local.byCard(card)));
    },
    blocked: async (card) => (await local.replacedCards()).blocked.has(card),
    byId: async (id) => current((await store.byId(id)) ?? (await local.byId(id))),
    byPhoneHashes: async (hashes) => {
      const found = [...(await store.byPhoneHashes(hashes)), ...(await local.byPhoneHashes(hashes))];
      // A phone given at this till in a profile edit finds its member before the server's record has it.
      for (const [hash, id] of await local.editedPhones())
        if (hashes.includes(hash) && !found.some((m) => m.id === id)) {
          const m = (await store.byId(id)) ?? (await local.byId(id));
          if (m) found.push(m);
        }
      return Promise.all(found.map(current)).then((ms) => ms.filter((m): m is MemberRecord => m !== null));
    },
    byNamePrefix: async (prefix, limit) => {
      const held = await store.byNamePrefix(prefix, limit);
      if (held.members.length >= limit) return held;
      const mine = await local.byNamePrefix(prefix, limit - held.members.length);
      return { members: [...held.members, ...mine.members], more: held.more || mine.more };
    },
  };
}
