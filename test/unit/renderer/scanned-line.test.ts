/**
 * What a product scan puts in the basket, and what the engine then charges
 * for it: a price-embedded label at the label's price, a weight label at the
 * label's weight × the price per kg, a plain code at the catalogue price.
 */
import { describe, expect, it } from 'vitest';
import { withCheckDigit } from '../../../shared/barcode';
import { lineAmountMinor } from '../../../shared/engine/quote';
import { classifyScan, scanConfigSchema } from '../../../shared/scan';
import {
  catalogKey,
  parseKilograms,
  pickedLine,
  scannedLine,
  type ProductScan,
} from '../../../src-renderer/src/features/sale/scanned-line';
import type { ProductRow } from '../../../src-renderer/src/db/schemas';

const bananas: ProductRow = {
  id: 'p-bananas',
  ean: '00031',
  name: 'Bananas',
  priceMinor: 199, // per kg
  currency: 'EUR',
  categoryId: 'produce',
  unit: 'kg',
  tags: [],
  seq: 1,
};
const coffee: ProductRow = {
  ...bananas,
  id: 'p-coffee',
  ean: '8710000000116',
  name: 'Coffee',
  unit: 'each',
  priceMinor: 699,
};

const productScan = (code: string, config = scanConfigSchema.parse({})): ProductScan => {
  const scan = classifyScan(code, config);
  if (scan.kind !== 'product' && scan.kind !== 'weighed-product' && scan.kind !== 'priced-product')
    throw new Error(`not a product scan: ${scan.kind}`);
  return scan;
};

/** The basket line the till builds, priced as the engine prices it. */
const charged = (product: ProductRow, scan: ProductScan) => {
  const made = scannedLine(product, scan);
  if (!made.ok) throw new Error(made.reason);
  const line = {
    lineId: 'L1',
    productId: product.id,
    ean: product.ean,
    name: product.name,
    categoryId: '',
    tags: [],
    ...made.value.line,
  };
  return { amount: lineAmountMinor(line), ...made.value };
};

describe('scanned line', () => {
  it('a price-embedded label rings up at the label price (2000031003504: item 00031, 3.50)', () => {
    const scan = productScan('2000031003504');
    expect(catalogKey(scan)).toBe('00031');
    expect(charged(bananas, scan)).toEqual({
      amount: 350,
      line: { unit: 'each', quantity: 1, grams: null, unitPriceMinor: 350 },
      mergeable: false,
    });
  });

  it('a weight label rings up at the label weight × the price per kg', () => {
    const scan = productScan(withCheckDigit('210003101250')); // PLU 00031, 1.250 kg
    expect(catalogKey(scan)).toBe('00031');
    // 1.250 kg × 1.99 = 2.4875, rounded half up: 2.49.
    expect(charged(bananas, scan)).toEqual({
      amount: 249,
      line: { unit: 'kg', quantity: 1, grams: 1250, unitPriceMinor: 199 },
      mergeable: false,
    });
  });

  it('uses the store layout: a 4-digit item code and a price check digit', () => {
    const config = scanConfigSchema.parse({
      variableMeasure: [{ prefixes: ['20'], kind: 'price', itemDigits: 4, valueDigits: 5, valueCheckDigit: true }],
    });
    // 20 0031 Q 01234 C, Q = 1: the price check digit of 01234.
    const scan = productScan(withCheckDigit('200031101234'), config);
    expect(catalogKey(scan)).toBe('00031');
    expect(charged(bananas, scan).amount).toBe(1234);
  });

  it('a plain code is the catalogue price and adds to an existing line', () => {
    const scan = productScan('8710000000116');
    expect(catalogKey(scan)).toBe('8710000000116');
    expect(charged(coffee, scan)).toEqual({
      amount: 699,
      line: { unit: 'each', quantity: 1, grams: null, unitPriceMinor: 699 },
      mergeable: true,
    });
  });

  it('refuses a weight label for a product sold per item, with the reason', () => {
    expect(scannedLine(coffee, { kind: 'weighed-product', plu: '00031', grams: 500 })).toEqual({
      ok: false,
      reason: 'Coffee is sold per item, not by weight',
    });
  });
});

describe('a product picked from the search', () => {
  it('is a plain line at the catalogue price, or for goods sold by weight a line of the weight typed', () => {
    expect(pickedLine(coffee, null)).toEqual({
      line: { unit: 'each', quantity: 1, grams: null, unitPriceMinor: 699 },
      mergeable: true,
    });
    expect(pickedLine(bananas, 1250)).toEqual({
      line: { unit: 'kg', quantity: 1, grams: 1250, unitPriceMinor: 199 },
      mergeable: false,
    });
  });

  it('reads a typed weight in kg as grams, and refuses what is not one', () => {
    expect(parseKilograms('1.25')).toBe(1250);
    expect(parseKilograms('0,5')).toBe(500);
    expect(parseKilograms(' 2 ')).toBe(2000);
    expect(parseKilograms('0.005')).toBe(5);
    for (const bad of ['', '0', '0.000', '1.2345', '-1', 'abc', '1e3', '1000']) expect(parseKilograms(bad)).toBeNull();
  });
});
