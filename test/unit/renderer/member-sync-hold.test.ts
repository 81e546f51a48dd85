/**
 * The hold a till puts on its member catch-up while it commits a sale
 * (`holdGate`, member-sync.ts): the catch-up waits while held, goes on when
 * let go, and a hold never let go ends by itself.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { holdGate } from '../../../src-renderer/src/db/member-sync';

async function settled(p: Promise<void>): Promise<boolean> {
  let done = false;
  void p.then(() => (done = true));
  await Promise.resolve();
  await Promise.resolve();
  return done;
}

describe('the hold on the member catch-up', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('lets the catch-up go on when not held, waits while held, and goes on when let go', async () => {
    const gate = holdGate();
    expect(await settled(gate.unheld())).toBe(true);
    gate.set(true);
    const waiting = gate.unheld();
    expect(await settled(waiting)).toBe(false);
    // Held twice (two sales in a row) is one hold.
    gate.set(true);
    expect(await settled(gate.unheld())).toBe(false);
    gate.set(false);
    expect(await settled(waiting)).toBe(true);
    expect(await settled(gate.unheld())).toBe(true);
  });

  it('ends a hold that is never let go after its limit', async () => {
    vi.useFakeTimers();
    const gate = holdGate(3000);
    gate.set(true);
    const waiting = gate.unheld();
    vi.advanceTimersByTime(2999);
    expect(await settled(waiting)).toBe(false);
    vi.advanceTimersByTime(1);
    expect(await settled(waiting)).toBe(true);
  });
});
