/**
 * Barcodes: GS1 check digits (EAN-13, EAN-8, UPC-A, GTIN-14), GS1
 * variable-measure EAN-13 (prefixes 20–29), and member-card numbers.
 *
 * Pure: strings in, values out. Nothing here touches a device or a database.
 */
import { KassaError } from './errors';

const DIGITS_ONLY = /^\d+$/;

/** GS1 mod-10 check digit over the payload (all digits except the check digit). */
export const gs1CheckDigit = (payload: string): number => {
  if (!DIGITS_ONLY.test(payload)) throw new KassaError('SCAN_GARBLED', `Not a number: ${payload}`);
  let sum = 0;
  // Weights alternate 3,1,3,… starting from the rightmost payload digit.
  for (let i = 0; i < payload.length; i++) {
    const digit = payload.charCodeAt(payload.length - 1 - i) - 48;
    sum += digit * (i % 2 === 0 ? 3 : 1);
  }
  return (10 - (sum % 10)) % 10;
};

export const hasValidGs1CheckDigit = (code: string): boolean =>
  DIGITS_ONLY.test(code) && code.length >= 2 && gs1CheckDigit(code.slice(0, -1)) === Number(code.at(-1));

export type GtinKind = 'EAN-13' | 'EAN-8' | 'UPC-A' | 'GTIN-14';

const GTIN_LENGTHS: Record<number, GtinKind> = { 8: 'EAN-8', 12: 'UPC-A', 13: 'EAN-13', 14: 'GTIN-14' };

export const gtinKind = (code: string): GtinKind | null =>
  DIGITS_ONLY.test(code) ? (GTIN_LENGTHS[code.length] ?? null) : null;

export const isValidGtin = (code: string): boolean => gtinKind(code) !== null && hasValidGs1CheckDigit(code);

/** Completes a payload (12 digits for EAN-13, 7 for EAN-8, 11 for UPC-A) with its check digit. */
export const withCheckDigit = (payload: string): string => `${payload}${gs1CheckDigit(payload)}`;

/** UPC-A is EAN-13 with a leading zero; products are keyed by the 13-digit form. */
export const normalizeGtin = (code: string): string => (code.length === 12 ? `0${code}` : code);

/**
 * GS1 variable-measure EAN-13: restricted circulation numbers with prefix
 * 20–29 (and 02, a UPC-A label read as EAN-13), GS1 General Specifications
 * §2.1.11. What sits between the prefix and the check digit is set by each
 * country's GS1 organisation or the retailer, so it is configured as
 * layouts: which prefixes, item-code length, a price (minor units) or a
 * weight (grams), value length, and whether a price/weight check digit
 * (GS1 General Specifications §7.9.3–7.9.4, for 4- and 5-digit values)
 * stands before the value. The digits between prefix and check digit always
 * add up to 10:
 *   PP IIIII VVVVV C     item 5, value 5, no value check (the default)
 *   PP IIIII Q VVVV C    item 5, value 4 after its check digit Q
 *   PP IIII Q VVVVV C    item 4, value 5 after its check digit Q
 * The item code is the product's PLU in the catalogue (5 digits: a shorter
 * code is read with leading zeros).
 */
export type VariableMeasureLayout = {
  /** Two-digit prefixes, or ranges of them: "20", "21-28". */
  prefixes: readonly string[];
  kind: 'price' | 'weight';
  itemDigits: number;
  valueDigits: number;
  /** A price/weight check digit stands between item code and value. */
  valueCheckDigit: boolean;
};

/** The prefixes a store uses for weight and for price, in the default layout (PP IIIII VVVVV C). */
export type VariableMeasureConfig = { weightPrefixes: readonly string[]; pricePrefixes: readonly string[] };

export const defaultVariableMeasure: VariableMeasureConfig = {
  weightPrefixes: ['21', '22', '23', '24', '25', '26', '27', '28'],
  pricePrefixes: ['20', '29'],
};

