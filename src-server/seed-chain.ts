/**
 * A chain-sized demo written straight into the server's database: the
 * members and products of shared/demo-chain.ts on top of the demo store, so
 * a till can be tried (and benchmarked) with a whole chain's data —
 * `KASSA_DEMO_MEMBERS=1000000 KASSA_DEMO_PRODUCTS=50000 npm start`. Tests and
 * benches seed their chains with it too. Rows go in with set-based SQL
 * (unnest of large arrays, one transaction per batch), so a million members
 * take seconds, not the hours a row-at-a-time seed would.
 *
 * Invariants (the same as the server's own writers keep):
 * - Members' phones are stored with their keyed hash under the chain's
 *   current phone key (`phone_hash`, `phone_key_id`), so the server's start
 *   does not re-hash them and tills find members by phone.
 * - Every member with points has an `adjust` ledger entry for its opening
 *   balance, so the ledger sums to the balance (as in seed.ts).
 * - Seqs come from kassa_seq after the transaction announced itself as in
 *   flight, as `stampSeq` draws them (`holdSeqs`, seq.ts), and member
 *   versions are recorded as it records them: pulls stop below a batch still
 *   being written, and re-checks see the rows.
 * - Run it on a database holding the demo data (its store and phone key),
 *   once per database: ids are fixed per index.
 */
import { createHmac } from 'node:crypto';
import {
  chainCardNumber,
  chainFacts,
  chainLedgerId,
  chainMemberId,
  chainName,
  chainPhone,
  chainProduct,
  chainState,
} from '../shared/demo-chain';
import { KassaError } from '../shared/errors';
import type { Db, Query } from './db';
import { currentPhoneKey } from './privacy/phone-keys';
import { holdSeqs, notifyChanged } from './seq';

export type ChainOptions = {
  members: number;
  products: number;
  /** The first member's index (default 0): a later call adds members after those seeded before. */
  firstMember?: number;
  /** Varies names, balances and prices; ids, cards and EANs depend only on the index. */
  seed?: number;
  /** Stores the members belong to, in turn (default: every store in the database). */
  stores?: readonly string[];
  /** Rows per transaction. */
  batch?: number;
  /** Called after each batch with the rows written so far. */
  onProgress?: (table: 'members' | 'products', done: number) => void;
};

/** The state fields every chain member has the same value in (added to what STATE_SQL builds). */
const {
  balance: _b,
  lots: _l,
  tierWindow: _w,
  tier: _t,
  tierSince: _s,
  lastActivityAt: _a,
  ...CONSTANT_STATE
} = chainState({ earned: 0, lots: 0, firstDay: 0, spent: 0, enrolledDay: 0 });

/** An ISO date `days` after 2025-01-01, in SQL. */
function sqlDay(days: string): string {
  return `to_char(date '2025-01-01' + ${days}, 'YYYY-MM-DD')`;
}

/**
 * shared/demo-chain.ts `chainState` in SQL, over the columns earned, lots, first_day and spent (a test
 * compares the two member by member).
 */
const STATE_SQL = `jsonb_build_object(
  'balance', earned - spent,
  'lots', jsonb_build_object(
    'asOf', CASE WHEN lots > 0 THEN ${sqlDay('first_day + (lots - 1) * 30')} END,
    'buckets', COALESCE((SELECT jsonb_object_agg(${sqlDay('first_day + l * 30')},
                                 jsonb_build_array(CASE WHEN l = lots - 1 THEN earned - (earned / lots) * (lots - 1)
                                                        ELSE earned / lots END, 0))
                           FROM generate_series(0, lots - 1) AS l), '{}'::jsonb),
    'spent', spent),
  'tierWindow', jsonb_build_object('spendMinor', earned * 100, 'points', earned),
  'tier', CASE WHEN earned >= 2000 THEN 'gold' WHEN earned >= 500 THEN 'silver' END,
  'tierSince', CASE WHEN earned >= 500 THEN ${sqlDay('first_day')} END,
  'lastActivityAt', CASE WHEN lots > 0 THEN ${sqlDay('first_day + (lots - 1) * 30')} || 'T12:00:00.000Z' END)`;

/**
 * Rows are inserted with their seq drawn from kassa_seq in the INSERT, after the transaction announced
 * itself as `stampSeq` does, instead of inserted and then stamped: stamping rewrites every row a second
 * time, which doubles the seed's time and the table's size for a million members.
 */
async function holdSeqsForSeed(q: Query, kind: Db['kind']): Promise<void> {
  // A seed batch is one big statement: JIT compilation costs more than it saves there.
  if (kind === 'postgres') await q('SET LOCAL jit = off');
  // Pullers stop below this batch's seqs until it commits (seq.ts).
  await holdSeqs(q);
}

/**
 * HMAC-SHA256 of an E.164 number, as shared/phone.ts `phoneHash` computes it (a test checks they agree),
 * with Node's native HMAC: the pure-JavaScript one takes ~40 µs a hash, 40 s for a million members.
 */
