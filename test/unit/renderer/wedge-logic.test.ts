/**
 * The keyboard wedge's decisions: a burst becomes exactly one scan and none of
 * its keys reach the page; typing is handed back whole and in order; while the
 * host owns a keyboard-mode scanner, bursts are swallowed but not counted.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createWedge, type Wedge } from '../../../src-renderer/src/wedge-logic';

const config = { maxInterKeyMs: 30, minLength: 6 };

/** Feeds keys at the given times; returns what the page would see. */
const run = (wedge: Wedge, keys: Array<{ key: string; at: number }>, quietAt?: number) => {
  let typed = '';
  const passed: string[] = [];
  const scans: string[] = [];
  for (const k of keys) {
    const a = wedge.key({ key: k.key, timeMs: k.at });
    typed += a.replay;
    if (!a.swallow) passed.push(k.key);
    if (a.scan !== null) scans.push(a.scan);
  }
  if (quietAt !== undefined) typed += wedge.flush(quietAt);
  return { typed, passed, scans };
};

const burst = (code: string, start: number) => [
  ...[...code].map((c, i) => ({ key: c, at: start + i * 2 })),
  { key: 'Enter', at: start + code.length * 2 },
];

describe('keyboard wedge', () => {
  it('turns a fast burst ending in Enter into one scan and lets no key through', () => {
    const r = run(
      createWedge(config, () => false),
      burst('2990000000026', 1000),
    );
    expect(r.scans).toEqual(['2990000000026']);
    expect(r.passed).toEqual([]);
    expect(r.typed).toBe('');
  });

  it('hands slow typing back to the field, in order, after a quiet spell', () => {
    const keys = [...'0612345678'].map((c, i) => ({ key: c, at: 1000 + i * 150 }));
    const r = run(
      createWedge(config, () => false),
      keys,
      1000 + 10 * 150 + 100,
    );
    expect(r.scans).toEqual([]);
    expect(r.typed).toBe('0612345678');
  });

  it('a short fast burst is typing, not a scan', () => {
    const r = run(
      createWedge(config, () => false),
      burst('123', 0),
      500,
    );
    expect(r.scans).toEqual([]);
    expect(r.typed).toBe('123');
    // The Enter itself goes to the page (it submits the form the cashier is typing in).
    expect(r.passed).toEqual(['Enter']);
  });

  it('swallows but does not count a burst while the host owns a keyboard-mode scanner', () => {
    const r = run(
      createWedge(config, () => true),
      burst('8710000000118', 0),
    );
    expect(r.scans).toEqual([]);
    expect(r.passed).toEqual([]);
    expect(r.typed).toBe('');
  });

  it('leaves shortcuts alone', () => {
    const wedge = createWedge(config, () => false);
    expect(wedge.key({ key: 'a', timeMs: 0, ctrlKey: true }).swallow).toBe(false);
    expect(wedge.key({ key: 'Shift', timeMs: 1 }).swallow).toBe(false);
  });

  it('typing around a scan: the typing comes back whole and the scan comes once', () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^[0-9a-z]{0,12}$/),
        fc.stringMatching(/^[0-9]{8,14}$/),
        fc.stringMatching(/^[0-9a-z]{0,12}$/),
        fc.integer({ min: 40, max: 400 }),
        (before, code, after, gap) => {
          let t = 0;
          const slow = (s: string) => [...s].map((c) => ({ key: c, at: (t += gap) }));
          const keys = [...slow(before)];
          t += gap;
          keys.push(...burst(code, t));
          t += code.length * 2 + gap;
          keys.push(...slow(after));
          const r = run(
            createWedge(config, () => false),
            keys,
            t + gap,
          );
          expect(r.scans).toEqual([code]);
          expect(r.typed).toBe(before + after);
        },
      ),
    );
  });
});
