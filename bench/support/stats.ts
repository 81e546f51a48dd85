/** Small statistics for bench reports: percentiles of a sample and fixed-width number formatting. */

export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

export function fmt(value: number | null | undefined, digits = 0): string {
  if (value === null || value === undefined || Number.isNaN(value)) return '–';
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

export function ratio(a: number | null | undefined, b: number | null | undefined): string {
  if (!a || !b) return '–';
  return `${(a / b).toFixed(2)}×`;
}

/** One line of a bench's report. */
export function say(line: string): void {
  process.stdout.write(`${line}\n`);
}
