import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { vatByRate } from '../../shared/vat';

describe('VAT per rate on a receipt (prices include VAT)', () => {
  it('takes the VAT out of each rate’s total once, half up, and leaves out lines without a rate', () => {
    const rows = vatByRate([
      { totalMinor: 119, taxRateBp: 900 },
      { totalMinor: 229, taxRateBp: 900 },
      { totalMinor: 499, taxRateBp: 2100 },
      { totalMinor: 2500 },
    ]);
    // 348 × 9/109 = 28.73 → 29; 499 × 21/121 = 86.60 → 87.
    expect(rows).toEqual([
      { rateBp: 900, grossMinor: 348, vatMinor: 29, netMinor: 319 },
      { rateBp: 2100, grossMinor: 499, vatMinor: 87, netMinor: 412 },
    ]);
  });

  it('a return (negative totals) mirrors the sale', () => {
    const sale = vatByRate([{ totalMinor: 499, taxRateBp: 2100 }]);
    const back = vatByRate([{ totalMinor: -499, taxRateBp: 2100 }]);
    expect(back[0]!.vatMinor).toBe(-sale[0]!.vatMinor);
  });

  it('for any lines: net + VAT = gross per rate, gross sums the lines, VAT never exceeds the rate’s share', () => {
    const line = fc.record({
      totalMinor: fc.integer({ min: 0, max: 1_000_000 }),
      taxRateBp: fc.constantFrom(0, 500, 600, 900, 2000, 2100),
    });
    fc.assert(
      fc.property(fc.array(line, { maxLength: 40 }), (lines) => {
        const rows = vatByRate(lines);
        for (const r of rows) {
          expect(r.netMinor + r.vatMinor).toBe(r.grossMinor);
          expect(r.grossMinor).toBe(
            lines.filter((l) => l.taxRateBp === r.rateBp).reduce((s, l) => s + l.totalMinor, 0),
          );
          // Exact VAT is gross × rate / (1 + rate): the rounded one is within half a minor unit.
          expect(Math.abs(r.vatMinor * (10_000 + r.rateBp) - r.grossMinor * r.rateBp)).toBeLessThanOrEqual(
            (10_000 + r.rateBp) / 2,
          );
        }
        expect(rows.map((r) => r.rateBp)).toEqual([...new Set(lines.map((l) => l.taxRateBp))].sort((a, b) => a - b));
      }),
    );
  });
});
