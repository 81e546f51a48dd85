import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  defaultVariableMeasure,
  gs1CheckDigit,
  isValidGtin,
  layoutsFromPrefixes,
  normalizeGtin,
  parseVariableMeasure,
  priceCheckDigit,
  withCheckDigit,
  type VariableMeasureLayout,
} from '../../shared/barcode';

const defaults = layoutsFromPrefixes(defaultVariableMeasure);

describe('GS1 check digits', () => {
  it('matches published codes', () => {
    // EAN-13 4006381333931 (a well-known stationery code), EAN-8 96385074, UPC-A 036000291452.
    expect(gs1CheckDigit('400638133393')).toBe(1);
    expect(isValidGtin('4006381333931')).toBe(true);
    expect(isValidGtin('96385074')).toBe(true);
    expect(isValidGtin('036000291452')).toBe(true);
    expect(normalizeGtin('036000291452')).toBe('0036000291452');
  });

  it('rejects a wrong check digit, wrong lengths and non-digits', () => {
    expect(isValidGtin('4006381333932')).toBe(false);
    expect(isValidGtin('400638133393')).toBe(false); // 12 digits: UPC-A length but wrong digit
    expect(isValidGtin('40063813339311')).toBe(false);
    expect(isValidGtin('40063A1333931')).toBe(false);
    expect(() => gs1CheckDigit('12a')).toThrow(expect.objectContaining({ code: 'SCAN_GARBLED' }));
  });

  it('any single-digit change is caught (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 12, maxLength: 12 }),
        fc.nat(12),
        fc.integer({ min: 1, max: 9 }),
        (digits, pos, delta) => {
          const code = withCheckDigit(digits.join(''));
          expect(isValidGtin(code)).toBe(true);
          const changed = code.slice(0, pos) + ((Number(code[pos]) + delta) % 10) + code.slice(pos + 1);
          expect(isValidGtin(changed)).toBe(false);
        },
      ),
    );
  });
});

describe('variable-measure EAN-13', () => {
  it('reads weight in grams and embedded price', () => {
    const weighed = withCheckDigit('211234501250'); // PLU 12345, 1250 g
    expect(parseVariableMeasure(weighed, defaults)).toEqual({
      kind: 'weight',
      plu: '12345',
      grams: 1250,
    });
    const priced = withCheckDigit('201234500399'); // PLU 12345, 3.99
    expect(parseVariableMeasure(priced, defaults)).toEqual({
      kind: 'price',
      plu: '12345',
      priceMinor: 399,
    });
    expect(parseVariableMeasure('4006381333931', defaults)).toBeNull();
  });

  it('reads the issue example 2000031003504: prefix 20, item 00031, price 3.50, check digit 4', () => {
    expect(withCheckDigit('200003100350')).toBe('2000031003504');
    expect(parseVariableMeasure('2000031003504', defaults)).toEqual({ kind: 'price', plu: '00031', priceMinor: 350 });
    // A wrong check digit is no label at all.
    expect(parseVariableMeasure('2000031003505', defaults)).toBeNull();
  });

  it('computes the GS1 price/weight check digit over 4- and 5-digit values (GS1 General Specifications examples)', () => {
    expect(priceCheckDigit('2875')).toBe(9);
    expect(priceCheckDigit('14685')).toBe(6);
    expect(priceCheckDigit('0000')).toBe(0);
    expect(() => priceCheckDigit('123')).toThrow(expect.objectContaining({ code: 'SCAN_GARBLED' }));
  });

  it('reads configured layouts: prefix ranges, item-code length, price vs weight, price check digit', () => {
    const layouts: VariableMeasureLayout[] = [
      // PP IIII Q VVVVV C: 4-digit item, price check digit, 5-digit price.
      { prefixes: ['23-24'], kind: 'price', itemDigits: 4, valueDigits: 5, valueCheckDigit: true },
      // PP IIIII Q VVVV C: 5-digit item, weight check digit, 4-digit weight in grams.
      { prefixes: ['28'], kind: 'weight', itemDigits: 5, valueDigits: 4, valueCheckDigit: true },
      // UPC-A labels read as EAN-13: 0 2 IIIII Q VVVV C.
      { prefixes: ['02'], kind: 'price', itemDigits: 5, valueDigits: 4, valueCheckDigit: true },
    ];
    // 24 0031 6 14685 C: item 0031 (PLU 00031), price 146.85.
    const priced = withCheckDigit(`240031${priceCheckDigit('14685')}14685`);
    expect(priced).toHaveLength(13);
    expect(parseVariableMeasure(priced, layouts)).toEqual({ kind: 'price', plu: '00031', priceMinor: 14685 });
    // 28 12345 9 2875 C: PLU 12345, 2.875 kg.
    const weighed = withCheckDigit(`2812345${priceCheckDigit('2875')}2875`);
    expect(parseVariableMeasure(weighed, layouts)).toEqual({ kind: 'weight', plu: '12345', grams: 2875 });
    const upc = normalizeGtin(withCheckDigit(`212345${priceCheckDigit('0499')}0499`));
    expect(parseVariableMeasure(upc, layouts)).toEqual({ kind: 'price', plu: '12345', priceMinor: 499 });
    // The EAN check digit is right but the price check digit is not: the label was misprinted or misread.
    const misprinted = withCheckDigit(`240031${(priceCheckDigit('14685') + 1) % 10}14685`);
    expect(parseVariableMeasure(misprinted, layouts)).toEqual({ kind: 'bad-value-check', plu: '00031' });
    // Prefixes no layout covers are ordinary codes.
    expect(parseVariableMeasure(withCheckDigit('210003101250'), layouts)).toBeNull();
  });

  it('a changed price digit is caught by the price check digit even where the EAN check digit is fixed up (property)', () => {
    const layout: VariableMeasureLayout[] = [
      { prefixes: ['20'], kind: 'price', itemDigits: 4, valueDigits: 5, valueCheckDigit: true },
    ];
    fc.assert(
      fc.property(
        fc.stringMatching(/^\d{4}$/),
        fc.stringMatching(/^\d{5}$/),
        fc.nat(4),
        fc.integer({ min: 1, max: 9 }),
        (item, price, pos, delta) => {
          const good = withCheckDigit(`20${item}${priceCheckDigit(price)}${price}`);
          expect(parseVariableMeasure(good, layout)).toEqual({
            kind: 'price',
            plu: `0${item}`,
            priceMinor: Number(price),
          });
          const changed = price.slice(0, pos) + ((Number(price[pos]) + delta) % 10) + price.slice(pos + 1);
          const bad = withCheckDigit(`20${item}${priceCheckDigit(price)}${changed}`);
          expect(parseVariableMeasure(bad, layout)?.kind).toBe('bad-value-check');
        },
      ),
    );
  });
});
