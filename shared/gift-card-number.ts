/**
 * A gift card's number: a checked code (shared/check-code.ts) under the program's gift card prefix, as printed on
 * the card and in its barcode, e.g. `GIFT-7KQ2H9TD`. Stored and sent in capitals.
 */
import { z } from 'zod';
import { checkedCodePrefix } from './check-code';

export const giftCardNumberSchema = z
  .string()
  .max(21)
  .refine((n) => n === n.toUpperCase() && checkedCodePrefix(n) !== null, 'a gift card number with its check character');

/** The card number in `text` (any case, spaces around) when it is one of `prefix`'s, else null. */
export function giftCardNumberOf(text: string, prefix: string): string | null {
  const number = text.trim().toUpperCase();
  return checkedCodePrefix(number) === prefix ? number : null;
}
