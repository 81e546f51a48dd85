/**
 * The basket in progress, kept in the till's database so a till restarted
 * mid-sale (a crash, a power cut, a reload) puts it back as it was: lines,
 * member, reward choice, and the tenders already taken if it was being paid.
 *
 * Invariants:
 * - A basket has its sale id from its first line on; the sale is committed
 *   under that id (db/sales.ts `recordSale`). A kept basket whose id is in
 *   the journal was sold before the restart: it is dropped, never sold
 *   twice (and a second commit under the same id would be refused by the
 *   journal's primary key anyway).
 * - Writes are queued and coalesced: only the latest session is written,
 *   one write at a time; an empty basket (no goods, no eWallet top-up, no
 *   gift card) removes the kept one.
 * - A kept basket that does not read back (an older format, a damaged
 *   record) is dropped with BASKET_UNREADABLE; nothing else changes.
 */
import { monotonicFactory } from 'ulid';
import { z } from 'zod';
import type { TillDatabase } from '../../db/database';
import { saleEmpty, type SaleSession } from './session';

const nextId = monotonicFactory();
export const BASKET_DOC = 'basket';
const VERSION = 1;

type Kept = { v: number; saleId: string; savedAt: string; session: SaleSession };

const int = z.number().int();
const lineSchema = z
  .object({
    lineId: z.string().min(1),
    productId: z.string().min(1),
    quantity: int.positive(),
    grams: int.positive().nullable(),
    unitPriceMinor: int.min(0),
    product: z.object({ id: z.string(), ean: z.string(), name: z.string() }).passthrough(),
  })
  .passthrough();
const keptSchema = z.object({
  v: z.literal(VERSION),
  saleId: z.string().regex(/^[0-9A-HJKMNP-TV-Z]{26}$/),
  savedAt: z.string(),
  session: z
    .object({
      phase: z.enum(['selling', 'paying']),
      lines: z.array(lineSchema),
      member: z.object({ id: z.string(), cardNumber: z.string() }).passthrough().nullable(),
      redeem: z.unknown(),
      codes: z.array(z.string()).max(10).default([]),
      lastLineId: z.string().nullable(),
      tenders: z.array(
        z
          .object({
            kind: z.enum(['cash', 'card', 'wallet', 'giftcard']),
            amountMinor: int.positive(),
            giftCard: z.string().optional(),
          })
          .passthrough(),
      ),
      topUpMinor: int.min(0).default(0),
      giftCardLoads: z.array(z.object({ giftCard: z.string().min(1), amountMinor: int.positive() })).default([]),
      lineCounter: int.min(0),
    })
    .passthrough()
    .refine((s) => !saleEmpty(s), 'a kept basket has goods, a top-up or a gift card on it'),
});

export type KeptBasket =
  | { kind: 'none' }
  | { kind: 'restored'; saleId: string; session: SaleSession; savedAt: string }
  /** The basket's sale is in the journal: it was completed before the restart. */
  | { kind: 'already-sold'; saleId: string }
  | { kind: 'unreadable'; code: 'BASKET_UNREADABLE'; message: string };

/** The basket kept before a restart, checked; a sold or unreadable one is removed. */
export async function loadKeptBasket(db: TillDatabase): Promise<KeptBasket> {
  const doc = await db.journal.getLocal<{ kept: Kept }>(BASKET_DOC);
  if (!doc) return { kind: 'none' };
  const parsed = keptSchema.safeParse(doc.get('kept'));
  if (!parsed.success) {
    await doc.remove();
    const issue = parsed.error.issues[0];
    return {
      kind: 'unreadable',
      code: 'BASKET_UNREADABLE',
      message: issue ? `${issue.path.join('.')}: ${issue.message}` : 'unreadable',
    };
  }
  const kept = parsed.data as unknown as Kept;
  if (await db.journal.findOne(kept.saleId).exec()) {
    await doc.remove();
    return { kind: 'already-sold', saleId: kept.saleId };
  }
  return { kind: 'restored', saleId: kept.saleId, session: kept.session, savedAt: kept.savedAt };
}

export type BasketKeeper = {
  /** Keeps this session (or removes the kept basket when nothing is on the sale). */
  keep: (session: SaleSession) => void;
  /** The id the basket in progress will be sold under. */
  saleId: () => string;
  /** Carries on with a restored basket's id. */
  adopt: (saleId: string) => void;
  /** Resolves once every write asked for so far is done (tests, and before a commit). */
  flushed: () => Promise<void>;
};

export function basketKeeper(db: TillDatabase): BasketKeeper {
  let saleId = nextId();
  let pending: SaleSession | null = null;
  let hasPending = false;
  let running: Promise<void> = Promise.resolve();

  async function write(): Promise<void> {
    while (hasPending) {
      const session = pending!;
      hasPending = false;
      if (saleEmpty(session)) {
        const doc = await db.journal.getLocal(BASKET_DOC);
        if (doc) await doc.remove();
      } else {
        const kept: Kept = { v: VERSION, saleId, savedAt: new Date().toISOString(), session };
        await db.journal.upsertLocal(BASKET_DOC, { kept });
      }
    }
  }

  return {
    keep(session) {
      // A basket emptied (sold, voided) hands the next one a new sale id.
      if (saleEmpty(session) && pending !== null && !saleEmpty(pending)) saleId = nextId();
      pending = session;
      if (hasPending) return;
      hasPending = true;
      running = running.then(write).catch((e: unknown) => {
        console.error('Could not keep the basket', e);
      });
    },
    saleId: () => saleId,
    adopt(id) {
      saleId = id;
    },
    flushed: () => running,
  };
}
