/**
 * A chain-sized demo: extra members and products on top of the demo store,
 * so a till can be tried (and benchmarked) with a whole chain's data —
 * `KASSA_DEMO_MEMBERS=1000000 KASSA_DEMO_PRODUCTS=50000 npm start`.
 *
 * Deterministic: member i has card `chainCardNumber(i)` (prefix 299, so it
 * scans as a member card), phone `chainPhone(i)` (kept only as its keyed
 * hash on tills), a small opening balance backed by a ledger entry, like the
 * demo members. Rows go in with multi-row INSERTs of BATCH rows, each batch
 * one transaction whose rows draw their replication seqs in the INSERT
 * (announced first with `holdSeqs`, seq.ts, so pulls stop below a batch
 * until it commits), so the server answers while a large chain is being
 * seeded and a till can start pulling at once.
 */
import { withCheckDigit } from '../shared/barcode';
import { emptyMemberState } from '../shared/engine';
import { KassaError } from '../shared/errors';
import { memberPhoneHash } from '../shared/phone';
import type { Db } from './db';
import { currentPhoneKey } from './privacy/phone-keys';
import { DEMO_STORE_ID } from './seed';
import { holdSeqs, notifyChanged } from './seq';

const BATCH = 10_000;
/** Chain members are numbered from 1; their cards and ids never meet the 20 demo members'. */
const CARD_BASE = 1_000_000;

export function chainCardNumber(i: number): string {
  return withCheckDigit(`299${String(CARD_BASE + i).padStart(9, '0')}`);
}

export function chainMemberId(i: number): string {
  // A ULID: the time part of 2026-01-02 and the member number in Crockford digits.
  return `01KDYR2Q00${String(i).padStart(16, '0')}`;
}

export function chainPhone(i: number): string {
  return `+3165${String(i).padStart(7, '0')}`;
}

export function chainProductEan(i: number): string {
  return withCheckDigit(`872${String(i).padStart(9, '0')}`);
}

const CATEGORIES = ['dairy', 'bakery', 'produce', 'drinks', 'snacks', 'household', 'coffee'];

/**
 * Seeds `members` chain members, numbered from `firstMember` (default 1), and `products` extra products (ids
 * above those that exist).
 */
export async function seedChain(
  db: Db,
  counts: { members: number; products: number; firstMember?: number },
): Promise<void> {
  const key = await db.tx((q) => currentPhoneKey(q));
  const start = counts.firstMember ?? 1;
  const end = start + counts.members;
  for (let from = start; from < end; from += BATCH) {
    const n = Math.min(BATCH, end - from);
    const ids: string[] = [];
    const cards: string[] = [];
    const names: string[] = [];
    const phones: string[] = [];
    const hashes: string[] = [];
    const states: string[] = [];
    for (let i = from; i < from + n; i++) {
      const opening = (i * 37) % 500;
      ids.push(chainMemberId(i));
      cards.push(chainCardNumber(i));
      names.push(`Chain member ${i}`);
      phones.push(chainPhone(i));
      hashes.push(memberPhoneHash(chainPhone(i), 'NL', key.secret));
      states.push(
        JSON.stringify({
          ...emptyMemberState(),
          balance: opening,
          tierWindow: { spendMinor: opening * 100, points: opening },
          lots:
            opening > 0
              ? { asOf: '2026-01-02', buckets: { '2026-01-02': [opening, 0] }, spent: 0 }
              : { asOf: null, buckets: {}, spent: 0 },
        }),
      );
    }
    await db.tx(async (q) => {
      await holdSeqs(q);
      await q(
        `INSERT INTO members (id, card_number, store_id, name, phone, phone_hash, phone_key_id, enrolled_at, state, seq)
         SELECT id, card, $7, name, phone, hash, $8, '2026-01-02T00:00:00Z', state::jsonb, nextval('kassa_seq')
           FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[])
                AS t(id, card, name, phone, hash, state)`,
        [ids, cards, names, phones, hashes, states, DEMO_STORE_ID, key.id],
      );
      // Opening balances are backed by ledger entries, so the ledger sums to every balance.
      await q(
        `INSERT INTO ledger_entries (id, member_id, till_id, sale_id, type, points, reason, till_seq, till_time)
         SELECT '01KDYR2Q01' || substr(id, 11), id, 'seed', NULL, 'adjust', (state::jsonb->>'balance')::int,
                'Opening balance (demo data)', 0, '2026-01-02T00:00:00Z'
           FROM unnest($1::text[], $2::text[]) AS t(id, state) WHERE (state::jsonb->>'balance')::int > 0`,
        [ids, states],
      );
      // What stampSeq records after it draws: every member version stays readable for re-checks.
      await q(
        `INSERT INTO member_versions (member_id, seq, state, till_marks)
         SELECT id, seq, state, till_marks FROM members WHERE id = ANY($1::text[])`,
        [ids],
      );
      await notifyChanged(q, 'members');
    });
  }
  const [top] = await db.query<{ n: string | number }>('SELECT count(*) AS n FROM products');
  const first = Number(top?.n ?? 0) + 1;
  for (let from = 0; from < counts.products; from += BATCH) {
    const n = Math.min(BATCH, counts.products - from);
    const ids: string[] = [];
    const docs: string[] = [];
    for (let k = from; k < from + n; k++) {
      const i = first + k;
      const id = `p-${String(i).padStart(6, '0')}`;
      ids.push(id);
      docs.push(
        JSON.stringify({
          id,
          ean: chainProductEan(i),
          name: `Chain product ${i}`,
          priceMinor: 50 + ((i * 53) % 2000),
          currency: 'EUR',
          categoryId: CATEGORIES[i % CATEGORIES.length],
          unit: 'each',
          tags: [],
        }),
      );
    }
    await db.tx(async (q) => {
      await holdSeqs(q);
      await q(
        `INSERT INTO products (id, doc, seq)
         SELECT id, doc::jsonb, nextval('kassa_seq') FROM unnest($1::text[], $2::text[]) AS t(id, doc)`,
        [ids, docs],
      );
      await notifyChanged(q, 'products');
    });
  }
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
