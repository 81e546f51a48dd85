/**
 * What an operator's replay of a parked sale books besides its member's facts (admin/parked.ts): the codes it used
 * and the gift card money it moved, as a stored sale's are booked (coupons.ts, gift-cards.ts). Both ledgers are
 * keyed by the sale, so a sale whose moves are booked already changes nothing.
 */
import type { SaleDoc } from '../../shared/documents';
import type { Query } from '../db';
import type { TillIdentity } from '../auth';
import { publishCouponBatch } from '../admin/coupons';
import type { Batch, Store } from './batch';
import { takeCoupons } from './coupons';
import { emptyGiftCardBook, takeGiftCards, writeGiftCards } from './gift-cards';

/** Books the replayed sale's coupons and gift card moves; returns the reference documents to stamp. */
export async function replaySaleMoves(q: Query, sale: SaleDoc, till: TillIdentity, epoch: string): Promise<string[]> {
  const [store] = await q<Store>('SELECT id, currency, time_zone, program_id FROM stores WHERE id = $1', [
    till.storeId,
  ]);
  const b: Pick<Batch, 'till' | 'epoch' | 'store' | 'programs' | 'giftCards' | 'couponBatches'> = {
    till,
    epoch,
    store: store!,
    programs: new Map(),
    giftCards: emptyGiftCardBook(),
    couponBatches: new Map(),
  };
  await takeCoupons(q, b, sale);
  await takeGiftCards(q, b, sale);
  const published: string[] = [];
  for (const [programId, batch] of b.couponBatches.values())
    published.push(await publishCouponBatch(q, programId, batch));
  published.push(...(await writeGiftCards(q, b.giftCards)));
  return published;
}
