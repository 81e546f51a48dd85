/**
 * Demo data, written once into an empty database: one store, one till with a
 * one-time enrolment code, a cashier, ~50 products, 20 members and the
 * supermarket program from examples/ with this week's promotions (care 3 for
 * 2, household 2.00 off 10.00, the promo codes WEEK10 and WELCOME5). Ids are
 * deterministic so the demo is the same on every machine.
 *
 * When to seed is decided by `decideDemoSeed`: only into a database this
 * start created (no Kassa tables before migrations), or, with
 * KASSA_SEED=force, into one that has Kassa tables but no store. Never into
 * a database that has a store, and never because data went missing.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { encodeTime } from 'ulid';
import { withCheckDigit } from '../shared/barcode';
import type { Product, Store } from '../shared/documents';
import { emptyMemberState } from '../shared/engine/member-state';
import { validateProgram, type Program, type ProgramInput } from '../shared/engine/program';
import { addDays, addMonths, localParts } from '../shared/engine/time';
import { earnLot } from '../shared/ledger/lots';
import { KassaError } from '../shared/errors';
import type { Db, Query } from './db';
import { sha256 } from './auth';
import { insertStaff } from './admin/staff';
import { ensureCardRanges } from './admin/card-ranges';
import { publishCouponBatch } from './admin/coupons';
import { publishGiftCards } from './admin/gift-cards';
import { couponCode } from '../shared/coupons';
import { emptyGiftCard, type GiftCardState } from '../shared/gift-cards';
import { stampSeq } from './seq';
import { currentPhoneKey, publishStores, rehashPhones } from './privacy/phone-keys';

export const DEMO_STORE_ID = 'store-1';
/** The demo store's staff and their PINs (printed by `npm start`; a real store sets PINs through the admin API). */
export const DEMO_STAFF = [
  { id: 'cashier-1', name: 'Sam Cashier', role: 'cashier', pin: '1234' },
  { id: 'supervisor-1', name: 'Alex Supervisor', role: 'supervisor', pin: '2580' },
] as const;
export const DEMO_TILL_ID = 'till-1';
export const DEMO_ENROL_CODE = 'DEMO-TILL-1';

/** The demo store's VAT (the Netherlands): 9 % on food and drink, 21 % on the rest; gift cards carry none. */
const FOOD_CATEGORIES = new Set([
  'bakery',
  'coffee',
  'dairy',
  'drinks',
  'fish',
  'frozen',
  'meat',
  'pantry',
  'produce',
  'snacks',
]);
function demoTaxRateBp(categoryId: string): number {
  if (categoryId === 'gift-cards') return 0;
  return FOOD_CATEGORIES.has(categoryId) ? 900 : 2100;
}

