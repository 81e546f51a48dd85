/**
 * The decision behind the keyboard wedge, free of the DOM so it can be tested
 * in Node: for each keydown (and each Shift keyup), whether the page must
 * swallow it, what held-back typing to give back to the focused field, and
 * whether a scan completed or a burst was rejected.
 *
 * Invariants: a key that may belong to a scan is always swallowed (a scan never
 * reaches a text field); a scan or a rejected burst is reported at most once,
 * and not at all while the host owns a keyboard-mode scanner (its scans and
 * rejections arrive over IPC instead); every swallowed key that turns out to
 * be typing is handed back, in order.
 */
import type { BurstRejection, WedgeConfig } from '../../shared/ipc';
import { createBurstDetector, type BurstKey, type BurstOutcome } from '../../shared/scanner/burst-detector';

/** The parts of a KeyboardEvent the wedge looks at. */
export type WedgeKey = {
  key: string;
  timeMs: number;
  ctrlKey?: boolean;
  metaKey?: boolean;
  altKey?: boolean;
  isComposing?: boolean;
  /** A held key repeating: a person, never a scanner. */
  repeat?: boolean;
};

export type WedgeAction = {
  /** Stop the key reaching the page (it is held back or part of a scan). */
  swallow: boolean;
  /** Held-back typing to put into the focused field now ('' for none). */
  replay: string;
  /** A completed scan to handle, or null. */
  scan: string | null;
  /** A burst that looked like a scanner but was not read cleanly: show it, or null. */
  rejected: { data: string; reason: BurstRejection } | null;
  /** Ask for `flush` once `quietMs` passes without a key. */
  scheduleFlush: boolean;
};

export type Wedge = {
  key: (k: WedgeKey) => WedgeAction;
  /** A key released: only Shift matters (scanners that send it in a report of its own). Never swallowed. */
  keyUp: (k: WedgeKey) => WedgeAction;
  /** Called after a quiet spell: a held burst is over. */
  flush: (timeMs: number) => WedgeAction;
};

const pass: WedgeAction = { swallow: false, replay: '', scan: null, rejected: null, scheduleFlush: false };

export const toBurstKey = (key: string): BurstKey | null => {
  if (key === 'Enter' || key === 'Tab') return { kind: 'terminator' };
  if (key.length === 1) return { kind: 'char', char: key };
  if (key === 'Shift') return { kind: 'modifier' };
  if (key === 'CapsLock') return null;
  return { kind: 'other' };
};

export function createWedge(config: WedgeConfig, suppressed: () => boolean): Wedge {
  const detector = createBurstDetector(config);
  const act = (outcome: BurstOutcome | null, swallow: boolean, scheduleFlush: boolean): WedgeAction => {
    const quiet = suppressed();
    return {
      swallow,
      replay: outcome?.kind === 'typing' ? outcome.text : '',
      scan: outcome?.kind === 'scan' && !quiet ? outcome.data : null,
      rejected: outcome?.kind === 'rejected' && !quiet ? { data: outcome.data, reason: outcome.reason } : null,
      scheduleFlush,
    };
  };
  return {
    key(k) {
      if (k.ctrlKey || k.metaKey || k.altKey || k.isComposing) return pass;
      const key = k.repeat ? { kind: 'other' as const } : toBurstKey(k.key);
      if (!key) return pass;
      const step = detector.feed(key, k.timeMs);
      // A held character waits for more keys or the quiet time; a held suffix ends the burst.
      return act(step.outcome, step.held, step.held && key.kind === 'char');
    },
    keyUp(k) {
      if (k.key !== 'Shift') return pass;
      return act(detector.feed({ kind: 'modifier' }, k.timeMs).outcome, false, false);
    },
    flush(timeMs) {
      const outcome = detector.flush(timeMs);
      // Called too early (timers are not exact): still holding, so look again later.
      return act(outcome, false, detector.holding());
    },
  };
}
