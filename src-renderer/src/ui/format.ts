/** How the till screen writes money, times and receipt numbers. */
import { language } from '../i18n';
import { localMoney } from './strings';

export function money(minor: number, currency: string): string {
  return localMoney(minor, currency);
}

/** A time of day in the till's own zone, or null for no time. */
export function clockTime(iso: string | null): string | null {
  return iso ? new Date(iso).toLocaleTimeString(language()) : null;
}

/** A receipt's number as printed: the till, then the number on it (`till-1-000042`). */
export function receiptLabel(tillId: string, receiptNo: number): string {
  return `${tillId}-${String(receiptNo).padStart(6, '0')}`;
}

/** Date and time in the store's time zone (the till's own zone until the store is known). */
export function storeTime(iso: string, timeZone: string | undefined): string {
  return new Intl.DateTimeFormat(language(), { dateStyle: 'medium', timeStyle: 'short', timeZone }).format(
    new Date(iso),
  );
}

/** A weighed line's weight as shown: `1.250 kg`. */
export function kilograms(grams: number): string {
  return `${(grams / 1000).toFixed(3)} kg`;
}

/** A store-local calendar day (`2026-12-10`) as the till's language writes a date. */
export function storeDay(day: string): string {
  return new Intl.DateTimeFormat(language(), { dateStyle: 'medium', timeZone: 'UTC' }).format(
    new Date(`${day}T12:00:00Z`),
  );
}

/** A day of the year (`12-10`, a birthday) as the till's language writes it, without a year. */
export function monthDay(md: string): string {
  return new Intl.DateTimeFormat(language(), { day: 'numeric', month: 'long', timeZone: 'UTC' }).format(
    new Date(`2000-${md}T12:00:00Z`),
  );
}

/** Typed points: "+50", "50", "-20" or "−20" as signed whole points; NaN when the text is not one. */
export function parsePoints(text: string): number {
  const m = /^\s*([+\-−]?)\s*(\d{1,9})\s*$/.exec(text);
  if (!m) return Number.NaN;
  const n = Number(m[2]);
  return m[1] === '-' || m[1] === '−' ? -n : n;
}

/** Points with their sign: "+50", "−20". */
export function signedPoints(points: number): string {
  return points > 0 ? `+${points}` : `−${-points}`;
}
