/**
 * Keyboard-mode scanners read directly through hidraw: boot keyboard input
 * reports → characters → scans. Pure: bytes and times in, scans out.
 *
 * Boot keyboard report (HID 1.11, Appendix B.1): 8 bytes —
 *   byte 0  modifier bits: 0 LCtrl, 1 LShift, 2 LAlt, 3 LGUI, 4 RCtrl,
 *           5 RShift, 6 RAlt (AltGr), 7 RGUI
 *   byte 1  reserved
 *   bytes 2–7  up to six usage ids (Keyboard/Keypad page 0x07) held down
 * Some devices prefix report id 1 (9 bytes). A key is typed when its usage
 * appears that was not down in the previous report (key rollover: several
 * new keys in one report are typed in report order). All six slots 0x01
 * (ErrorRollOver) is a phantom state and is ignored. Enter (0x28, keypad
 * 0x58) and Tab (0x2B) end a code; the burst timing rule decides whether
 * what came before is a scan.
 *
 * Invariant: a burst that a malformed report interrupted is spoiled — its
 * terminator yields "dropped", never the characters around the gap; the
 * next burst (after a pause longer than `maxInterKeyMs`) reads normally.
 */
import type { WedgeConfig } from '../ipc';
import { createBurstDetector } from './burst-detector';
import { US, type KeyboardLayout } from './keyboard-layouts';

const ENTER = 0x28;
const KEYPAD_ENTER = 0x58;
const TAB = 0x2b;
const ERROR_ROLLOVER = 0x01;
const SHIFT_BITS = 0x02 | 0x20;
const ALTGR_BIT = 0x40;

export type KeyboardOutcome = { kind: 'scan'; data: string } | { kind: 'none' } | { kind: 'dropped'; reason: string };

export type BootKeyboardDecoder = {
  push: (report: Uint8Array, timeMs: number) => KeyboardOutcome[];
  flush: (timeMs: number) => KeyboardOutcome[];
};

export const createBootKeyboardDecoder = (options: {
  layout?: KeyboardLayout;
  wedge: WedgeConfig;
}): BootKeyboardDecoder => {
  const layout = options.layout ?? US;
  const burst = createBurstDetector(options.wedge);
  let down = new Set<number>();
  let spoiled = false;
  let lastAt = Number.NEGATIVE_INFINITY;

  const typed = (usage: number, modifiers: number, timeMs: number): KeyboardOutcome[] => {
    if (usage === ENTER || usage === KEYPAD_ENTER || usage === TAB) {
      if (spoiled) {
        spoiled = false;
        burst.feed({ kind: 'other' }, timeMs);
        return [{ kind: 'dropped', reason: 'incomplete code (a report was lost)' }];
      }
      const r = burst.feed({ kind: 'terminator' }, timeMs);
      if (r.kind === 'scan') return [{ kind: 'scan', data: r.data }];
      return r.kind === 'typing' && r.replay ? [{ kind: 'dropped', reason: 'too slow for a scanner' }] : [];
    }
    const chars = layout.keys.get(usage);
    const ch = chars
      ? ((modifiers & ALTGR_BIT ? chars[2] : undefined) ?? (modifiers & SHIFT_BITS ? chars[1] : chars[0]))
      : undefined;
    const r = ch === undefined ? burst.feed({ kind: 'other' }, timeMs) : burst.feed({ kind: 'char', char: ch }, timeMs);
    return r.kind === 'typing' && r.replay ? [{ kind: 'dropped', reason: 'too slow for a scanner' }] : [];
  };

  return {
    push(input, timeMs) {
      if (timeMs - lastAt > options.wedge.maxInterKeyMs) spoiled = false;
      lastAt = timeMs;
      const report = input.length === 9 && input[0] === 0x01 ? input.subarray(1) : input;
      if (report.length !== 8) {
        // Keys may have been lost with it: whatever burst is in progress cannot be trusted.
        spoiled = true;
        return [{ kind: 'dropped', reason: `not a boot keyboard report (${input.length} bytes)` }];
      }
      const keys = Array.from(report.subarray(2)).filter((k) => k !== 0);
      if (keys.length > 0 && keys.every((k) => k === ERROR_ROLLOVER)) return [];
      const modifiers = report[0]!;
      const out: KeyboardOutcome[] = [];
      for (const usage of keys) if (!down.has(usage)) out.push(...typed(usage, modifiers, timeMs));
      down = new Set(keys);
      return out;
    },
    flush(timeMs) {
      const r = burst.flush(timeMs);
      return r?.kind === 'typing' && r.replay ? [{ kind: 'dropped', reason: 'incomplete code (no Enter)' }] : [];
    },
  };
};

/** The reports a scanner in keyboard mode sends for a string: press, release, per character, then Enter. */
export const encodeBootKeyboard = (text: string, layout: KeyboardLayout = US): Uint8Array[] => {
  const reverse = new Map<string, [number, number]>();
  for (const [usage, chars] of layout.keys) {
    if (!reverse.has(chars[0])) reverse.set(chars[0], [usage, 0]);
    if (!reverse.has(chars[1])) reverse.set(chars[1], [usage, 0x02]);
    if (chars[2] && !reverse.has(chars[2])) reverse.set(chars[2], [usage, ALTGR_BIT]);
  }
  const reports: Uint8Array[] = [];
  for (const ch of text) {
    const key = reverse.get(ch);
    if (!key) throw new Error(`Layout ${layout.id} cannot type ${JSON.stringify(ch)}`);
    reports.push(Uint8Array.from([key[1], 0, key[0], 0, 0, 0, 0, 0]), new Uint8Array(8));
  }
  reports.push(Uint8Array.from([0, 0, ENTER, 0, 0, 0, 0, 0]), new Uint8Array(8));
  return reports;
};
