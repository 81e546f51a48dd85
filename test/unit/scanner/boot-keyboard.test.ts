/** Keyboard-mode scanners read through hidraw: boot keyboard reports → scans. */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { wedgeConfigSchema } from '../../../shared/ipc';
import { createBootKeyboardDecoder, encodeBootKeyboard } from '../../../shared/scanner/boot-keyboard';
import { DE, US } from '../../../shared/scanner/keyboard-layouts';
import { keyboardReportLayout } from '../../../shared/scanner/report-descriptor';
import { COMPOSITE_SCANNER_DESCRIPTOR, PACKED_KEYBOARD_DESCRIPTOR } from '../../support/hid-descriptors';

const wedge = wedgeConfigSchema.parse({});
const feed = (reports: Uint8Array[], gapMs: number, layout = US) => {
  const d = createBootKeyboardDecoder({ layout, wedge });
  return reports.flatMap((r, i) => d.push(r, 1000 + i * gapMs));
};

describe('boot keyboard decoder', () => {
  it('decodes a scanner burst byte for byte: press, release, Enter', () => {
    // "4" = usage 0x21, "0" = 0x27, Enter = 0x28.
    const reports = [
      [0, 0, 0x21, 0, 0, 0, 0, 0],
      [0, 0, 0, 0, 0, 0, 0, 0],
      ...Array.from('006381333931', (c) => [
        [0, 0, c === '0' ? 0x27 : 0x1d + Number(c), 0, 0, 0, 0, 0],
        [0, 0, 0, 0, 0, 0, 0, 0],
      ]).flat(),
      [0, 0, 0x28, 0, 0, 0, 0, 0],
      [0, 0, 0, 0, 0, 0, 0, 0],
    ].map((r) => Uint8Array.from(r));
    expect(feed(reports, 1)).toEqual([{ kind: 'scan', data: '4006381333931' }]);
  });

  it('applies Shift, and reads 9-byte reports with a report id', () => {
    const reports = encodeBootKeyboard('KM0123456789').map((r) => Uint8Array.from([0x01, ...r]));
    expect(feed(reports, 1)).toEqual([{ kind: 'scan', data: 'KM0123456789' }]);
  });

  it('uses the layout the scanner emulates (German QWERTZ swaps Y and Z)', () => {
    const reports = encodeBootKeyboard('Zyx-12345', US);
    expect(feed(reports, 1, DE)).toEqual([{ kind: 'scan', data: 'Yzx-12345'.replace('-', 'ß') }]);
    expect(feed(encodeBootKeyboard('Zyx-12345', DE), 1, DE)).toEqual([{ kind: 'scan', data: 'Zyx-12345' }]);
  });

  it('handles key rollover and ignores the ErrorRollOver phantom state', () => {
    const r = (...keys: number[]) => Uint8Array.from([0, 0, ...keys, ...Array<number>(6 - keys.length).fill(0)]);
    // "1" held, "2" added (rollover), "1" released, phantom state, "3", then digits 4-6, Enter.
    const reports = [
      r(0x1e),
      r(0x1e, 0x1f),
      r(0x1f),
      r(1, 1, 1, 1, 1, 1),
      r(0x20),
      r(0x21),
      r(0x22),
      r(0x23),
      r(0x28),
      r(),
    ];
    expect(feed(reports, 1)).toEqual([{ kind: 'scan', data: '123456' }]);
  });

  it('a person typing on the device is not a scan', () => {
    const out = feed(encodeBootKeyboard('4006381333931'), 120);
    expect(out.some((o) => o.kind === 'scan')).toBe(false);
  });

  it('a report lost inside a burst spoils that code, and the next code reads normally', () => {
    const first = encodeBootKeyboard('4006381333931');
    const broken = [...first.slice(0, 8), Uint8Array.from([0, 0, 0x22]), ...first.slice(8)];
    const d = createBootKeyboardDecoder({ wedge });
    const out = broken.flatMap((r, i) => d.push(r, 1000 + i));
    expect(out.filter((o) => o.kind === 'scan')).toEqual([]);
    expect(out).toEqual([
      { kind: 'dropped', reason: 'not a boot keyboard report (3 bytes)' },
      // Shown to the cashier as not read, with nothing to use: a character may be missing.
      { kind: 'rejected', data: '', reason: { code: 'lost-report' } },
    ]);
    const next = encodeBootKeyboard('96385074').flatMap((r, i) => d.push(r, 2000 + i));
    expect(next.filter((o) => o.kind === 'scan')).toEqual([{ kind: 'scan', data: '96385074' }]);
  });

  it('a separate Shift report between characters keeps the burst together (reports 10 ms apart)', () => {
    // "Ab1": Shift down alone, Shift + A, Shift alone (A released), nothing (Shift released), b, release, 1, ...
    const reports = [
      [0x02, 0, 0, 0, 0, 0, 0, 0],
      [0x02, 0, 0x04, 0, 0, 0, 0, 0],
      [0x02, 0, 0, 0, 0, 0, 0, 0],
      [0, 0, 0, 0, 0, 0, 0, 0],
      [0, 0, 0x05, 0, 0, 0, 0, 0],
      [0, 0, 0, 0, 0, 0, 0, 0],
      ...[0x1e, 0x1f, 0x20, 0x21].flatMap((k) => [
        [0, 0, k, 0, 0, 0, 0, 0],
        [0, 0, 0, 0, 0, 0, 0, 0],
      ]),
      [0x20, 0, 0, 0, 0, 0, 0, 0], // right Shift alone
      [0x20, 0, 0x06, 0, 0, 0, 0, 0], // C
      [0x20, 0, 0, 0, 0, 0, 0, 0],
      [0, 0, 0, 0, 0, 0, 0, 0],
      [0, 0, 0x28, 0, 0, 0, 0, 0],
      [0, 0, 0, 0, 0, 0, 0, 0],
    ].map((r) => Uint8Array.from(r));
    expect(feed(reports, 10)).toEqual([{ kind: 'scan', data: 'Ab1234C' }]);
  });

  it('reads 9-byte reports with report id 3 where the descriptor says so, and ignores the consumer report 2', () => {
    const report = keyboardReportLayout(COMPOSITE_SCANNER_DESCRIPTOR)!;
    const d = createBootKeyboardDecoder({ wedge, report });
    const reports = [
      [0x03, 0x02, 0, 0x0e, 0, 0, 0, 0, 0], // Shift + k = "K"
      [0x03, 0, 0, 0, 0, 0, 0, 0, 0],
      [0x02, 0xe9, 0x00], // consumer key Volume Up from the same device: not a keyboard report
      [0x03, 0x02, 0, 0x10, 0, 0, 0, 0, 0], // "M"
      [0x03, 0, 0, 0, 0, 0, 0, 0, 0],
      ...Array.from('1234567', (c) => [
        [0x03, 0, 0, 0x1d + Number(c), 0, 0, 0, 0, 0],
        [0x03, 0, 0, 0, 0, 0, 0, 0, 0],
      ]).flat(),
      [0x03, 0, 0, 0x28, 0, 0, 0, 0, 0],
      [0x03, 0, 0, 0, 0, 0, 0, 0, 0],
    ].map((r) => Uint8Array.from(r));
    expect(reports.flatMap((r, i) => d.push(r, 1000 + i))).toEqual([{ kind: 'scan', data: 'KM1234567' }]);
    // Assumed rather than read, the same reports are not boot keyboard reports.
    const assumed = createBootKeyboardDecoder({ wedge });
    expect(assumed.push(reports[0]!, 0)).toEqual([{ kind: 'dropped', reason: 'not a boot keyboard report (9 bytes)' }]);
  });

  it('reads a report without the reserved byte (modifiers at 1, keys from 2) as its descriptor declares', () => {
    const report = keyboardReportLayout(PACKED_KEYBOARD_DESCRIPTOR)!;
    const d = createBootKeyboardDecoder({ wedge, report });
    const reports = [...Array.from('4006381333931', (c) => (c === '0' ? 0x27 : 0x1d + Number(c))), 0x28].flatMap(
      (k) => [Uint8Array.from([0x04, 0, k, 0, 0, 0, 0, 0]), Uint8Array.from([0x04, 0, 0, 0, 0, 0, 0, 0])],
    );
    expect(reports.flatMap((r, i) => d.push(r, i))).toEqual([{ kind: 'scan', data: '4006381333931' }]);
    expect(d.push(Uint8Array.from([0x04, 0, 0x1e]), 100)).toEqual([
      { kind: 'dropped', reason: 'keyboard report too short (3 bytes, 8 expected)' },
    ]);
  });

  it('a scanner without a suffix: the quiet time ends the code (flush)', () => {
    const d = createBootKeyboardDecoder({ wedge: wedgeConfigSchema.parse({ suffix: 'optional', quietMs: 50 }) });
    const reports = encodeBootKeyboard('96385074').slice(0, -2); // without Enter
    expect(reports.flatMap((r, i) => d.push(r, i))).toEqual([]);
    expect(d.flush(20)).toEqual([]);
    expect(d.flush(15 + 51)).toEqual([{ kind: 'scan', data: '96385074' }]);
  });

  it('a burst slowed down mid-way is rejected with what was read', () => {
    const d = createBootKeyboardDecoder({ wedge });
    const reports = encodeBootKeyboard('4006381333931');
    // Reports 1 ms apart, and 60 ms lost before the 6th key press (report 10): 62 ms between two key presses.
    const out = reports.flatMap((r, i) => d.push(r, 1000 + i + (i >= 10 ? 60 : 0)));
    expect(out).toEqual([
      { kind: 'rejected', data: '4006381333931', reason: { code: 'too-slow', maxGapMs: 62, limitMs: 30 } },
    ]);
  });

  const typeable = fc.string({
    unit: fc.constantFrom(...'ABCXYZabcxyz0123456789-./:'.split('')),
    minLength: 6,
    maxLength: 40,
  });

  it('scanner bursts amid a person typing on the same device: exactly the codes, whole (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(typeable, fc.string({ unit: 'grapheme-ascii', maxLength: 8 }), fc.boolean())),
        (items) => {
          const d = createBootKeyboardDecoder({ wedge });
          let t = 0;
          const out: string[] = [];
          const run = (reports: Uint8Array[], gapMs: number) => {
            for (const r of reports) {
              for (const o of d.push(r, t)) if (o.kind === 'scan') out.push(o.data);
              t += gapMs;
            }
            t += 500;
          };
          for (const [code, typed, enter] of items) {
            // A person types at 75 ms per report (150 ms per key), with or without Enter.
            const human = encodeBootKeyboard(typed.replace(/[^a-z0-9]/gi, ''));
            run(enter ? human : human.slice(0, -2), 75);
            run(encodeBootKeyboard(code), 1);
          }
          expect(out).toEqual(items.map((i) => i[0]));
        },
      ),
    );
  });

  it('never emits a part of a code when reports arrive cut short anywhere (property)', () => {
    fc.assert(
      fc.property(
        fc.array(typeable, { minLength: 1, maxLength: 5 }),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 7 })), { maxLength: 4 }),
        (codes, cuts) => {
          const timeline = codes.flatMap((code, n) => encodeBootKeyboard(code).map((r, i) => ({ r, t: n * 1000 + i })));
          // A cut report is a lost report: its key press or release never reaches the decoder whole.
          for (const [at, length] of cuts) {
            const slot = timeline[at % timeline.length]!;
            slot.r = slot.r.subarray(0, length);
          }
          const d = createBootKeyboardDecoder({ wedge });
          const out = timeline.flatMap(({ r, t }) => d.push(r, t)).flatMap((o) => (o.kind === 'scan' ? [o.data] : []));
          for (const s of out) expect(codes).toContain(s);
          if (cuts.length === 0) expect(out).toEqual(codes);
        },
      ),
    );
  });

  it('never throws on random reports and only emits codes it was sent (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ minLength: 0, maxLength: 12 }), { maxLength: 40 }), (reports) => {
        const d = createBootKeyboardDecoder({ wedge });
        for (const [i, r] of reports.entries()) {
          for (const o of d.push(r, i)) if (o.kind === 'scan') expect(o.data.length).toBeGreaterThanOrEqual(6);
        }
      }),
    );
  });
});
