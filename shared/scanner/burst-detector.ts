/**
 * Tells a scanner's burst of keys from a person typing, by timing alone.
 *
 * A scanner in keyboard mode "types" a whole code in a few milliseconds and
 * ends with Enter (or Tab). A person is an order of magnitude slower. Keys
 * arriving within `maxInterKeyMs` of each other extend the current burst; a
 * terminator ends it; a burst of at least `minLength` characters is a scan.
 * Anything slower resets the burst: it was typing, and belongs to whatever
 * field has focus.
 *
 * Pure and clock-free: callers pass the time of each key.
 */
import type { WedgeConfig } from '../ipc';

export type BurstKey = { kind: 'char'; char: string } | { kind: 'terminator' } | { kind: 'other' };

export type BurstResult =
  /** The key is part of a burst still in progress: hold it back from text fields. */
  | { kind: 'buffering' }
  /** A complete scan: the burst's characters. */
  | { kind: 'scan'; data: string }
  /** Not a scan: a person typing (the held-back keys, if any, are returned to replay). */
  | { kind: 'typing'; replay: string };

export type BurstDetector = {
  feed: (key: BurstKey, timeMs: number) => BurstResult;
  /** Call when no key arrived for a while: a stale partial burst is released as typing. */
  flush: (timeMs: number) => BurstResult | null;
};

export const createBurstDetector = (config: WedgeConfig): BurstDetector => {
  let buffer = '';
  let lastAt = Number.NEGATIVE_INFINITY;

  const release = (): BurstResult => {
    const replay = buffer;
    buffer = '';
    return { kind: 'typing', replay };
  };

  return {
    feed(key, timeMs) {
      const gap = timeMs - lastAt;
      const inBurst = buffer.length > 0 && gap <= config.maxInterKeyMs;
      lastAt = timeMs;

      if (key.kind === 'terminator') {
        if (inBurst && buffer.length >= config.minLength) {
          const data = buffer;
          buffer = '';
          return { kind: 'scan', data };
        }
        return release();
      }
      if (key.kind === 'other') return release();

      if (buffer.length > 0 && !inBurst) {
        // Too slow: what was held back was typing; this key may start a new burst.
        const replay = buffer;
        buffer = key.char;
        return { kind: 'typing', replay };
      }
      buffer += key.char;
      return { kind: 'buffering' };
    },
    flush(timeMs) {
      if (buffer.length === 0 || timeMs - lastAt <= config.maxInterKeyMs) return null;
      return release();
    },
  };
};
