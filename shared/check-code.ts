/**
 * Checked codes: a prefix, a dash and 8 characters of Crockford base32 (no I, L, O, U: nothing to misread), the
 * last a check character, e.g. `XMAS-7KQ2H9TD`. Single-use coupons (shared/coupons.ts) and gift card numbers
 * (shared/gift-card-number.ts) are checked codes, so a code with one character mistyped is never taken for
 * another customer's.
 */
import { z } from 'zod';

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const BODY_LENGTH = 7;
const CODE = /^([A-Z0-9]{2,12})-([0-9A-Z]{8})$/;

export const codePrefixSchema = z
  .string()
  .regex(/^[A-Za-z0-9]{2,12}$/, '2 to 12 letters and digits')
  .transform((p) => p.toUpperCase());

/**
 * The check character of a code's body: its characters' values weighted 1, 3, 5, …, mod 32. Odd weights have no
 * factor in common with 32, so every single mistyped character changes it (and most swaps of two neighbours).
 */
function checkChar(body: string): string {
  let sum = 0;
  for (const [i, c] of [...body].entries()) sum += ALPHABET.indexOf(c) * (2 * i + 1);
  return ALPHABET[sum % 32]!;
}

/** A new code of `prefix`; `random(n)` gives a uniform whole number below n (a cryptographic source in use). */
export function checkedCode(prefix: string, random: (n: number) => number): string {
  let body = '';
  for (let i = 0; i < BODY_LENGTH; i++) body += ALPHABET[random(32)];
  return `${prefix.toUpperCase()}-${body}${checkChar(body)}`;
}

/** The prefix of a well-formed code whose check character agrees (any case), else null. */
export function checkedCodePrefix(code: string): string | null {
  const m = CODE.exec(code.trim().toUpperCase());
  if (!m) return null;
  const chars = m[2]!;
  if ([...chars].some((c) => !ALPHABET.includes(c))) return null;
  return checkChar(chars.slice(0, BODY_LENGTH)) === chars[BODY_LENGTH] ? m[1]! : null;
}

/** Whether `code` has a checked code's shape and its check character agrees (any case). */
export function checkedCodeValid(code: string): boolean {
  return checkedCodePrefix(code) !== null;
}
