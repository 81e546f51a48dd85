/**
 * Tells a scanner's burst of keys from a person typing, by timing alone.
 *
 * A scanner in keyboard mode "types" a whole code in a few milliseconds and
 * ends with Enter or Tab (or, set up without a suffix, just stops). A person
 * is an order of magnitude slower. Each gap between keys votes: within
 * `maxInterKeyMs` it is a scanner's, longer it is a person's. Keys are held
 * back while the fast votes are not outnumbered; once the slow ones win, what
 * was held is given back as typing. A burst is over at Enter/Tab, or after
 * `quietMs` without a key. It is then:
 * - a scan: every gap fast, at least `minLength` characters, and a suffix
 *   (or `suffix: 'optional'`);
 * - rejected: it looked like a scanner (at least 4 characters, most gaps
 *   fast) but was not read cleanly — a gap too long (a scanner on a loaded
 *   machine), too short, no suffix. What was read is returned with the reason
 *   so the till can show it and let the cashier use it or scan again;
 * - typing: anything else, given back to whatever field has focus.
 *
 * Shift pressed or released on its own (scanners that send a separate Shift
 * report around a capital) is a `modifier` key: it types nothing, but the
 * next gap is measured from it, so the extra reports do not stretch the
 * gaps between characters. A slow modifier still votes slow.
 *
 * Invariants: a burst yields at most one outcome; a rejected burst is never a
 * scan; the suffix of a burst that already ended (by quiet time) is held back
 * too, so it never reaches the page as a stray Enter.
 *
 * Pure and clock-free: callers pass the time of each key.
 */
import type { BurstRejection, WedgeConfig } from '../ipc';

export type BurstKey =
  | { kind: 'char'; char: string }
  | { kind: 'terminator' }
  /** Shift pressed or released: no character, but the device is still sending. */
  | { kind: 'modifier' }
  | { kind: 'other' };

export type BurstOutcome =
  | { kind: 'scan'; data: string }
  /** A person typing: the held-back characters, to give to the focused field. */
  | { kind: 'typing'; text: string }
  /** It looked like a scanner but was not read cleanly: what was read, and why. */
  | { kind: 'rejected'; data: string; reason: BurstRejection };

export type BurstStep = {
  /** What the keys held so far turned out to be, when this key decided it; else null. */
  outcome: BurstOutcome | null;
  /** This key is held back: part of a burst that may be a scan, or its suffix. */
  held: boolean;
};

export type BurstDetector = {
  feed: (key: BurstKey, timeMs: number) => BurstStep;
  /** Call after `quietMs` without a key: a burst still held is over. */
  flush: (timeMs: number) => BurstOutcome | null;
  /** Keys are held back (a flush is due once `quietMs` has passed). */
  holding: () => boolean;
};

/** Fewer characters than this, typed fast, are typing (a person's key rollover), never a rejected scan. */
export const SCANNER_LIKE_MIN_CHARS = 4;
/** How long after a burst ended by quiet time its late suffix is still recognised, in units of `quietMs`. */
const LATE_SUFFIX_QUIETS = 3;

export function createBurstDetector(config: WedgeConfig): BurstDetector {
  let text = '';
  let fast = 0;
  let slow = 0;
  let maxGap = 0;
  let lastAt = Number.NEGATIVE_INFINITY;
  /** A terminator with nothing held before this time is the suffix of a burst that ended by quiet time. */
  let lateSuffixUntil = Number.NEGATIVE_INFINITY;

  const start = (char: string, timeMs: number, slowGap: number | null) => {
    text = char;
    fast = 0;
    slow = slowGap === null ? 0 : 1;
    maxGap = slowGap ?? 0;
    lastAt = timeMs;
  };

  const scannerLike = () => text.length >= SCANNER_LIKE_MIN_CHARS && fast > slow;

  const finish = (ended: 'suffix' | 'quiet'): BurstOutcome => {
    const data = text;
    const clean = slow === 0;
    const looksScanned = scannerLike();
    text = '';
    if (clean && data.length >= config.minLength && (ended === 'suffix' || config.suffix === 'optional'))
      return { kind: 'scan', data };
    if (!looksScanned) return { kind: 'typing', text: data };
    const reason: BurstRejection = !clean
      ? { code: 'too-slow', maxGapMs: Math.round(maxGap), limitMs: config.maxInterKeyMs }
      : data.length < config.minLength
        ? { code: 'too-short', length: data.length, minLength: config.minLength }
        : { code: 'no-suffix' };
    return { kind: 'rejected', data, reason };
  };

  const release = (): BurstOutcome => {
    const typed = text;
    text = '';
    return { kind: 'typing', text: typed };
  };

  const endByQuiet = (): BurstOutcome => {
    const outcome = finish('quiet');
    if (outcome.kind !== 'typing') lateSuffixUntil = lastAt + LATE_SUFFIX_QUIETS * config.quietMs;
    return outcome;
  };

  return {
    feed(key, timeMs) {
      const gap = timeMs - lastAt;
      // A flush that came late (a busy machine): the burst was over before this key.
      const ended = text !== '' && gap > config.quietMs ? endByQuiet() : null;
      const holding = text !== '';
      const isFast = gap <= config.maxInterKeyMs;

      switch (key.kind) {
        case 'modifier': {
          if (!holding) return { outcome: ended, held: false };
          lastAt = timeMs;
          if (isFast) return { outcome: ended, held: false };
          slow += 1;
          maxGap = Math.max(maxGap, gap);
          return { outcome: slow > fast && fast + slow >= 2 ? release() : null, held: false };
        }
        case 'other':
          return { outcome: holding ? release() : ended, held: false };
        case 'terminator': {
          if (!holding) {
            const lateSuffix = ended ? ended.kind !== 'typing' : timeMs <= lateSuffixUntil;
            lateSuffixUntil = Number.NEGATIVE_INFINITY;
            return { outcome: ended, held: lateSuffix };
          }
          if (isFast) fast += 1;
          else {
            slow += 1;
            maxGap = Math.max(maxGap, gap);
          }
          lastAt = timeMs;
          const outcome = finish('suffix');
          return { outcome, held: outcome.kind !== 'typing' };
        }
        case 'char': {
          if (!holding) {
            start(key.char, timeMs, null);
            return { outcome: ended, held: true };
          }
          if (isFast) {
            text += key.char;
            fast += 1;
            lastAt = timeMs;
            return { outcome: null, held: true };
          }
          if (slow + 1 > fast && fast + slow + 1 >= 2) {
            // The slow gaps win: what was held was typing. This key may start a burst, but carries its slow gap.
            const typed = text;
            start(key.char, timeMs, gap);
            return { outcome: { kind: 'typing', text: typed }, held: true };
          }
          text += key.char;
          slow += 1;
          maxGap = Math.max(maxGap, gap);
          lastAt = timeMs;
          return { outcome: null, held: true };
        }
      }
    },
    flush(timeMs) {
      if (text === '' || timeMs - lastAt <= config.quietMs) return null;
      return endByQuiet();
    },
    holding: () => text !== '',
  };
}
