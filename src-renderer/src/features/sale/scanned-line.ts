/**
 * What a product scan puts in the basket: the catalogue's product plus what
 * its label says. A price-embedded label rings up at the label's price, a
 * weight label at the label's weight × the product's price per kg; a plain
 * product code at the catalogue price. Pure: tested without a DOM.
 *
 * Invariant: a label line is never merged into another line (each label is
 * one weighed or priced pack); only plain codes add to a line's quantity.
 */
import type { ClassifiedScan } from '../../../../shared/scan';
import type { BasketLine } from '../../../../shared/engine';
import type { ProductRow } from '../../db/schemas';

export type ProductScan = Extract<ClassifiedScan, { kind: 'product' | 'weighed-product' | 'priced-product' }>;

/** The catalogue key a product scan is looked up by (`catalog.byEan`): its GTIN, or a label's PLU. */
export function catalogKey(scan: ProductScan): string {
  return scan.kind === 'product' ? scan.gtin : scan.plu;
}

export type ScannedLine = {
  line: Pick<BasketLine, 'unit' | 'quantity' | 'grams' | 'unitPriceMinor'>;
  /** A plain code adds to an existing line of the same product; a label is a line of its own. */
  mergeable: boolean;
};

export function scannedLine(
  product: ProductRow,
  scan: ProductScan,
): { ok: true; value: ScannedLine } | { ok: false; reason: string } {
  if (scan.kind === 'priced-product')
    return {
      ok: true,
      value: { line: { unit: 'each', quantity: 1, grams: null, unitPriceMinor: scan.priceMinor }, mergeable: false },
    };
  const grams = scan.kind === 'weighed-product' ? scan.grams : (scan.grams ?? null);
  if (grams === null)
    return {
      ok: true,
      value: {
        line: { unit: product.unit, quantity: 1, grams: null, unitPriceMinor: product.priceMinor },
        mergeable: true,
      },
    };
  // A weight is priced per kg: a product the catalogue sells per item has no price per kg to multiply.
  if (product.unit !== 'kg') return { ok: false, reason: `${product.name} is sold per item, not by weight` };
  return {
    ok: true,
    value: { line: { unit: 'kg', quantity: 1, grams, unitPriceMinor: product.priceMinor }, mergeable: false },
  };
}

/** A product picked from the search (no label): the catalogue price, and for goods sold by weight the weight typed. */
export function pickedLine(product: ProductRow, grams: number | null): ScannedLine {
  if (product.unit === 'kg' && grams !== null)
    return { line: { unit: 'kg', quantity: 1, grams, unitPriceMinor: product.priceMinor }, mergeable: false };
  return {
    line: { unit: product.unit, quantity: 1, grams: null, unitPriceMinor: product.priceMinor },
    mergeable: true,
  };
}

/** "1.25" or "1,250" kg as grams; null when it is not a weight. */
export function parseKilograms(text: string): number | null {
  const m = /^(\d{1,3})(?:[.,](\d{0,3}))?$/.exec(text.trim());
  if (!m) return null;
  const grams = Number(m[1]) * 1000 + Number((m[2] ?? '').padEnd(3, '0'));
  return grams > 0 ? grams : null;
}
