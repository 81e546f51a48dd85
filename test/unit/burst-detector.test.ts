import { describe, expect, it } from 'vitest';
import { createBurstDetector, type BurstResult } from '../../shared/scanner/burst-detector';

const config = { maxInterKeyMs: 30, minLength: 6 };

const typeAll = (text: string, gapMs: number, start = 1000): BurstResult[] => {
  const detector = createBurstDetector(config);
  const out: BurstResult[] = [];
  let t = start;
  for (const char of text) {
    out.push(detector.feed({ kind: 'char', char }, t));
    t += gapMs;
  }
  out.push(detector.feed({ kind: 'terminator' }, t));
  return out;
};

describe('burst detector', () => {
  it('a fast burst ending in Enter is a scan', () => {
    const results = typeAll('4006381333931', 4);
    expect(results.at(-1)).toEqual({ kind: 'scan', data: '4006381333931' });
    expect(results.slice(0, -1).every((r) => r.kind === 'buffering')).toBe(true);
  });

  it('a person typing at 120 ms per key is never a scan, and every key is given back', () => {
    const results = typeAll('1234567', 120);
    expect(results.some((r) => r.kind === 'scan')).toBe(false);
    const replayed = results.map((r) => (r.kind === 'typing' ? r.replay : '')).join('');
    expect(replayed).toBe('1234567');
  });

  it('a fast burst shorter than minLength is typing', () => {
    expect(typeAll('12', 2).at(-1)).toEqual({ kind: 'typing', replay: '12' });
  });

  it('flush releases a stale partial burst', () => {
    const detector = createBurstDetector(config);
    detector.feed({ kind: 'char', char: 'a' }, 0);
    expect(detector.flush(10)).toBeNull();
    expect(detector.flush(100)).toEqual({ kind: 'typing', replay: 'a' });
  });
});