/** Goods a till rings up from a quick key (no barcode on them): tagged, and the till shows them as keys. */
const QUICK = ['quick-key'];
const CATALOGUE: Array<[string, number, string, 'each' | 'kg', string[]?]> = [
  ['Whole milk 1 l', 119, 'dairy', 'each'],
  ['Semi-skimmed milk 1 l', 109, 'dairy', 'each'],
  ['Greek yoghurt 500 g', 229, 'dairy', 'each'],
  ['Butter 250 g', 279, 'dairy', 'each'],
  ['Gouda slices 200 g', 319, 'dairy', 'each'],
  ['Free-range eggs 10', 389, 'dairy', 'each'],
  ['Sourdough loaf', 349, 'bakery', 'each'],
  ['Wholemeal bread', 259, 'bakery', 'each'],
  ['Croissants 4 pack', 299, 'bakery', 'each', QUICK],
  ['Coffee beans 1 kg', 1499, 'coffee', 'each'],
  ['Ground coffee 500 g', 699, 'coffee', 'each'],
  ['Espresso capsules 20', 549, 'coffee', 'each'],
  ['Green tea 20 bags', 249, 'drinks', 'each'],
  ['Orange juice 1 l', 239, 'drinks', 'each'],
  ['Sparkling water 6 × 1.5 l', 399, 'drinks', 'each'],
  ['Cola 1.5 l', 189, 'drinks', 'each'],
  ['Red wine 75 cl', 799, 'drinks', 'each'],
  ['Pilsner 6 pack', 549, 'drinks', 'each'],
  ['Spaghetti 500 g', 129, 'pantry', 'each'],
  ['Basmati rice 1 kg', 299, 'pantry', 'each'],
  ['Chopped tomatoes 400 g', 89, 'pantry', 'each'],
  ['Olive oil 500 ml', 649, 'pantry', 'each'],
  ['Peanut butter 350 g', 329, 'pantry', 'each'],
  ['Muesli 750 g', 379, 'pantry', 'each'],
  ['Dark chocolate 100 g', 199, 'pantry', 'each'],
  ['Sea salt crisps 150 g', 219, 'snacks', 'each'],
  ['Salted peanuts 300 g', 249, 'snacks', 'each'],
  ['Chicken breast 500 g', 699, 'meat', 'each'],
  ['Minced beef 500 g', 599, 'meat', 'each'],
  ['Salmon fillet 250 g', 799, 'fish', 'each'],
  ['Bananas', 199, 'produce', 'kg', QUICK],
  ['Apples Elstar', 279, 'produce', 'kg', QUICK],
  ['Tomatoes on the vine', 399, 'produce', 'kg'],
  ['Potatoes', 149, 'produce', 'kg'],
  ['Carrots', 129, 'produce', 'kg'],
  ['Avocado', 119, 'produce', 'each', QUICK],
  ['Lemons 4 pack', 169, 'produce', 'each', QUICK],
  ['Cucumber', 79, 'produce', 'each', QUICK],
  ['Washing-up liquid', 229, 'household', 'each'],
  ['Toilet paper 8 rolls', 449, 'household', 'each'],
  ['Laundry detergent 1.5 l', 899, 'household', 'each'],
  ['Kitchen roll 2 rolls', 249, 'household', 'each'],
  ['Toothpaste 75 ml', 199, 'care', 'each'],
  ['Shampoo 300 ml', 379, 'care', 'each'],
  ['Hand soap 250 ml', 179, 'care', 'each'],
  ['Sunflower seeds 200 g', 159, 'pantry', 'each'],
  ['Frozen pizza margherita', 349, 'frozen', 'each'],
  ['Ice cream vanilla 1 l', 449, 'frozen', 'each'],
  ['Cigarettes 20', 880, 'tobacco', 'each', ['tobacco']],
  ['Gift card 25 EUR', 2500, 'gift-cards', 'each', ['gift-card']],
  // The supermarket program's paid membership, sold as a basket line (its fee): the term starts with the sale.
  ['Plus membership 12 months', 2500, 'memberships', 'each', ['membership:plus']],
];

/** How many products the demo catalogue holds. */
export const DEMO_PRODUCT_COUNT = CATALOGUE.length;

export const MEMBER_NAMES = [
  'Anna de Vries',
  'Bram Jansen',
  'Chloé Martin',
  'Daan Bakker',
  'Eva Visser',
  'Finn Smit',
  'Greta Meijer',
  'Hugo Mulder',
  'Iris de Boer',
  'Иван Петров',
  'Ирина Петрова',
  'Lars Peters',
  'Mila Hendriks',
  'Noah van Dijk',
  'Olivia Dekker',
  'Zoë Çelik',
  'Queenie de Wit',
  'Ruben Dijkstra',
  'Sara Smits',
  'Tom de Graaf',
];

/** Deterministic ULID: a fixed time, then the counter in Crockford base 32. */
const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
export const demoUlid = (n: number): string => {
  let random = '';
  for (let v = n, i = 0; i < 16; i++, v = Math.floor(v / 32)) random = CROCKFORD[v % 32]! + random;
  return `${encodeTime(Date.UTC(2026, 0, 1))}${random}`;
};

export const demoCardNumber = (n: number): string => withCheckDigit(`299${String(n).padStart(9, '0')}`);
/** Demo member n's phone, as head office holds it (tills get only its keyed hash). */
export const demoPhone = (n: number): string => `+316${String(10000000 + n - 1)}`;
export const demoPlu = (n: number): string => String(n).padStart(5, '0');
export const demoProductEan = (n: number): string => withCheckDigit(`871000${String(n).padStart(6, '0')}`);

