/**
 * PIN checks at the till on its real database (RxDB on fake-indexeddb): wrong
 * PINs entered in quick succession — before the previous check has finished —
 * each count, so the fifth locks the cashier out as five entered slowly do.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Staff } from '../../../shared/documents';
import { hashPin } from '../../../shared/staff/pin';
import { createTillDatabase, type TillDatabase } from '../../../src-renderer/src/db/database';
import { checkPin } from '../../../src-renderer/src/db/staff';
import { nodeTillStorage } from '../../support/node-storage';

describe('PIN checks entered in quick succession', () => {
  let db: TillDatabase;
  let sam: Staff;
  const ctx = { tillId: 'till-1', storeId: 'store-1' };

  beforeAll(async () => {
    db = await createTillDatabase({ name: `pin-check-${Date.now()}`, storage: nodeTillStorage() });
    sam = {
      id: 'cashier-1',
      name: 'Sam Cashier',
      role: 'cashier',
      storeId: 'store-1',
      active: true,
      pinHash: await hashPin('1234', 1000),
    };
  });
  afterAll(async () => db?.close());

  it('count every failure: five at once lock the cashier out, and the right PIN is then refused', async () => {
    const results = await Promise.allSettled(
      Array.from({ length: 5 }, () => checkPin(db, ctx, sam, '0000', 'sign-in')),
    );
    const codes = results.map((r) => (r.status === 'rejected' ? (r.reason as { code: string }).code : 'ok'));
    expect(codes).toEqual(['PIN_WRONG', 'PIN_WRONG', 'PIN_WRONG', 'PIN_WRONG', 'PIN_LOCKED']);
    await expect(checkPin(db, ctx, sam, '1234', 'sign-in')).rejects.toMatchObject({ code: 'PIN_LOCKED' });
    // The lock-out was written to the journal once, for the server's audit log.
    const events = (await db.journal.find().exec()).map((d) => d.toJSON().body as { type?: string });
    expect(events.filter((e) => e.type === 'pin-locked')).toHaveLength(1);
  });
});