/** The default layout for the prefixes a store configured. */
export function layoutsFromPrefixes(config: VariableMeasureConfig): VariableMeasureLayout[] {
  const base = { itemDigits: 5, valueDigits: 5, valueCheckDigit: false };
  return [
    { ...base, kind: 'weight', prefixes: config.weightPrefixes },
    { ...base, kind: 'price', prefixes: config.pricePrefixes },
  ];
}

/** The catalogue's PLUs are 5 digits. */
export const PLU_DIGITS = 5;

export type VariableMeasure =
  | { kind: 'weight'; plu: string; grams: number }
  | { kind: 'price'; plu: string; priceMinor: number }
  /** The layout matched but the price/weight check digit did not. */
  | { kind: 'bad-value-check'; plu: string };

const PREFIX_RANGE = /^(\d{2})(?:-(\d{2}))?$/;

/** True when a configured prefix ("20") or range ("21-28") covers the code's first two digits. */
export function prefixMatches(prefix: string, code: string): boolean {
  const m = PREFIX_RANGE.exec(prefix);
  if (!m) return false;
  const first = code.slice(0, 2);
  return first >= m[1]! && first <= (m[2] ?? m[1]!);
}

// Weighted products of GS1 General Specifications §7.9.3: "2-", "3", "5+" and "5-" per digit.
const TWO_MINUS = [0, 2, 4, 6, 8, 9, 1, 3, 5, 7];
const THREE = [0, 3, 6, 9, 2, 5, 8, 1, 4, 7];
const FIVE_PLUS = [0, 5, 1, 6, 2, 7, 3, 8, 4, 9];
const FIVE_MINUS = [0, 5, 9, 4, 8, 3, 7, 2, 6, 1];

/**
 * The price/weight check digit over a 4- or 5-digit value. 4 digits: weights
 * 2-, 2-, 3, 5-, sum × 3, units digit. 5 digits: weights 5+, 2-, 5-, 5+, 2-;
 * the check digit is the one whose 5- product makes the sum a multiple of 10.
 */
export function priceCheckDigit(value: string): number {
  if (!DIGITS_ONLY.test(value) || (value.length !== 4 && value.length !== 5))
    throw new KassaError('SCAN_GARBLED', `A price/weight check digit needs 4 or 5 digits, not ${value}`);
  const d = Array.from(value, (c) => c.charCodeAt(0) - 48);
  if (d.length === 4) return ((TWO_MINUS[d[0]!]! + TWO_MINUS[d[1]!]! + THREE[d[2]!]! + FIVE_MINUS[d[3]!]!) * 3) % 10;
  const sum = FIVE_PLUS[d[0]!]! + TWO_MINUS[d[1]!]! + FIVE_MINUS[d[2]!]! + FIVE_PLUS[d[3]!]! + TWO_MINUS[d[4]!]!;
  return FIVE_MINUS.indexOf((10 - (sum % 10)) % 10);
}

/** Reads a variable-measure EAN-13 with the first layout whose prefixes cover it; null when none does. */
export function parseVariableMeasure(code: string, layouts: readonly VariableMeasureLayout[]): VariableMeasure | null {
  if (code.length !== 13 || !isValidGtin(code)) return null;
  const layout = layouts.find((l) => l.prefixes.some((p) => prefixMatches(p, code)));
  if (!layout) return null;
  const item = code.slice(2, 2 + layout.itemDigits);
  const plu = item.length >= PLU_DIGITS ? item : item.padStart(PLU_DIGITS, '0');
  const valueAt = 2 + layout.itemDigits + (layout.valueCheckDigit ? 1 : 0);
  const value = code.slice(valueAt, valueAt + layout.valueDigits);
  if (layout.valueCheckDigit && priceCheckDigit(value) !== Number(code[valueAt - 1]))
    return { kind: 'bad-value-check', plu };
  return layout.kind === 'weight'
    ? { kind: 'weight', plu, grams: Number(value) }
    : { kind: 'price', plu, priceMinor: Number(value) };
}
