/**
 * Keyboard-mode scanners read directly through hidraw: keyboard input
 * reports → characters → scans. Pure: bytes and times in, scans out.
 *
 * Boot keyboard report (HID 1.11, Appendix B.1): 8 bytes —
 *   byte 0  modifier bits: 0 LCtrl, 1 LShift, 2 LAlt, 3 LGUI, 4 RCtrl,
 *           5 RShift, 6 RAlt (AltGr), 7 RGUI
 *   byte 1  reserved
 *   bytes 2–7  up to six usage ids (Keyboard/Keypad page 0x07) held down
 * A device that numbers its reports (a composite keyboard) puts its report
 * id first, and may place the fields elsewhere: the caller reads the
 * device's report descriptor (report-descriptor.ts) and passes the layout.
 * Without one, the boot layout is assumed, with or without a leading report
 * id 1 (9 bytes). Reports with another id than the layout's are the
 * device's other functions (consumer keys) and are ignored.
 *
 * A key is typed when its usage appears that was not down in the previous
 * report (key rollover: several new keys in one report are typed in report
 * order). All six slots 0x01 (ErrorRollOver) is a phantom state and is
 * ignored. A report that only changes the modifiers (a scanner's separate
 * Shift report) is a modifier key to the burst rule, so it does not stretch
 * the gaps between characters. Enter (0x28, keypad 0x58) and Tab (0x2B) end
 * a code; the burst rule (burst-detector.ts) decides whether what came
 * before is a scan, a burst to show as not read, or a person typing (which
 * the operating system types anyway, so it is dropped here).
 *
 * Invariant: a burst that a malformed report interrupted is spoiled — it
 * ends as rejected with nothing read ('lost-report'), never as the
 * characters around the gap; the next burst (after `quietMs` without a
 * report) reads normally.
 */
import type { BurstRejection, WedgeConfig } from '../ipc';
import { createBurstDetector, type BurstOutcome } from './burst-detector';
import { US, type KeyboardLayout } from './keyboard-layouts';
import type { KeyboardReportLayout } from './report-descriptor';

const ENTER = 0x28;
const KEYPAD_ENTER = 0x58;
const TAB = 0x2b;
const ERROR_ROLLOVER = 0x01;
const SHIFT_BITS = 0x02 | 0x20;
const ALTGR_BIT = 0x40;

export type KeyboardOutcome =
  | { kind: 'scan'; data: string }
  /** A burst that looked like a scanner but was not read cleanly ('' when nothing of it can be trusted). */
  | { kind: 'rejected'; data: string; reason: BurstRejection }
  /** A report that could not be read. */
  | { kind: 'dropped'; reason: string };

export type BootKeyboardDecoder = {
  push: (report: Uint8Array, timeMs: number) => KeyboardOutcome[];
  /** Call after `quietMs` without a report: ends a burst without a suffix. */
  flush: (timeMs: number) => KeyboardOutcome[];
};

export function createBootKeyboardDecoder(options: {
  layout?: KeyboardLayout;
  wedge: WedgeConfig;
  /** From the device's report descriptor; without it, the boot layout (optionally after report id 1). */
  report?: KeyboardReportLayout;
}): BootKeyboardDecoder {
  const layout = options.layout ?? US;
  const burst = createBurstDetector(options.wedge);
  let down = new Set<number>();
  let modifiersBefore = 0;
  let spoiled = false;
  let lastAt = Number.NEGATIVE_INFINITY;

  const outcomeOf = (o: BurstOutcome | null): KeyboardOutcome[] => {
    if (!o || o.kind === 'typing') {
      // The operating system types what a person types on the device; nothing of it is a scan.
      if (o) spoiled = false;
      return [];
    }
    if (spoiled) {
      spoiled = false;
      return [{ kind: 'rejected', data: '', reason: { code: 'lost-report' } }];
    }
    return [o];
  };

  const typed = (usage: number, modifiers: number, timeMs: number): KeyboardOutcome[] => {
    if (usage === ENTER || usage === KEYPAD_ENTER || usage === TAB)
      return outcomeOf(burst.feed({ kind: 'terminator' }, timeMs).outcome);
    const chars = layout.keys.get(usage);
    const ch = chars
      ? ((modifiers & ALTGR_BIT ? chars[2] : undefined) ?? (modifiers & SHIFT_BITS ? chars[1] : chars[0]))
      : undefined;
    const step = burst.feed(ch === undefined ? { kind: 'other' } : { kind: 'char', char: ch }, timeMs);
    return outcomeOf(step.outcome);
  };

  /** The modifier byte and the key slots of a report, or a reason it cannot be read (null: not a keyboard report). */
  const fields = (input: Uint8Array): { modifiers: number; keys: Uint8Array } | string | null => {
    const r = options.report;
    if (r) {
      if (r.reportId !== null && input[0] !== r.reportId) return null;
      if (input.length < r.length) return `keyboard report too short (${input.length} bytes, ${r.length} expected)`;
      return {
        modifiers: r.modifiersAt === null ? 0 : input[r.modifiersAt]!,
        keys: input.subarray(r.keysAt, r.keysAt + r.keyCount),
      };
    }
    const report = input.length === 9 && input[0] === 0x01 ? input.subarray(1) : input;
    if (report.length !== 8) return `not a boot keyboard report (${input.length} bytes)`;
    return { modifiers: report[0]!, keys: report.subarray(2) };
  };

  return {
    push(input, timeMs) {
      const out: KeyboardOutcome[] = [];
      if (timeMs - lastAt > options.wedge.quietMs) {
        // A burst left unfinished by a pause is over (a flush that came late); a new one starts clean.
        out.push(...outcomeOf(burst.flush(timeMs)));
        spoiled = false;
      }
      lastAt = timeMs;
      const f = fields(input);
      if (f === null) return out;
      if (typeof f === 'string') {
        // Keys may have been lost with it: whatever burst is in progress cannot be trusted.
        spoiled = true;
        out.push({ kind: 'dropped', reason: f });
        return out;
      }
      const keys = Array.from(f.keys).filter((k) => k !== 0);
      if (keys.length > 0 && keys.every((k) => k === ERROR_ROLLOVER)) return out;
      const fresh = keys.filter((k) => !down.has(k));
      for (const usage of fresh) out.push(...typed(usage, f.modifiers, timeMs));
      if (fresh.length === 0 && f.modifiers !== modifiersBefore)
        out.push(...outcomeOf(burst.feed({ kind: 'modifier' }, timeMs).outcome));
      down = new Set(keys);
      modifiersBefore = f.modifiers;
      return out;
    },
    flush(timeMs) {
      return outcomeOf(burst.flush(timeMs));
    },
  };
}

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
