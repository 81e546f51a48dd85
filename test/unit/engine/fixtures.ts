/**
 * What the engine's unit tests build their cases from: a small program (one point per 1.00 unless a test says
 * otherwise), a basket line, a member state, and the bare fields every program file has.
 */
import {
  emptyMemberState,
  programSchema,
  type BasketLine,
  type MemberState,
  type ProgramInput,
} from '../../../shared/engine';

/** The fields every program file has, for tests that hand the validator a file of their own. */
export const BARE_PROGRAM = { format: 'kassa-program/1', id: 'p', version: 1, name: 'P', currency: 'EUR' } as const;

/** A program of one per-currency rule (1 point per 1.00), with `over` on top. */
export function testProgram(over: Partial<ProgramInput>) {
  return programSchema.parse({
    ...BARE_PROGRAM,
    earn: [{ id: 'base', kind: 'per-currency', points: 1, perMinor: 100 }],
    ...over,
  });
}

/** One item of product `id` in the grocery category at `price` minor units, with `over` on top. */
export function testLine(id: string, price: number, over: Partial<BasketLine> = {}): BasketLine {
  return {
    lineId: id,
    productId: id,
    ean: '',
    name: id,
    categoryId: 'grocery',
    tags: [],
    unit: 'each',
    quantity: 1,
    grams: null,
    unitPriceMinor: price,
    ...over,
  };
}

/** A member's state: an empty one with `over` on top. */
export function testState(over: Partial<MemberState> = {}): MemberState {
  return { ...emptyMemberState(), ...over };
}
