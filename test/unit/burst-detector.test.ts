/**
 * The burst rule on its own: keys and their times in, scans / typing /
 * rejected bursts out. Times are given, so nothing here depends on how
 * loaded the machine running the test is.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { wedgeConfigSchema, type WedgeConfig } from '../../shared/ipc';
import { createBurstDetector, type BurstKey, type BurstOutcome } from '../../shared/scanner/burst-detector';

const config = wedgeConfigSchema.parse({});

type Timed = { key: BurstKey; at: number };
const char = (c: string, at: number): Timed => ({ key: { kind: 'char', char: c }, at });
const enter = (at: number): Timed => ({ key: { kind: 'terminator' }, at });
const shift = (at: number): Timed => ({ key: { kind: 'modifier' }, at });

/** Characters at the given gaps (one gap before each key after the first), then Enter after `enterGap`. */
const timeline = (text: string, gaps: (i: number) => number, enterGap: number | null, start = 1000): Timed[] => {
  let t = start;
  const keys = Array.from(text, (c, i) => char(c, i === 0 ? t : (t += gaps(i))));
  if (enterGap !== null) keys.push(enter(t + enterGap));
  return keys;
};

/** Runs the keys, then a quiet spell; returns every outcome and which keys were held back. */
const run = (keys: Timed[], c: WedgeConfig = config) => {
  const d = createBurstDetector(c);
  const outcomes: BurstOutcome[] = [];
  const held: boolean[] = [];
  for (const k of keys) {
    const step = d.feed(k.key, k.at);
    if (step.outcome) outcomes.push(step.outcome);
    held.push(step.held);
  }
  const end = d.flush((keys.at(-1)?.at ?? 0) + c.quietMs + 1);
  if (end) outcomes.push(end);
  return { outcomes, held };
};