const upsertRef = async (q: Query, kind: string, key: string, data: unknown): Promise<string> => {
  const id = `${kind}:${key}`;
  await q(
    `INSERT INTO refdata (id, kind, key, data, seq) VALUES ($1, $2, $3, $4, 0)
     ON CONFLICT (id) DO UPDATE SET data = EXCLUDED.data`,
    [id, kind, key, JSON.stringify(data)],
  );
  return id;
};

export const loadProgramFile = async (path: string) => {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw new KassaError('PROGRAM_INVALID', `The demo program ${path} is missing or unreadable: cannot seed`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new KassaError('PROGRAM_INVALID', `The demo program ${path} is not valid JSON: cannot seed`);
  }
  const parsed = validateProgram(json);
  if (!parsed.ok) {
    throw new KassaError(
      'PROGRAM_INVALID',
      `Program ${path} is invalid: ${parsed.issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`,
    );
  }
  return parsed.program;
};

/** KASSA_SEED: unset/`1`/`demo` seed a new database (the default: `npm start` is a demo), `0` never, `force` also an existing one without a store. */
export type SeedMode = 'off' | 'demo' | 'force';

export function parseSeedMode(value: string | undefined): SeedMode {
  const v = (value ?? '').trim().toLowerCase();
  if (v === '' || v === '1' || v === 'demo') return 'demo';
  if (v === '0' || v === 'off') return 'off';
  if (v === 'force') return 'force';
  throw new KassaError('CONFIG_INVALID', `KASSA_SEED must be 0, 1, demo or force, not ${JSON.stringify(value)}`);
}

export type SeedDecision = { seed: boolean; note?: string };

/**
 * Whether this start writes the demo data. `fresh`: no Kassa tables existed before this start's
 * migrations; `hasStore`: a store exists now. `note` is a line for the log when the answer needs saying.
 */
export function decideDemoSeed(input: { mode: SeedMode; fresh: boolean; hasStore: boolean }): SeedDecision {
  if (input.mode === 'off' || input.hasStore) return { seed: false };
  if (input.fresh) return { seed: true };
  if (input.mode === 'force') {
    return { seed: true, note: 'KASSA_SEED=force: seeding demo data into an existing database that has no store' };
  }
  return {
    seed: false,
    note: 'The database has Kassa tables but no store: not seeding demo data (set KASSA_SEED=force to seed it)',
  };
}

/** The demo member whose points partly expire soon (Daan Bakker): the receipt and member panel show it. */
export const DEMO_EXPIRING_MEMBER = 4;
export const DEMO_EXPIRING_POINTS = 150;

/**
 * A demo member's opening points as lots by earn day: all earned on 2026-01-01, except that member 4 earned
 * some of theirs so long ago that they expire in ten days from today (under the program's expiry in months).
 */
function openingLots(
  index: number,
  opening: number,
  program: Program,
  timeZone: string,
): Array<{ day: string; points: number }> {
  if (opening <= 0) return [];
  const e = program.expiry;
  if (index + 1 !== DEMO_EXPIRING_MEMBER || e.mode !== 'months-after-earn' || opening <= DEMO_EXPIRING_POINTS)
    return [{ day: '2026-01-01', points: opening }];
  const today = localParts(new Date().toISOString(), timeZone).date;
  const day = addDays(addMonths(today, -e.months), 10);
  return [
    { day, points: DEMO_EXPIRING_POINTS },
    { day: '2026-01-01', points: opening - DEMO_EXPIRING_POINTS },
  ];
}

/**
 * What a person trying the demo needs at the till, one line each: the staff PINs, a few member cards (type or
 * scan them), product codes and labels.
 */
