/**
 * A basket line and what every stage of a quote needs of it: its amount at a
 * price, whether a rule's filter matches it, and sharing an amount over lines.
 */
import { divideRounded } from '../money';
import type { Filter } from './program';

export type BasketLine = {
  lineId: string;
  productId: string;
  ean: string;
  name: string;
  categoryId: string;
  tags: string[];
  unit: 'each' | 'kg';
  quantity: number;
  grams: number | null;
  unitPriceMinor: number;
  /** VAT rate in basis points (2100 = 21 %); only used when points are earned without tax. */
  taxRateBp?: number;
};

/** A line's amount at a unit price: items × price, or grams × price per kg (rounded half-up to the minor unit). */
export const amountAt = (line: BasketLine, unitPriceMinor: number): number =>
  line.unit === 'kg' && line.grams !== null
    ? divideRounded(line.grams * unitPriceMinor, 1000, 'half-up')
    : line.quantity * unitPriceMinor;

export const lineAmountMinor = (line: BasketLine): number => amountAt(line, line.unitPriceMinor);

export const matchesFilter = (f: Filter, line: BasketLine): boolean => {
  if (f.excludeTags.some((t) => line.tags.includes(t))) return false;
  if (f.excludeCategories.includes(line.categoryId)) return false;
  if (f.categories && !f.categories.includes(line.categoryId)) return false;
  if (f.products && !f.products.includes(line.productId)) return false;
  if (f.tags && !f.tags.some((t) => line.tags.includes(t))) return false;
  return true;
};

/** Splits `total` over parts proportionally: floor shares, then the remainder by largest fraction (ties by key). */
export const allocate = (
  total: number,
  parts: ReadonlyArray<{ key: string; numerator: bigint }>,
  denominator: bigint,
): Map<string, number> => {
  const out = new Map<string, number>();
  let given = 0;
  const rema: Array<{ key: string; rem: bigint }> = [];
  for (const p of parts) {
    const share = Number(p.numerator / denominator);
    out.set(p.key, share);
    given += share;
    rema.push({ key: p.key, rem: p.numerator % denominator });
  }
  rema.sort((a, b) => (a.rem === b.rem ? (a.key < b.key ? -1 : 1) : a.rem > b.rem ? -1 : 1));
  for (let i = 0; given < total && i < rema.length; i++, given++)
    out.set(rema[i]!.key, (out.get(rema[i]!.key) ?? 0) + 1);
  return out;
};