describe('burst detector', () => {
  it('a fast burst ending in Enter is a scan, and every key of it is held back', () => {
    const r = run(timeline('4006381333931', () => 4, 4));
    expect(r.outcomes).toEqual([{ kind: 'scan', data: '4006381333931' }]);
    expect(r.held.every(Boolean)).toBe(true);
  });

  it('a person typing at 120 ms per key is never a scan, and every key is given back', () => {
    const r = run(timeline('1234567', () => 120, 120));
    expect(r.outcomes.every((o) => o.kind === 'typing')).toBe(true);
    expect(r.outcomes.map((o) => (o.kind === 'typing' ? o.text : '')).join('')).toBe('1234567');
    // The Enter is the person's: it goes to the page.
    expect(r.held.at(-1)).toBe(false);
  });

  it('a fast typist (60–90 ms, between the scanner limit and the quiet time) is typing, given back in order', () => {
    const r = run(timeline('0612345678', (i) => 60 + ((i * 7) % 30), 70));
    expect(r.outcomes.every((o) => o.kind === 'typing')).toBe(true);
    expect(r.outcomes.map((o) => (o.kind === 'typing' ? o.text : '')).join('')).toBe('0612345678');
  });

  it('a burst whose key gaps drift over the limit is rejected with everything it read, never split', () => {
    // A scanner on a loaded machine: 2 ms per key, but 45 ms and 70 ms gaps in the middle.
    const r = run(timeline('8710000000118', (i) => (i === 6 ? 45 : i === 9 ? 70 : 2), 2));
    expect(r.outcomes).toEqual([
      { kind: 'rejected', data: '8710000000118', reason: { code: 'too-slow', maxGapMs: 70, limitMs: 30 } },
    ]);
    // Its suffix is held back too: the page must not see a stray Enter.
    expect(r.held.every(Boolean)).toBe(true);
  });

  it('a fast burst shorter than minLength is rejected as too short (4+ characters), typing below that', () => {
    expect(run(timeline('1234', () => 2, 2)).outcomes).toEqual([
      { kind: 'rejected', data: '1234', reason: { code: 'too-short', length: 4, minLength: 6 } },
    ]);
    // Three fast keys are a person's key rollover as much as a scanner: given back, and Enter passes.
    const r = run(timeline('123', () => 2, 2));
    expect(r.outcomes).toEqual([{ kind: 'typing', text: '123' }]);
    expect(r.held.at(-1)).toBe(false);
  });

  it('codes shorter than 6 characters are scans where the till is configured for them', () => {
    const short = wedgeConfigSchema.parse({ minLength: 3 });
    expect(
      run(
        timeline('123', () => 2, 2),
        short,
      ).outcomes,
    ).toEqual([{ kind: 'scan', data: '123' }]);
    expect(
      run(
        timeline('4711', () => 2, 2),
        short,
      ).outcomes,
    ).toEqual([{ kind: 'scan', data: '4711' }]);
    // Still not a person typing three keys slowly.
    expect(
      run(
        timeline('123', () => 120, 120),
        short,
      ).outcomes.some((o) => o.kind === 'scan'),
    ).toBe(false);
  });

  it('a separate Shift report between characters does not break the burst with the default thresholds', () => {
    // Reports 10 ms apart (a low-speed USB keyboard's interval): "K" is Shift down, K down, K up, Shift up.
    // Between the keydowns of two characters lie 40 ms; measured from the Shift events, never more than 20.
    const keys: Timed[] = [];
    let t = 1000;
    for (const c of 'KM0123A') {
      if (c === c.toLowerCase()) {
        keys.push(char(c, t));
        t += 20;
      } else {
        keys.push(shift(t), char(c, t + 10), shift(t + 30));
        t += 40;
      }
    }
    keys.push(enter(t));
    expect(run(keys).outcomes).toEqual([{ kind: 'scan', data: 'KM0123A' }]);
    // Without the Shift events the same characters are 40 ms apart: rejected, not split and not lost.
    const bare = keys.filter((k) => k.key.kind !== 'modifier');
    expect(run(bare).outcomes).toEqual([
      { kind: 'rejected', data: 'KM0123A', reason: { code: 'too-slow', maxGapMs: 40, limitMs: 30 } },
    ]);
  });

  it('a slow Shift still counts as slow: a person typing capitals is not made fast by it', () => {
    // Shift held 80 ms before each letter, letters 25 ms after the Shift.
    const keys: Timed[] = [];
    let t = 0;
    for (const c of 'ABCDEFG') {
      keys.push(shift(t), char(c, t + 80));
      t += 200;
    }
    keys.push(enter(t));
    const r = run(keys);
    expect(r.outcomes.some((o) => o.kind !== 'typing')).toBe(false);
  });

  describe('scanners without a suffix', () => {
    const noSuffix = wedgeConfigSchema.parse({ suffix: 'optional' });

    it('a quiet spell ends the code', () => {
      const d = createBurstDetector(noSuffix);
      for (const k of timeline('4006381333931', () => 3, null)) expect(d.feed(k.key, k.at).held).toBe(true);
      const last = 1000 + 12 * 3;
      expect(d.flush(last + 50)).toBeNull(); // not quiet long enough yet
      expect(d.flush(last + noSuffix.quietMs + 1)).toEqual({ kind: 'scan', data: '4006381333931' });
      expect(d.holding()).toBe(false);
    });

    it('a flush that came late still ends the code before the next key, which starts a new one', () => {
      const d = createBurstDetector(noSuffix);
      for (const k of timeline('96385074', () => 3, null)) d.feed(k.key, k.at);
      expect(d.feed({ kind: 'char', char: '4' }, 2000)).toEqual({
        outcome: { kind: 'scan', data: '96385074' },
        held: true,
      });
    });

    it('with a suffix required, a burst that just stops is shown as not read (no Enter)', () => {
      expect(run(timeline('4006381333931', () => 3, null)).outcomes).toEqual([
        { kind: 'rejected', data: '4006381333931', reason: { code: 'no-suffix' } },
      ]);
    });

    it('a suffix arriving after the quiet time is held back, not passed on as a stray Enter', () => {
      const d = createBurstDetector(noSuffix);
      for (const k of timeline('96385074', () => 3, null)) d.feed(k.key, k.at);
      expect(d.flush(1021 + noSuffix.quietMs + 1)).toEqual({ kind: 'scan', data: '96385074' });
      expect(d.feed({ kind: 'terminator' }, 1021 + noSuffix.quietMs + 30)).toEqual({ outcome: null, held: true });
      // A later Enter is a person's again.
      expect(d.feed({ kind: 'terminator' }, 5000)).toEqual({ outcome: null, held: false });
    });
  });

  it('scanner bursts, drifting or not, amid typing: clean ones are scans, drifting ones rejected whole (property)', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            before: fc.stringMatching(/^[0-9a-z]{0,8}$/),
            code: fc.stringMatching(/^[0-9A-Z]{6,20}$/),
            drift: fc.option(fc.integer({ min: 31, max: 100 }), { nil: null }),
          }),
          { minLength: 1, maxLength: 5 },
        ),
        (items) => {
          const keys: Timed[] = [];
          let t = 0;
          for (const { before, code, drift } of items) {
            for (const c of before) keys.push(char(c, (t += 150)));
            t += 150;
            keys.push(...timeline(code, (i) => (drift !== null && i === 3 ? drift : 3), 3, t));
            t = keys.at(-1)!.at + 500;
          }
          const { outcomes } = run(keys);
          expect(outcomes.filter((o) => o.kind !== 'typing')).toEqual(
            items.map(({ code, drift }) =>
              drift === null
                ? { kind: 'scan', data: code }
                : { kind: 'rejected', data: code, reason: { code: 'too-slow', maxGapMs: drift, limitMs: 30 } },
            ),
          );
          const typed = outcomes.map((o) => (o.kind === 'typing' ? o.text : '')).join('');
          expect(typed).toBe(items.map((i) => i.before).join(''));
        },
      ),
    );
  });
});
