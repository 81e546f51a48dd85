/**
 * The till's keypad: a number typed, then the key for what it is, applied to
 * the selected basket line (the one highlighted). Numeric-pad keys, as on a
 * POS keyboard: `*` quantity, `/` weight in kg, `+` a new unit price, `-` a
 * discount in percent. Pure: tested without a DOM.
 *
 * Invariants: every amount is read digit by digit into integer minor units
 * or grams (never a float); a command that does not fit the line (a weight
 * for goods sold per item, a quantity for weighed goods) is refused with a
 * code and changes nothing.
 */
import { parseMoneyInput } from '../../../../shared/money';
import { isKassaError } from '../../../../shared/errors';
import { parseKilograms } from './scanned-line';
import { validGrams, validQuantity, type SessionLine } from './session';

export const keypadKeys = ['*', '/', '+', '-'] as const;
export type KeypadKey = (typeof keypadKeys)[number];

export type KeypadCommand =
  | { kind: 'quantity'; quantity: number }
  | { kind: 'weight'; grams: number }
  | { kind: 'price'; unitPriceMinor: number }
  | { kind: 'discount'; percent: number };

export type KeypadProblem =
  | 'KEYPAD_NO_LINE'
  | 'KEYPAD_BAD_QUANTITY'
  | 'KEYPAD_BAD_WEIGHT'
  | 'KEYPAD_BAD_PRICE'
  | 'KEYPAD_BAD_PERCENT'
  | 'KEYPAD_LINE_WEIGHED'
  | 'KEYPAD_LINE_NOT_WEIGHED'
  | 'KEYPAD_SAME_PRICE';

export function isKeypadKey(key: string): key is KeypadKey {
  return (keypadKeys as readonly string[]).includes(key);
}

function parsePrice(text: string, currency: string): number | null {
  try {
    return parseMoneyInput(text, currency).minor;
  } catch (e) {
    if (isKassaError(e) && e.code === 'MONEY_BAD_INPUT') return null;
    throw e;
  }
}

/** What `text` then `key` asks of `line`, or why it cannot be done. */
export function keypadCommand(
  key: KeypadKey,
  text: string,
  line: SessionLine | null,
  currency: string,
): { ok: true; command: KeypadCommand } | { ok: false; code: KeypadProblem } {
  if (!line) return { ok: false, code: 'KEYPAD_NO_LINE' };
  const typed = text.trim();
  switch (key) {
    case '*': {
      if (line.unit === 'kg' && line.grams !== null) return { ok: false, code: 'KEYPAD_LINE_WEIGHED' };
      const quantity = /^\d{1,5}$/.test(typed) ? Number(typed) : NaN;
      return validQuantity(quantity)
        ? { ok: true, command: { kind: 'quantity', quantity } }
        : { ok: false, code: 'KEYPAD_BAD_QUANTITY' };
    }
    case '/': {
      if (line.unit !== 'kg') return { ok: false, code: 'KEYPAD_LINE_NOT_WEIGHED' };
      const grams = parseKilograms(typed);
      return grams !== null && validGrams(grams)
        ? { ok: true, command: { kind: 'weight', grams } }
        : { ok: false, code: 'KEYPAD_BAD_WEIGHT' };
    }
    case '+': {
      const unitPriceMinor = parsePrice(typed, currency);
      if (unitPriceMinor === null) return { ok: false, code: 'KEYPAD_BAD_PRICE' };
      if (unitPriceMinor === line.unitPriceMinor) return { ok: false, code: 'KEYPAD_SAME_PRICE' };
      return { ok: true, command: { kind: 'price', unitPriceMinor } };
    }
    case '-': {
      const percent = /^\d{1,3}$/.test(typed) ? Number(typed) : NaN;
      return Number.isInteger(percent) && percent >= 1 && percent <= 100
        ? { ok: true, command: { kind: 'discount', percent } }
        : { ok: false, code: 'KEYPAD_BAD_PERCENT' };
    }
  }
}
