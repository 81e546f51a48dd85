/**
 * Store-local calendar arithmetic, pure and float-free: every time rule is
 * evaluated in the store's IANA time zone (Intl, available in Node and every
 * browser). Dates are `YYYY-MM-DD` strings.
 */
export type LocalParts = { date: string; year: number; month: number; day: number; dayOfWeek: number };

const WEEKDAY: Record<string, number> = { Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6, Sun: 7 };

// Building an Intl formatter is costly: one per zone, and the last answer is remembered
// (a quote asks for the same instant once per rule).
const formatters = new Map<string, Intl.DateTimeFormat>();
let last: { at: string; timeZone: string; parts: LocalParts } | null = null;

export const localParts = (at: string, timeZone: string): LocalParts => {
  if (last && last.at === at && last.timeZone === timeZone) return last.parts;
  let fmt = formatters.get(timeZone);
  if (!fmt) {
    fmt = new Intl.DateTimeFormat('en-US', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      weekday: 'short',
    });
    formatters.set(timeZone, fmt);
  }
  const parts = fmt.formatToParts(new Date(at));
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  const result: LocalParts = {
    date: `${get('year')}-${get('month')}-${get('day')}`,
    year: Number(get('year')),
    month: Number(get('month')),
    day: Number(get('day')),
    dayOfWeek: WEEKDAY[get('weekday')] ?? 1,
  };
  last = { at, timeZone, parts: result };
  return result;
};

export const localDate = (at: string, timeZone: string): string => localParts(at, timeZone).date;

/** A running total for one store-local day, as member state keeps what counts against a daily cap. */
export type DayTotal<K extends string> = { date: string } & Record<K, number>;

/** What `total` holds for `date` (0 when it is another day's total). */
export function amountOnDay<K extends string>(total: DayTotal<K> | null, key: K, date: string): number {
  return total && total.date === date ? total[key] : 0;
}

/**
 * `total` after `amount` more on `date`: a later day starts again from `amount`, the same day adds, and an earlier
 * day (a late fact) is history and leaves it as it is.
 */
export function addOnDay<K extends string>(
  total: DayTotal<K> | null,
  key: K,
  date: string,
  amount: number,
): DayTotal<K> | null {
  if (amount <= 0) return total;
  if (!total || date > total.date) return { date, [key]: amount } as DayTotal<K>;
  if (date === total.date) return { ...total, [key]: total[key] + amount };
  return total;
}

/** Days from date a to date b (both YYYY-MM-DD), via UTC noon so DST never matters. */
export const daysBetween = (a: string, b: string): number =>
  Math.round((Date.parse(`${b}T12:00:00Z`) - Date.parse(`${a}T12:00:00Z`)) / 86_400_000);

export const addDays = (date: string, days: number): string =>
  new Date(Date.parse(`${date}T12:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);

/** Same day `months` later, clamped to the month's last day (31 Jan + 1 month = 28/29 Feb). */
export const addMonths = (date: string, months: number): string => {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const total = y * 12 + (m - 1) + months;
  const year = Math.floor(total / 12);
  const month = (total % 12) + 1;
  const last = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return `${year}-${String(month).padStart(2, '0')}-${String(Math.min(d, last)).padStart(2, '0')}`;
};

export const inWindow = (
  window: { from?: string; to?: string; daysOfWeek?: number[] } | undefined,
  at: string,
  timeZone: string,
): boolean => {
  if (!window) return true;
  const local = localParts(at, timeZone);
  if (window.from && local.date < window.from) return false;
  if (window.to && local.date > window.to) return false;
  if (window.daysOfWeek && !window.daysOfWeek.includes(local.dayOfWeek)) return false;
  return true;
};
