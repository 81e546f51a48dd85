/**
 * The decision behind the keyboard wedge, free of the DOM so it can be tested
 * in Node: for each keydown, whether the page must swallow it, what held-back
 * typing to give back to the focused field, and whether a scan completed.
 *
 * Invariants: a key that may belong to a scan is always swallowed (a scan never
 * reaches a text field); a scan is reported at most once, and not at all while
 * the host owns a keyboard-mode scanner (its scans arrive over IPC instead);
 * every swallowed key that turns out to be typing is handed back, in order.
 */
import type { WedgeConfig } from '../../shared/ipc';
import { createBurstDetector, type BurstKey } from '../../shared/scanner/burst-detector';

/** The parts of a KeyboardEvent the wedge looks at. */
export type WedgeKey = {
  key: string;
  timeMs: number;
  ctrlKey?: boolean;
  metaKey?: boolean;
  altKey?: boolean;
  isComposing?: boolean;
};

export type WedgeAction = {
  /** Stop the key reaching the page (it is held back or part of a scan). */
  swallow: boolean;
  /** Held-back typing to put into the focused field now ('' for none). */
  replay: string;
  /** A completed scan to handle, or null. */
  scan: string | null;
  /** Ask for `flush` once `maxInterKeyMs` passes without a key. */
  scheduleFlush: boolean;
};

export type Wedge = {
  key: (k: WedgeKey) => WedgeAction;
  /** Called after a quiet spell: held-back keys were typing. Returns what to replay. */
  flush: (timeMs: number) => string;
};

const pass: WedgeAction = { swallow: false, replay: '', scan: null, scheduleFlush: false };

export const toBurstKey = (key: string): BurstKey | null => {
  if (key === 'Enter' || key === 'Tab') return { kind: 'terminator' };
  if (key.length === 1) return { kind: 'char', char: key };
  if (key === 'Shift' || key === 'CapsLock') return null;
  return { kind: 'other' };
};

export const createWedge = (config: WedgeConfig, suppressed: () => boolean): Wedge => {
  const detector = createBurstDetector(config);
  return {
    key(k) {
      if (k.ctrlKey || k.metaKey || k.altKey || k.isComposing) return pass;
      const key = toBurstKey(k.key);
      if (!key) return pass;
      const result = detector.feed(key, k.timeMs);
      if (result.kind === 'buffering') return { swallow: true, replay: '', scan: null, scheduleFlush: true };
      if (result.kind === 'scan') {
        return { swallow: true, replay: '', scan: suppressed() ? null : result.data, scheduleFlush: false };
      }
      // Typing. A character key is now held as the possible start of a new burst.
      const held = key.kind === 'char';
      return { swallow: held, replay: result.replay, scan: null, scheduleFlush: held };
    },
    flush(timeMs) {
      const r = detector.flush(timeMs);
      return r?.kind === 'typing' ? r.replay : '';
    },
  };
};