export function demoSheet(): string[] {
  const cards = [1, 2, 3, DEMO_EXPIRING_MEMBER].map((n) => {
    const note = n === DEMO_EXPIRING_MEMBER ? ` (${DEMO_EXPIRING_POINTS} points expire in ten days)` : '';
    return `${demoCardNumber(n)} ${MEMBER_NAMES[n - 1]}${note}`;
  });
  return [
    `Staff PINs: ${DEMO_STAFF.map((s) => `${s.name} (${s.role}) ${s.pin}`).join(', ')}`,
    `Member cards: ${cards.join(', ')}`,
    `Products: ${demoProductEan(1)} ${CATALOGUE[0]![0]}, ${demoProductEan(11)} ${CATALOGUE[10]![0]}; ` +
      `a price label ${withCheckDigit('200003100350')} (bananas, 3.50 on the label); ` +
      'unbarcoded produce and croissants are quick keys above the basket',
    `Promotions: ${DEMO_PROMOTIONS.map((p) => (p.code ? `${p.name} (code ${p.code})` : p.name)).join(', ')}`,
    `Single-use coupons (the mailing, 5.00 off 30.00): ${[0, 1, 2].map(demoCouponCode).join(', ')}`,
    'eWallet: with a member on the sale, Shift+F12 tops it up (from 5.00); F3 in the pay dialog pays from it',
    `Gift cards: F5 sells one or checks a balance; ${demoGiftCardNumber(0)} holds 50.00, ${demoGiftCardNumber(1)} 12.50`,
  ];
}

/** The demo mailing's batch of single-use coupons: DEMO_COUPON_COUNT codes, from demoCouponCode. */
export const DEMO_COUPON_BATCH = 'mailing';
const DEMO_COUPON_COUNT = 50;

/** The demo's coupon number `n`: fixed, so the demo sheet can print some (real batches are drawn at random). */
export function demoCouponCode(n: number): string {
  const bytes = createHash('sha256').update(`kassa-demo-coupon-${n}`).digest();
  let i = 0;
  return couponCode('MAIL', (m) => bytes[i++]! % m);
}

/** The demo store's promotions of the week, for every customer (with a card or without), on goods the walkthrough leaves alone. */
export const DEMO_PROMOTIONS: NonNullable<ProgramInput['promotions']> = [
  {
    id: 'care-3-for-2',
    name: 'Care: 3 for 2',
    filter: { categories: ['care'] },
    benefit: { kind: 'buy-x-get-y', buy: 2, get: 1 },
    maxClaimsPerOrder: null,
  },
  {
    id: 'household-10',
    name: 'Household: 2.00 off 10.00',
    filter: { categories: ['household'] },
    condition: { minAmountMinor: 1000 },
    benefit: { kind: 'amount-off', amountMinor: 200 },
  },
  {
    id: 'flyer-week10',
    name: 'Flyer: 10 % off, at most 5.00',
    code: 'WEEK10',
    benefit: { kind: 'percent-off', percent: 10, on: 'order', maxDiscountMinor: 500 },
  },
  {
    id: 'mailing-5',
    name: 'Mailing: 5.00 off 30.00',
    couponBatch: DEMO_COUPON_BATCH,
    condition: { minAmountMinor: 3000, amountOf: 'order' },
    benefit: { kind: 'amount-off', amountMinor: 500, on: 'order' },
  },
  {
    id: 'welcome5',
    name: 'Welcome: 5.00 off 25.00',
    code: 'WELCOME5',
    audience: 'members',
    maxUsesPerMember: 1,
    condition: { minAmountMinor: 2500, amountOf: 'order' },
    benefit: { kind: 'amount-off', amountMinor: 500, on: 'order' },
  },
];

/** The demo store's eWallet: up to 500.00 on it, top-ups from 5.00, and 20.00 a day may be spent at an offline till. */
export const DEMO_WALLET: NonNullable<ProgramInput['wallet']> = {
  maxBalanceMinor: 50_000,
  minTopUpMinor: 500,
  offlineSpendCapPerDayMinor: 2_000,
};

/**
 * The demo store's gift cards: numbers `GIFT-…`, 5.00 to 300.00 on a card, valid 24 months after the last load,
 * and 50.00 a day may be spent from one card at an offline till.
 */
export const DEMO_GIFT_CARDS: NonNullable<ProgramInput['giftCards']> = {
  prefix: 'GIFT',
  minLoadMinor: 500,
  maxBalanceMinor: 30_000,
  validMonths: 24,
  offlineSpendCapPerDayMinor: 5_000,
};

/**
 * The demo's gift card number `n`: fixed, so the demo sheet can print some (real cards are numbered at random).
 * Cards 0 and 1 are sold in the demo data (DEMO_SOLD_GIFT_CARDS); any other number is a card on the rack, unsold.
 */
