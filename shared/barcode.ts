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
 * GS1 variable-measure EAN-13, prefix 20–29 (restricted circulation numbers).
 * Layout used here, the most common in European retail:
 *   PP IIIII VVVVV C   — prefix (2), item/PLU (5), value (5), check digit.
 * Prefixes listed in `weightPrefixes` carry grams, `pricePrefixes` a price in
 * minor units. Stores configure which prefixes they use.
 */
export type VariableMeasureConfig = { weightPrefixes: readonly string[]; pricePrefixes: readonly string[] };

export const defaultVariableMeasure: VariableMeasureConfig = {
  weightPrefixes: ['21', '22', '23', '24', '25', '26', '27', '28'],
  pricePrefixes: ['20', '29'],
};

export type VariableMeasure =
  { kind: 'weight'; plu: string; grams: number } | { kind: 'price'; plu: string; priceMinor: number };

export const parseVariableMeasure = (code: string, config: VariableMeasureConfig): VariableMeasure | null => {
  if (code.length !== 13 || !isValidGtin(code)) return null;
  const prefix = code.slice(0, 2);
  const plu = code.slice(2, 7);
  const value = Number(code.slice(7, 12));
  if (config.weightPrefixes.includes(prefix)) return { kind: 'weight', plu, grams: value };
  if (config.pricePrefixes.includes(prefix)) return { kind: 'price', plu, priceMinor: value };
  return null;
};
