/**
 * The keyboard wedge's decisions: a burst becomes exactly one scan and none of
 * its keys reach the page; typing is handed back whole and in order; while the
 * host owns a keyboard-mode scanner, bursts are swallowed but not counted.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { wedgeConfigSchema } from '../../../shared/ipc';
import { createWedge, type Wedge, type WedgeAction } from '../../../src-renderer/src/wedge-logic';

const config = wedgeConfigSchema.parse({});

type Key = { key: string; at: number; up?: boolean; repeat?: boolean };

/** Feeds keydowns (and keyups) at the given times; returns what the page would see. */
const run = (wedge: Wedge, keys: Key[], quietAt?: number) => {
  let typed = '';
  const passed: string[] = [];
  const scans: string[] = [];
  const rejected: Array<NonNullable<WedgeAction['rejected']>> = [];
  const take = (a: WedgeAction) => {
    typed += a.replay;
    if (a.scan !== null) scans.push(a.scan);
    if (a.rejected) rejected.push(a.rejected);
  };
  for (const k of keys) {
    if (k.up) {
      take(wedge.keyUp({ key: k.key, timeMs: k.at }));
      continue;
    }
    const a = wedge.key({ key: k.key, timeMs: k.at, repeat: k.repeat });
    if (!a.swallow) passed.push(k.key);
    take(a);
  }
  if (quietAt !== undefined) take(wedge.flush(quietAt));
  return { typed, passed, scans, rejected };
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

  it('a burst whose gaps drift over the limit is reported once with what was read; no key reaches the page', () => {
    const keys = [...'2990000000026'].map((c, i) => ({ key: c, at: 1000 + i * 2 + (i >= 7 ? 40 : 0) }));
    keys.push({ key: 'Enter', at: 1000 + 13 * 2 + 40 });
    const r = run(
      createWedge(config, () => false),
      keys,
      2000,
    );
    expect(r.scans).toEqual([]);
    expect(r.rejected).toEqual([{ data: '2990000000026', reason: { code: 'too-slow', maxGapMs: 42, limitMs: 30 } }]);
    expect(r.passed).toEqual([]);
    expect(r.typed).toBe('');
  });

  it('a short burst of 4–5 characters is reported as too short rather than typed into a field', () => {
    const r = run(
      createWedge(config, () => false),
      burst('4711', 0),
      500,
    );
    expect(r.rejected).toEqual([{ data: '4711', reason: { code: 'too-short', length: 4, minLength: 6 } }]);
    expect(r.typed).toBe('');
    // With the till configured for short codes it is a scan.
    const short = run(
      createWedge(wedgeConfigSchema.parse({ minLength: 4 }), () => false),
      burst('4711', 0),
      500,
    );
    expect(short.scans).toEqual(['4711']);
  });

  it('accepts a scanner that sends Shift in reports of its own between characters (defaults)', () => {
    // 10 ms per report: Shift down, key down, key up (no event needed), Shift up; then the next key.
    const keys: Key[] = [];
    let t = 1000;
    for (const c of 'KM0001AB') {
      if (/[A-Z]/.test(c)) {
        keys.push({ key: 'Shift', at: t }, { key: c, at: t + 10 }, { key: 'Shift', at: t + 30, up: true });
        t += 40;
      } else {
        keys.push({ key: c, at: t });
        t += 20;
      }
    }
    keys.push({ key: 'Enter', at: t });
    const r = run(
      createWedge(config, () => false),
      keys,
      t + 500,
    );
    expect(r.scans).toEqual(['KM0001AB']);
    expect(r.rejected).toEqual([]);
    // Shift itself is not held back: it types nothing.
    expect(r.passed).toEqual(keys.filter((k) => k.key === 'Shift' && !k.up).map(() => 'Shift'));
  });

  it('a scanner without a suffix: the quiet time ends the code', () => {
    const wedge = createWedge(wedgeConfigSchema.parse({ suffix: 'optional', quietMs: 60 }), () => false);
    const r = run(
      wedge,
      [...'4006381333931'].map((c, i) => ({ key: c, at: i * 3 })),
    );
    expect(r.scans).toEqual([]);
    expect(wedge.flush(40)).toMatchObject({ scan: null, scheduleFlush: true }); // too early: look again later
    expect(wedge.flush(36 + 61)).toMatchObject({ scan: '4006381333931', replay: '', scheduleFlush: false });
  });

  it('a key held down and repeating is a person, never a scan', () => {
    const keys: Key[] = [
      { key: '0', at: 0 },
      ...Array.from({ length: 12 }, (_, i) => ({ key: '0', at: 300 + i * 25, repeat: true })),
    ];
    keys.push({ key: 'Enter', at: 300 + 12 * 25 });
    const r = run(
      createWedge(config, () => false),
      keys,
      2000,
    );
    expect(r.scans).toEqual([]);
    expect(r.rejected).toEqual([]);
    expect(r.typed).toBe('0');
    expect(r.passed.filter((k) => k === '0')).toHaveLength(12);
  });

  it('while the host owns a keyboard-mode scanner, its rejected bursts are not reported twice', () => {
    const r = run(
      createWedge(config, () => true),
      burst('4711', 0),
      500,
    );
    expect(r.rejected).toEqual([]);
    expect(r.passed).toEqual([]);
  });

  it('leaves shortcuts alone', () => {
    const wedge = createWedge(config, () => false);
    expect(wedge.key({ key: 'a', timeMs: 0, ctrlKey: true }).swallow).toBe(false);
    expect(wedge.key({ key: 'Shift', timeMs: 1 }).swallow).toBe(false);
  });

  it('typing around a scan: the typing comes back whole and the scan comes once (property)', () => {
    // Typing at any speed from a fast typist's to a slow one's; typing and the scan a quiet time apart.
    const apart = config.quietMs + 1;
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
          t += apart;
          keys.push(...burst(code, t));
          t += code.length * 2 + apart - gap;
          keys.push(...slow(after));
          const r = run(
            createWedge(config, () => false),
            keys,
            t + apart,
          );
          expect(r.scans).toEqual([code]);
          expect(r.typed).toBe(before + after);
        },
      ),
    );
  });
});