export function demoGiftCardNumber(n: number): string {
  const bytes = createHash('sha256').update(`kassa-demo-gift-card-${n}`).digest();
  let i = 0;
  return couponCode(DEMO_GIFT_CARDS.prefix ?? 'GIFT', (m) => bytes[i++]! % m);
}

/** The demo's sold gift cards: their balances, and the day money was last put on them. */
export const DEMO_SOLD_GIFT_CARDS: ReadonlyArray<{ n: number; balanceMinor: number; loadedOn: string }> = [
  { n: 0, balanceMinor: 5_000, loadedOn: '2026-11-01' },
  { n: 1, balanceMinor: 1_250, loadedOn: '2026-06-15' },
];

/** A demo card as the ledger holds it: sold on `loadedOn` (at noon), valid the program's months after it. */
function demoGiftCard(program: Program, card: (typeof DEMO_SOLD_GIFT_CARDS)[number]): GiftCardState {
  const months = program.giftCards?.validMonths ?? 0;
  return {
    ...emptyGiftCard(demoGiftCardNumber(card.n), program.id),
    balanceMinor: card.balanceMinor,
    validUntil: months > 0 ? addMonths(card.loadedOn, months) : null,
    issuedAt: new Date(`${card.loadedOn}T12:00:00Z`).toISOString(),
  };
}

/** The demo program: the supermarket example with the week's promotions, an eWallet and gift cards. */
async function demoProgram(): Promise<Program> {
  const file = await loadProgramFile(join(import.meta.dirname, '..', 'examples', 'supermarket.json'));
  const parsed = validateProgram({
    ...file,
    promotions: DEMO_PROMOTIONS,
    wallet: DEMO_WALLET,
    giftCards: DEMO_GIFT_CARDS,
  });
  if (!parsed.ok)
    throw new KassaError('PROGRAM_INVALID', parsed.issues.map((i) => `${i.path}: ${i.message}`).join('; '));
  return parsed.program;
}

const SEED_LOCK = 7_301_003;

