/**
 * Scan classification: every raw scan becomes exactly one of member card,
 * product, weighed product, receipt or unknown *before* anything uses it.
 * A garbled scan or a bad check digit is `unknown` with a coded reason,
 * never a guess.
 */
import { z } from 'zod';
import type { ErrorCode } from './errors';
import { looksLikeDigitalCard } from './digital-card';
import { looksLikeGs1, parseGs1 } from './scanner/gs1';
import {
  defaultVariableMeasure,
  gtinKind,
  hasValidGs1CheckDigit,
  isValidGtin,
  layoutsFromPrefixes,
  normalizeGtin,
  parseVariableMeasure,
  PLU_DIGITS,
} from './barcode';

const rcnPrefix = /^(02|2\d)$/;

/** One variable-measure label layout (see shared/barcode.ts). */
export const variableMeasureLayoutSchema = z
  .object({
    /** Two-digit prefixes or ranges: "20", "21-28"; "02" for UPC-A labels. */
    prefixes: z
      .array(
        z.string().refine((p) => {
          const [from, to, ...rest] = p.split('-');
          return (
            rest.length === 0 && rcnPrefix.test(from!) && (to === undefined || (rcnPrefix.test(to) && to >= from!))
          );
        }, 'a prefix is 02 or 20–29, or a range such as 21-28'),
      )
      .min(1),
    kind: z.enum(['price', 'weight']),
    itemDigits: z.number().int().min(4).max(PLU_DIGITS),
    valueDigits: z.number().int().min(4).max(6),
    /** A price/weight check digit stands between item code and value. */
    valueCheckDigit: z.boolean().default(false),
  })
  .refine((l) => l.itemDigits + l.valueDigits + (l.valueCheckDigit ? 1 : 0) === 10, {
    message: 'item digits + value digits (+ 1 for a value check digit) must be 10',
  })
  .refine((l) => !l.valueCheckDigit || l.valueDigits <= 5, {
    message: 'a price/weight check digit covers a 4- or 5-digit value',
  });

export const scanConfigSchema = z.object({
  /** EAN-13 member cards: codes starting with any of these prefixes. */
  memberCardPrefixes: z.array(z.string().regex(/^\d{1,12}$/)).default(['299']),
  /** Code 128 member cards: this text prefix, then digits ending in a GS1 check digit. */
  code128CardPrefix: z.string().min(1).max(8).default('KM'),
  /** Receipt barcodes printed by Kassa tills: this prefix then the sale id (ULID). */
  receiptPrefix: z.string().min(1).max(8).default('KR'),
  weightPrefixes: z.array(z.string().regex(/^2\d$/)).default([...defaultVariableMeasure.weightPrefixes]),
  pricePrefixes: z.array(z.string().regex(/^2\d$/)).default([...defaultVariableMeasure.pricePrefixes]),
  /** Label layouts in full; when set they replace `weightPrefixes`/`pricePrefixes` (first matching layout wins). */
  variableMeasure: z.array(variableMeasureLayoutSchema).optional(),
});
export type ScanConfig = z.infer<typeof scanConfigSchema>;
export const defaultScanConfig: ScanConfig = scanConfigSchema.parse({});

export type ScanSource = 'hid-pos' | 'hid-keyboard' | 'keyboard-wedge' | 'manual';

export type ClassifiedScan =
  | { kind: 'member-card'; cardNumber: string }
  /** A digital member card (shared/digital-card.ts): verified by the till before anything is looked up. */
  | { kind: 'member-qr'; code: string }
  /** `grams`/`expiry` come from a GS1 element string (AI 310n, AI 17). */
  | { kind: 'product'; gtin: string; grams?: number; expiry?: string }
  | { kind: 'weighed-product'; plu: string; grams: number }
  | { kind: 'priced-product'; plu: string; priceMinor: number }
  | { kind: 'receipt'; saleId: string }
  | { kind: 'unknown'; code: ErrorCode; reason: string };

const ULID = /^[0-9A-HJKMNP-TV-Z]{26}$/;

// Control characters a scanner or keyboard wedge may leave around the data.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/g;

const EDGES = /^[\r\n\t ]+|[\r\n\t ]+$/g;

export const classifyScan = (raw: string, config: ScanConfig = defaultScanConfig): ClassifiedScan => {
  // GS1 element strings keep their group separators (0x1D): they end variable-length fields.
  const framed = raw.replace(EDGES, '');
  if (looksLikeGs1(framed) && framed.replaceAll('\u001d', '').length >= 16) {
    const gs1 = parseGs1(framed);
    if (!gs1.ok) return { kind: 'unknown', code: 'SCAN_GARBLED', reason: `GS1 code not readable: ${gs1.reason}` };
    const gtin = gs1.data.gtin;
    if (!gtin || !isValidGtin(gtin))
      return { kind: 'unknown', code: 'SCAN_BAD_CHECK_DIGIT', reason: 'GS1 code without a valid GTIN' };
    return {
      kind: 'product',
      gtin: gtin.startsWith('0') ? gtin.slice(1) : gtin,
      ...(gs1.data.grams !== null ? { grams: gs1.data.grams } : {}),
      ...(gs1.data.expiry !== null ? { expiry: gs1.data.expiry } : {}),
    };
  }
  const data = raw.replace(CONTROL, '').trim();
  if (data.length === 0) return { kind: 'unknown', code: 'SCAN_EMPTY', reason: 'Empty scan' };

  if (looksLikeDigitalCard(data)) return { kind: 'member-qr', code: data };

  if (data.startsWith(config.receiptPrefix)) {
    const saleId = data.slice(config.receiptPrefix.length);
    if (ULID.test(saleId)) return { kind: 'receipt', saleId };
  }

  if (data.startsWith(config.code128CardPrefix)) {
    const digits = data.slice(config.code128CardPrefix.length);
    if (/^\d{6,20}$/.test(digits)) {
      return hasValidGs1CheckDigit(digits)
        ? { kind: 'member-card', cardNumber: data }
        : { kind: 'unknown', code: 'SCAN_BAD_CHECK_DIGIT', reason: 'Card number check digit is wrong' };
    }
  }

  if (/^\d+$/.test(data) && gtinKind(data) !== null) {
    if (!isValidGtin(data)) {
      return { kind: 'unknown', code: 'SCAN_BAD_CHECK_DIGIT', reason: `Check digit is wrong in ${data}` };
    }
    const gtin = normalizeGtin(data);
    if (gtin.length === 13 && config.memberCardPrefixes.some((p) => gtin.startsWith(p))) {
      return { kind: 'member-card', cardNumber: gtin };
    }
    const measure = parseVariableMeasure(gtin, config.variableMeasure ?? layoutsFromPrefixes(config));
    if (measure?.kind === 'weight') return { kind: 'weighed-product', plu: measure.plu, grams: measure.grams };
    if (measure?.kind === 'price') return { kind: 'priced-product', plu: measure.plu, priceMinor: measure.priceMinor };
    if (measure?.kind === 'bad-value-check')
      return { kind: 'unknown', code: 'SCAN_BAD_CHECK_DIGIT', reason: `Price/weight check digit is wrong in ${data}` };
    return { kind: 'product', gtin };
  }

  return { kind: 'unknown', code: 'SCAN_GARBLED', reason: `Not a code this till knows: ${data.slice(0, 40)}` };
};
