/**
 * AIM symbology identifiers → symbology names. Pure.
 *
 * ISO/IEC 15424 (AIM "Data Carrier Identifiers"): every identifier is three
 * characters, "]" + code character + modifier character. The code character
 * names the symbology family, the modifier refines it (for the GS1 variants:
 * "FNC1 in first position", which means the data is a GS1 element string).
 *   ]A Code 39             ]C0 Code 128, ]C1 GS1-128
 *   ]E0 EAN-13 / UPC-A / UPC-E, ]E1/]E2 add-on only, ]E3 with add-on, ]E4 EAN-8
 *   ]e0 GS1 DataBar        ]I Interleaved 2 of 5       ]L PDF417
 *   ]Q0–]Q2 QR, ]Q3/]Q4 GS1 QR (FNC1 first)
 *   ]d1 Data Matrix ECC 200, ]d2/]d4 GS1 DataMatrix (FNC1 first)
 *   ]z Aztec
 * ]E0 covers the whole EAN/UPC family: a 12-digit code (or a 13-digit one
 * with a leading 0) is UPC-A, a 6–8 digit one UPC-E, so the data decides.
 * Anything else is "unknown": the code still reaches the till, which
 * classifies it by content.
 */
import type { ScanSymbology } from '../ipc';

const eanUpc = (modifier: string, data: string): ScanSymbology => {
  if (modifier === '4') return 'EAN-8';
  if (modifier !== '0' && modifier !== '3') return 'EAN-13';
  // ]E3 carries the add-on after the main code: only the first 12/13 digits say which code it is.
  const digits = /^\d+/.exec(data)?.[0] ?? '';
  if (digits.length === 12 || (digits.length >= 13 && digits.startsWith('0'))) return 'UPC-A';
  if (digits.length >= 6 && digits.length <= 8) return 'UPC-E';
  return 'EAN-13';
};

export const aimSymbology = (aim: string, data = ''): ScanSymbology => {
  if (aim.length !== 3 || aim[0] !== ']') return 'unknown';
  const modifier = aim[2]!;
  switch (aim[1]) {
    case 'A':
      return 'Code 39';
    case 'C':
      return modifier === '1' ? 'GS1-128' : 'Code 128';
    case 'E':
      return eanUpc(modifier, data);
    case 'e':
      return 'GS1 DataBar';
    case 'I':
      return 'Interleaved 2 of 5';
    case 'L':
      return 'PDF417';
    case 'Q':
      return modifier === '3' || modifier === '4' ? 'GS1 QR' : 'QR';
    case 'd':
      return modifier === '2' || modifier === '4' ? 'GS1 DataMatrix' : 'DataMatrix';
    case 'z':
      return 'Aztec';
    default:
      return 'unknown';
  }
};

/** True for the identifiers whose data is a GS1 element string (FNC1 in first position). */
export const isGs1Aim = (aim: string): boolean => /^\](C1|d2|d4|Q3|Q4|e0)$/.test(aim);
