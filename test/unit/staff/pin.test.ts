/**
 * PIN hashes and attempt limits (shared/staff): a hash verifies only its own
 * PIN, malformed hashes never verify, and the guard locks a cashier after five
 * wrong PINs and the whole till after ten, for doubling times, until a right PIN.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hashPin, verifyPin } from '../../../shared/staff/pin';
import {
  justLocked,
  lockedUntil,
  PIN_POLICY,
  recordFailure,
  recordSuccess,
  TILL_KEY,
  type PinGuard,
} from '../../../shared/staff/pin-guard';
import { isWeakPin } from '../../../src-server/admin/staff';
import { needsSupervisor, VOID_SUPERVISOR_THRESHOLD_MINOR } from '../../../shared/staff/till-events';

describe('PIN hashes', () => {
  it('verify their own PIN only, with a fresh salt each time', async () => {
    const a = await hashPin('4071', 2_000);
    const b = await hashPin('4071', 2_000);
    expect(a).not.toBe(b);
    expect(await verifyPin('4071', a)).toBe(true);
    expect(await verifyPin('4071', b)).toBe(true);
    for (const wrong of ['4070', '40710', '0407', '', '4071 ', 'abcd']) expect(await verifyPin(wrong, a)).toBe(false);
  });

  it('never verify against a malformed or tampered hash', async () => {
    const good = await hashPin('4071', 2_000);
    const [prefix, iter, salt, hash] = good.split('$');
    const flipped = hash!.slice(0, -2) + (hash!.at(-2) === 'A' ? 'B' : 'A') + hash!.slice(-1);
    expect(flipped).not.toBe(hash);
    for (const bad of [
      '',
      'x',
      `scrypt$${iter}$${salt}$${hash}`,
      `${prefix}$${iter}$${salt}`,
      `${prefix}$${iter}$${salt}$${hash}$extra`,
      `${prefix}$999$${salt}$${hash}`,
      `${prefix}$NaN$${salt}$${hash}`,
      `${prefix}$${iter}$${salt}$${flipped}`,
      `${prefix}$${iter}$!!$${hash}`,
      `${prefix}$${iter}$${salt}$${hash!.slice(4)}`,
    ])
      expect(await verifyPin('4071', bad)).toBe(false);
  });

  it('refuse the PINs a stranger tries first', () => {
    for (const pin of ['0000', '1111', '1234', '2345', '9876', '43210', '12345678']) expect(isWeakPin(pin)).toBe(true);
    for (const pin of ['4071', '1357', '2580', '1243', '9898']) expect(isWeakPin(pin)).toBe(false);
  });
});

describe('the PIN guard', () => {
  const t0 = Date.UTC(2026, 11, 2, 9);

  it('locks a cashier after five wrong PINs, for doubling times capped at an hour, and a right PIN clears it', () => {
    let g: PinGuard = {};
    for (let i = 1; i < PIN_POLICY.freeAttempts; i++) {
      g = recordFailure(g, 'c1', t0);
      expect(lockedUntil(g, 'c1', t0)).toBeNull();
    }
    const before = g;
    g = recordFailure(g, 'c1', t0);
    expect(justLocked(before, g, 'c1', t0)).toBe(true);
    expect(lockedUntil(g, 'c1', t0)).toBe(t0 + PIN_POLICY.baseLockMs);
    // Another cashier is not locked by it.
    expect(lockedUntil(g, 'c2', t0)).toBeNull();
    // After the lock, each further failure doubles it.
    const later = t0 + PIN_POLICY.baseLockMs + 1;
    expect(lockedUntil(g, 'c1', later)).toBeNull();
    g = recordFailure(g, 'c1', later);
    expect(lockedUntil(g, 'c1', later)).toBe(later + 2 * PIN_POLICY.baseLockMs);
    for (let i = 0; i < 20; i++) g = recordFailure(g, 'c1', later);
    expect(lockedUntil(g, 'c1', later)).toBe(later + PIN_POLICY.maxLockMs);
    g = recordSuccess(g, 'c1');
    expect(lockedUntil(g, 'c1', later)).toBeNull();
    expect(g[TILL_KEY]).toBeUndefined();
  });

  it('locks the whole till after ten wrong PINs spread over cashiers', () => {
    let g: PinGuard = {};
    for (let i = 0; i < PIN_POLICY.tillFreeAttempts; i++) g = recordFailure(g, `c${i % 5}`, t0);
    // No cashier reached five, but the till did: everyone waits.
    expect(Object.entries(g).filter(([k, e]) => k !== TILL_KEY && e.failures >= 5)).toEqual([]);
    expect(lockedUntil(g, 'c9', t0)).toBe(t0 + PIN_POLICY.baseLockMs);
  });

  it('never lets a failure shorten a lock or leave a cashier with five or more failures unlocked', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.constantFrom('a', 'b', 'c'), fc.boolean(), fc.nat(10 * 60_000)), { maxLength: 60 }),
        (steps) => {
          let g: PinGuard = {};
          let now = t0;
          for (const [who, right, wait] of steps) {
            now += wait;
            if (lockedUntil(g, who, now) !== null) {
              // While locked nothing is checked: the guard is unchanged.
              continue;
            }
            if (right) {
              g = recordSuccess(g, who);
              continue;
            }
            const before = lockedUntil(g, who, now);
            g = recordFailure(g, who, now);
            const after = lockedUntil(g, who, now);
            if (before !== null) expect(after).toBeGreaterThanOrEqual(before);
            if ((g[who]?.failures ?? 0) >= PIN_POLICY.freeAttempts) expect(after).not.toBeNull();
          }
        },
      ),
    );
  });
});

describe('actions above a cashier', () => {
  it('a void at or over the threshold needs a supervisor, unless a supervisor does it', () => {
    expect(needsSupervisor('cashier', 'void-basket', VOID_SUPERVISOR_THRESHOLD_MINOR - 1)).toBe(false);
    expect(needsSupervisor('cashier', 'void-basket', VOID_SUPERVISOR_THRESHOLD_MINOR)).toBe(true);
    expect(needsSupervisor('supervisor', 'void-basket', 10 * VOID_SUPERVISOR_THRESHOLD_MINOR)).toBe(false);
  });
});
