import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  defaultVariableMeasure,
  gs1CheckDigit,
  isValidGtin,
  normalizeGtin,
  parseVariableMeasure,
  withCheckDigit,
} from '../../shared/barcode';

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
    expect(parseVariableMeasure(weighed, defaultVariableMeasure)).toEqual({
      kind: 'weight',
      plu: '12345',
      grams: 1250,
    });
    const priced = withCheckDigit('201234500399'); // PLU 12345, 3.99
    expect(parseVariableMeasure(priced, defaultVariableMeasure)).toEqual({
      kind: 'price',
      plu: '12345',
      priceMinor: 399,
    });
    expect(parseVariableMeasure('4006381333931', defaultVariableMeasure)).toBeNull();
  });
});