/** Seeds an empty database; returns false (and writes nothing) when any store exists already. */
export const seedDemo = async (db: Db, options: { enrolCode?: string } = {}): Promise<boolean> => {
  if ((await db.query('SELECT 1 FROM stores LIMIT 1')).length > 0) return false;
  const program = await demoProgram();

  return db.tx(async (q) => {
    // Two nodes starting together on an empty database: the second waits here, then finds the store and stops.
    await q('SELECT pg_advisory_xact_lock($1)', [SEED_LOCK]);
    if ((await q('SELECT 1 FROM stores LIMIT 1')).length > 0) return false;
    const store: Store = {
      id: DEMO_STORE_ID,
      name: 'Kassa Market Centrum',
      currency: 'EUR',
      timeZone: 'Europe/Amsterdam',
      programId: program.id,
      country: 'NL',
    };
    await q('INSERT INTO stores (id, name, currency, time_zone, program_id, country) VALUES ($1, $2, $3, $4, $5, $6)', [
      store.id,
      store.name,
      store.currency,
      store.timeZone,
      store.programId,
      store.country,
    ]);
    await q('INSERT INTO tills (id, store_id, name, enrol_code_hash) VALUES ($1, $2, $3, $4)', [
      DEMO_TILL_ID,
      store.id,
      'Till 1',
      sha256(options.enrolCode ?? DEMO_ENROL_CODE),
    ]);
    // Demo staff, each published to the store's tills with its PIN hash (demo PINs: DEMO_STAFF).
    for (const s of DEMO_STAFF) await insertStaff(q, { ...s, storeId: store.id });

    const refIds = [await upsertRef(q, 'program', program.id, program)];

    const productIds: string[] = [];
    for (const [i, [name, priceMinor, categoryId, unit, tags]] of CATALOGUE.entries()) {
      const id = `p-${String(i + 1).padStart(3, '0')}`;
      const doc: Omit<Product, 'seq' | '_deleted'> = {
        // Goods sold by weight are keyed by their PLU: scales print GS1 variable-measure codes (21 PLU grams).
        id,
        ean: unit === 'kg' ? demoPlu(i + 1) : demoProductEan(i + 1),
        name,
        priceMinor,
        currency: 'EUR',
        categoryId,
        unit,
        tags: tags ?? [],
        taxRateBp: demoTaxRateBp(categoryId),
      };
      await q('INSERT INTO products (id, doc, seq) VALUES ($1, $2, 0)', [id, JSON.stringify(doc)]);
      productIds.push(id);
    }

    const memberIds: string[] = [];
    for (const [i, name] of MEMBER_NAMES.entries()) {
      const id = demoUlid(i + 1);
      // Opening balances, each backed by an `adjust` ledger entry so the ledger always sums to the balance.
      const opening = (i * 137) % 1300;
      const lots = openingLots(i, opening, program, store.timeZone);
      const state = {
        ...emptyMemberState(),
        balance: opening,
        tierWindow: { spendMinor: opening * 100, points: opening },
        lots: lots.reduce((book, lot) => earnLot(book, lot.day, lot.points), emptyMemberState().lots),
      };
      await q(
        `INSERT INTO members (id, card_number, store_id, name, phone, email, enrolled_at, state, seq)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 0)`,
        [
          id,
          demoCardNumber(i + 1),
          store.id,
          name,
          demoPhone(i + 1),
          `member-${i + 1}@example.com`,
          '2026-01-01T00:00:00Z',
          JSON.stringify(state),
        ],
      );
      for (const [n, lot] of lots.entries()) {
        await q(
          `INSERT INTO ledger_entries (id, member_id, till_id, sale_id, type, points, reason, till_seq, till_time)
           VALUES ($1, $2, 'seed', NULL, 'adjust', $3, 'Opening balance (demo data)', 0, $4)`,
          [demoUlid(100 * (n + 1) + i), id, lot.points, `${lot.day}T12:00:00Z`],
        );
      }
      memberIds.push(id);
    }
    // Tills get the phones as keyed hashes only, and the key with their store's document.
    await rehashPhones(q, await currentPhoneKey(q));
    refIds.push(...(await publishStores(q, [store.id])));
    refIds.push(...(await ensureCardRanges(q, [DEMO_TILL_ID])));
    // The mailing's single-use coupons (admin/coupons.ts), the same on every fresh demo.
    await q(`INSERT INTO coupon_codes (program_id, code, batch) SELECT $1, c, $2 FROM unnest($3::text[]) AS c`, [
      program.id,
      DEMO_COUPON_BATCH,
      Array.from({ length: DEMO_COUPON_COUNT }, (_, n) => demoCouponCode(n)),
    ]);
    refIds.push(await publishCouponBatch(q, program.id, DEMO_COUPON_BATCH));
    // The two gift cards sold in the demo (ingest/gift-cards.ts keeps the ledger from here on).
    const giftCards = DEMO_SOLD_GIFT_CARDS.map((c) => demoGiftCard(program, c));
    await q(
      `INSERT INTO gift_cards (program_id, number, balance_minor, valid_until, issued_at)
       SELECT r.program_id, r.number, r.balance_minor, r.valid_until::date, r.issued_at::timestamptz
         FROM jsonb_to_recordset($1::jsonb) AS r(program_id text, number text, balance_minor bigint, valid_until text,
              issued_at text)`,
      [
        JSON.stringify(
          giftCards.map((c) => ({
            program_id: c.programId,
            number: c.number,
            balance_minor: c.balanceMinor,
            valid_until: c.validUntil,
            issued_at: c.issuedAt,
          })),
        ),
      ],
    );
    // An opening move each (sale `seed`), like members' opening entries: a card's moves add up to its balance.
    await q(
      `INSERT INTO gift_card_moves (program_id, number, sale_id, till_id, epoch, till_seq, at, load_minor, paid_minor)
       SELECT $1, c.number, 'seed', 'seed', 'seed', 0, c.at::timestamptz, c.load, 0
         FROM unnest($2::text[], $3::text[], $4::bigint[]) AS c(number, at, load)`,
      [
        program.id,
        giftCards.map((c) => c.number),
        giftCards.map((c) => c.issuedAt),
        giftCards.map((c) => c.balanceMinor),
      ],
    );
    refIds.push(...(await publishGiftCards(q, giftCards)));

    await stampSeq(q, 'refdata', refIds);
    await stampSeq(q, 'products', productIds);
    await stampSeq(q, 'members', memberIds);
    return true;
  });
};
