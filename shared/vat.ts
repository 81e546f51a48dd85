/**
 * VAT on a receipt. Prices include VAT; per rate, the VAT is taken out of the rate's total once (not line by
 * line, so rounding does not add up over many lines): vat = round(gross × rate / (10,000 + rate)), half up, in
 * integer minor units. Net + VAT = gross for every rate. Lines with no rate are left out (a store selling
 * without VAT).
 */
import { divideRounded } from './money';

export type VatRow = { rateBp: number; grossMinor: number; vatMinor: number; netMinor: number };

export function vatByRate(lines: ReadonlyArray<{ totalMinor: number; taxRateBp?: number | undefined }>): VatRow[] {
  const gross = new Map<number, number>();
  for (const l of lines) {
    if (l.taxRateBp === undefined) continue;
    gross.set(l.taxRateBp, (gross.get(l.taxRateBp) ?? 0) + l.totalMinor);
  }
  return [...gross.entries()]
    .sort(([a], [b]) => a - b)
    .map(([rateBp, grossMinor]) => {
      const vatMinor =
        grossMinor < 0
          ? -divideRounded(-grossMinor * rateBp, 10_000 + rateBp, 'half-up')
          : divideRounded(grossMinor * rateBp, 10_000 + rateBp, 'half-up');
      return { rateBp, grossMinor, vatMinor, netMinor: grossMinor - vatMinor };
    });
}