export function nativePhoneHash(e164: string, secret: string): string {
  return createHmac('sha256', Buffer.from(secret, 'hex')).update(e164).digest('hex');
}

/** Seeds `members` chain members, from index `firstMember` (default 0), and products 0 to `products` − 1. */
export async function seedChain(db: Db, options: ChainOptions): Promise<{ members: number; products: number }> {
  const batch = options.batch ?? 25_000;
  const seed = options.seed ?? 1;
  const first = options.firstMember ?? 0;
  const stores =
    options.stores ?? (await db.query<{ id: string }>('SELECT id FROM stores ORDER BY id')).map((r) => r.id);
  if (stores.length === 0) throw new Error('seedChain: the database has no store (seed the demo data first)');
  const key = await db.tx((q) => currentPhoneKey(q));

  for (let done = 0; done < options.members; done += batch) {
    const from = first + done;
    const index = Array.from({ length: Math.min(batch, options.members - done) }, (_, k) => from + k);
    const facts = index.map((i) => chainFacts(i, seed));
    const phones = index.map(chainPhone);
    const opening = index.filter((_, k) => facts[k]!.earned !== facts[k]!.spent);
    await db.tx(async (q) => {
      await holdSeqsForSeed(q, db.kind);
      await q(
        `INSERT INTO members (id, card_number, store_id, name, phone, email, enrolled_at, state,
                              phone_hash, phone_key_id, seq)
         SELECT id, card, ($13::text[])[1 + ($14 + n - 1) % array_length($13::text[], 1)], name, phone,
                'chain-' || ($14 + n - 1) || '@example.com',
                ((date '2025-01-01' + enrolled_day)::text || 'T09:00:00Z')::timestamptz,
                ${STATE_SQL} || $11::jsonb, hash, $12, nextval('kassa_seq')
           FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[],
                       $6::int[], $7::int[], $8::int[], $9::int[], $10::int[])
                WITH ORDINALITY AS u(id, card, name, phone, hash, earned, lots, first_day, spent, enrolled_day, n)`,
        [
          index.map(chainMemberId),
          index.map(chainCardNumber),
          index.map((i) => chainName(i, seed)),
          phones,
          phones.map((p) => nativePhoneHash(p, key.secret)),
          facts.map((f) => f.earned),
          facts.map((f) => f.lots),
          facts.map((f) => f.firstDay),
          facts.map((f) => f.spent),
          facts.map((f) => f.enrolledDay),
          JSON.stringify(CONSTANT_STATE),
          key.id,
          [...stores],
          from,
        ],
      );
      await q(
        `INSERT INTO ledger_entries (id, member_id, till_id, sale_id, type, points, reason, till_seq, till_time)
         SELECT l.id, l.member_id, 'seed', NULL, 'adjust', (m.state->>'balance')::bigint,
                'Opening balance (demo data)', 0, m.enrolled_at
           FROM unnest($1::text[], $2::text[]) AS l(id, member_id) JOIN members m ON m.id = l.member_id`,
        [opening.map(chainLedgerId), opening.map(chainMemberId)],
      );
      // What stampSeq does after it draws the seqs: every member version stays readable for re-checks.
      await q(
        `INSERT INTO member_versions (member_id, seq, state)
         SELECT id, seq, state FROM members WHERE id = ANY($1::text[])`,
        [index.map(chainMemberId)],
      );
      // Delivered when the batch commits.
      await notifyChanged(q, 'members');
    });
    options.onProgress?.('members', done + index.length);
  }

  for (let from = 0; from < options.products; from += batch) {
    const to = Math.min(options.products, from + batch);
    const products = Array.from({ length: to - from }, (_, k) => chainProduct(from + k, { seed }));
    await db.tx(async (q) => {
      await holdSeqsForSeed(q, db.kind);
      await q(
        `INSERT INTO products (id, doc, seq)
         SELECT id, doc::jsonb, nextval('kassa_seq') FROM unnest($1::text[], $2::text[]) AS u(id, doc)`,
        [products.map((p) => p.id), products.map((p) => JSON.stringify(p))],
      );
      await notifyChanged(q, 'products');
    });
    options.onProgress?.('products', to);
  }
  return { members: options.members, products: options.products };
}

/** `KASSA_DEMO_MEMBERS` / `KASSA_DEMO_PRODUCTS`: non-negative integers, 0 when unset. */
export function chainSizeFromEnv(env: Record<string, string | undefined>): { members: number; products: number } {
  const read = (name: string) => {
    const raw = env[name];
    if (raw === undefined || raw === '') return 0;
    if (!/^\d{1,8}$/.test(raw))
      throw new KassaError('CONFIG_INVALID', `${name} must be a whole number of at most 8 digits, not "${raw}"`);
    return Number(raw);
  };
  return { members: read('KASSA_DEMO_MEMBERS'), products: read('KASSA_DEMO_PRODUCTS') };
}
