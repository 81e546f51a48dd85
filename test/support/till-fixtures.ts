/**
 * What the till's Node tests sell with: the example supermarket program (optionally changed before it is checked),
 * the demo member Bram Jansen as the till stores him, and a line of ground coffee at 6.99.
 */
import { readFileSync } from 'node:fs';
import { validateProgram, type BasketLine, type Program } from '../../shared/engine';
import { emptyMemberState } from '../../shared/engine/member-state';
import type { MemberRecord } from '../../shared/member-snapshot';

/** examples/supermarket.json as validated, with `change` applied to its JSON first. */
export function supermarketProgram(
  change: (json: Record<string, unknown>) => Record<string, unknown> = (j) => j,
): Program {
  const json = JSON.parse(readFileSync(new URL('../../examples/supermarket.json', import.meta.url), 'utf8')) as Record<
    string,
    unknown
  >;
  const parsed = validateProgram(change(json));
  if (!parsed.ok) throw new Error('example program invalid');
  return parsed.program;
}

/** The demo member with 100 points, as the till's member store holds him. */
export const BRAM: MemberRecord = {
  id: '01KDVDNA000000000000000002',
  cardNumber: '2990000000026',
  name: 'Bram Jansen',
  phoneHash: '',
  storeId: 'store-1',
  enrolledAt: '2026-01-01T00:00:00.000Z',
  state: { ...emptyMemberState(), balance: 100 },
  tillMark: 0,
  seq: 5,
};

/** Ground coffee 500 g (p-011) at 6.99, `quantity` units on line `lineId`. */
export function coffeeLine(quantity = 1, lineId = 'L1'): BasketLine {
  return {
    lineId,
    productId: 'p-011',
    ean: '8710000000118',
    name: 'Ground coffee',
    categoryId: 'coffee',
    tags: [],
    unit: 'each',
    quantity,
    grams: null,
    unitPriceMinor: 699,
  };
}
