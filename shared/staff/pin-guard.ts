/**
 * Attempt limits for PINs at the till, as a pure state machine the till
 * persists (so a reload does not reset it).
 *
 * Invariants:
 * - Failures are counted per cashier and for the whole till ("*"): guessing
 *   one cashier's PIN and trying every cashier with one PIN both run out.
 * - After `freeAttempts` consecutive failures a key is locked; each further
 *   failure doubles the lock, up to `maxLockMs`. A correct PIN clears the
 *   cashier's count and the till's; a lock is never lifted early by the clock
 *   going backwards (it is kept until `now` passes it).
 * - While a key is locked no PIN is checked at all, right or wrong.
 */
export type GuardEntry = { failures: number; lockedUntil: number | null };
export type PinGuard = Record<string, GuardEntry>;

export const TILL_KEY = '*';
export const PIN_POLICY = {
  freeAttempts: 5,
  tillFreeAttempts: 10,
  baseLockMs: 60_000,
  maxLockMs: 60 * 60_000,
} as const;

function entryOf(guard: PinGuard, key: string): GuardEntry {
  return guard[key] ?? { failures: 0, lockedUntil: null };
}

/** When the cashier (or the whole till) may try again; null when a PIN may be checked now. */
export function lockedUntil(guard: PinGuard, cashierId: string, now: number): number | null {
  const until = Math.max(entryOf(guard, cashierId).lockedUntil ?? 0, entryOf(guard, TILL_KEY).lockedUntil ?? 0);
  return until > now ? until : null;
}

function fail(entry: GuardEntry, free: number, now: number): GuardEntry {
  const failures = entry.failures + 1;
  if (failures < free) return { failures, lockedUntil: entry.lockedUntil };
  const lockMs = Math.min(PIN_POLICY.baseLockMs * 2 ** (failures - free), PIN_POLICY.maxLockMs);
  return { failures, lockedUntil: now + lockMs };
}

/** The guard after a wrong PIN for this cashier. */
export function recordFailure(guard: PinGuard, cashierId: string, now: number): PinGuard {
  return {
    ...guard,
    [cashierId]: fail(entryOf(guard, cashierId), PIN_POLICY.freeAttempts, now),
    [TILL_KEY]: fail(entryOf(guard, TILL_KEY), PIN_POLICY.tillFreeAttempts, now),
  };
}

/** The guard after a correct PIN: this cashier's and the till's counts start again. */
export function recordSuccess(guard: PinGuard, cashierId: string): PinGuard {
  const { [cashierId]: _cashier, [TILL_KEY]: _till, ...rest } = guard;
  return rest;
}

/** Whether this failure is the one that locked the cashier (the till audits a lock-out once). */
export function justLocked(before: PinGuard, after: PinGuard, cashierId: string, now: number): boolean {
  return lockedUntil(before, cashierId, now) === null && lockedUntil(after, cashierId, now) !== null;
}
