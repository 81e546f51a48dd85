/**
 * Money: integer minor units plus an ISO 4217 currency code. Never floats.
 *
 * Invariants: `minor` is always a safe integer; arithmetic across currencies
 * throws; every division names its rounding rule explicitly.
 */
import { z } from 'zod';
import { KassaError } from './errors';

export const currencySchema = z.string().regex(/^[A-Z]{3}$/, 'ISO 4217 code, e.g. EUR');
export const minorSchema = z.number().int().refine(Number.isSafeInteger, 'safe integer');

export const moneySchema = z.object({ minor: minorSchema, currency: currencySchema });
export type Money = z.infer<typeof moneySchema>;

export type Rounding = 'down' | 'up' | 'half-up' | 'half-even';

export const money = (minor: number, currency: string): Money => {
  if (!Number.isSafeInteger(minor)) {
    throw new KassaError('MONEY_NOT_INTEGER', `Amount must be whole minor units, got ${minor}`);
  }
  return { minor, currency };
};

const sameCurrency = (a: Money, b: Money): void => {
  if (a.currency !== b.currency) {
    throw new KassaError('MONEY_CURRENCY_MISMATCH', `Cannot combine ${a.currency} and ${b.currency}`);
  }
};

export const addMoney = (a: Money, b: Money): Money => {
  sameCurrency(a, b);
  return money(a.minor + b.minor, a.currency);
};

export const subtractMoney = (a: Money, b: Money): Money => {
  sameCurrency(a, b);
  return money(a.minor - b.minor, a.currency);
};

export const sumMoney = (items: readonly Money[], currency: string): Money =>
  items.reduce((acc, m) => addMoney(acc, m), money(0, currency));

/**
 * Integer division of numerator/denominator with an explicit rounding rule.
 * Works on non-negative and negative numerators; denominator must be > 0.
 */
export const divideRounded = (numerator: number, denominator: number, rounding: Rounding): number => {
  if (!Number.isSafeInteger(numerator) || !Number.isSafeInteger(denominator) || denominator <= 0) {
    throw new KassaError('MONEY_BAD_DIVISION', `Cannot divide ${numerator} by ${denominator}`);
  }
  const q = Math.trunc(numerator / denominator);
  const r = numerator - q * denominator;
  if (r === 0) return q;
  const floor = r > 0 ? q : q - 1;
  const ceil = floor + 1;
  switch (rounding) {
    case 'down':
      return floor;
    case 'up':
      return ceil;
    case 'half-up': {
      const twice = 2 * (numerator - floor * denominator);
      return twice >= denominator ? ceil : floor;
    }
    case 'half-even': {
      const twice = 2 * (numerator - floor * denominator);
      if (twice > denominator) return ceil;
      if (twice < denominator) return floor;
      return floor % 2 === 0 ? floor : ceil;
    }
  }
};

/** amount × numerator / denominator, rounded as stated (e.g. a percentage: n=15, d=100). */
export const scaleMinor = (minor: number, numerator: number, denominator: number, rounding: Rounding): number =>
  divideRounded(minor * numerator, denominator, rounding);

const DIGITS: Record<string, number> = { JPY: 0, KRW: 0, ISK: 0, HUF: 2, BHD: 3, KWD: 3, JOD: 3, TND: 3 };
export const currencyDigits = (currency: string): number => DIGITS[currency] ?? 2;

/** Formats for display without floats: 12345 EUR -> "123.45 EUR". */
export const formatMoney = (m: Money): string => {
  const digits = currencyDigits(m.currency);
  const sign = m.minor < 0 ? '-' : '';
  const abs = Math.abs(m.minor)
    .toString()
    .padStart(digits + 1, '0');
  const whole = digits === 0 ? abs : abs.slice(0, -digits);
  const frac = digits === 0 ? '' : `.${abs.slice(-digits)}`;
  return `${sign}${whole}${frac} ${m.currency}`;
};

/**
 * An amount typed by a cashier ("20", "20.5", "20,50") as whole minor units of `currency`, read digit by digit
 * (never through a float). Refuses signs, more decimals than the currency has, and anything but digits and one
 * separator: MONEY_BAD_INPUT.
 */
export function parseMoneyInput(text: string, currency: string): Money {
  const digits = currencyDigits(currency);
  const m = /^(\d{1,13})(?:[.,](\d*))?$/.exec(text.trim());
  const frac = m?.[2] ?? '';
  const minor =
    m && frac.length <= digits ? Number(m[1]) * 10 ** digits + Number(frac.padEnd(digits, '0') || '0') : NaN;
  // At most 10^12 minor units: what a sale may carry.
  if (!(minor <= 10 ** 12)) {
    throw new KassaError('MONEY_BAD_INPUT', `Not an amount in ${currency}: “${text.trim()}”`);
  }
  return money(minor, currency);
}

/** `minor` less `percent` % (a whole 1–100), rounded half up to a whole minor unit, in integers throughout. */
export function percentOff(minor: number, percent: number): number {
  return Math.floor((minor * (100 - percent) * 2 + 100) / 200);
}
