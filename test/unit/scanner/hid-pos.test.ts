/**
 * HID POS Scanned Data Reports (usage page 0x8C) through the pure decoder,
 * from byte-exact fixtures: report id 2, byte count, AIM symbology id, data,
 * "continued" flag in the last byte.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { aimSymbology, createHidPosDecoder, encodeHidPosReports } from '../../../shared/scanner/hid-pos';

const ascii = (s: string) => Array.from(s, (c) => c.charCodeAt(0));
/** A 64-byte report as a HID POS scanner sends it. */
const report = (bytes: number[], continued = false) => {
  const r = new Uint8Array(64);
  r.set(bytes);
  r[63] = continued ? 1 : 0;
  return r;
};

describe('HID POS decoder', () => {
  it('decodes an EAN-13 report byte for byte', () => {
    // 0x02 report id, 0x10 = 16 bytes follow (3 AIM + 13 data), "]E0", "4006381333931".
    const r = report([0x02, 0x10, 0x5d, 0x45, 0x30, ...ascii('4006381333931')]);
    expect(createHidPosDecoder().push(r)).toEqual({
      kind: 'scan',
      scan: { data: '4006381333931', symbology: 'EAN-13', aim: ']E0' },
    });
  });

  it('maps AIM identifiers to symbologies', () => {
    expect([']E0', ']E4', ']C0', ']C1', ']Q1', ']d1', ']d2', ']A0', ']I0', ']L0', ']X0'].map(aimSymbology)).toEqual([
      'EAN-13',
      'EAN-8',
      'Code 128',
      'GS1-128',
      'QR',
      'DataMatrix',
      'GS1 DataMatrix',
      'Code 39',
      'Interleaved 2 of 5',
      'PDF417',
      'unknown',
    ]);
  });

  it('joins continued reports into one code', () => {
    const code = `kassa:m:01J9ZQ6V4B8M3N2P5R7S9T0W1X:${'a'.repeat(90)}`;
    const reports = encodeHidPosReports(']Q1', code);
    expect(reports.length).toBeGreaterThan(1);
    const d = createHidPosDecoder();
    const outcomes = reports.map((r) => d.push(r));
    expect(outcomes.slice(0, -1).every((o) => o.kind === 'partial')).toBe(true);
    expect(outcomes.at(-1)).toEqual({ kind: 'scan', scan: { data: code, symbology: 'QR', aim: ']Q1' } });
  });

  it('drops garbage, truncated reports, wrong report ids and interleaved codes without emitting a part', () => {
    const d = createHidPosDecoder();
    expect(d.push(Uint8Array.from([0x02, 0x05]))).toMatchObject({ kind: 'dropped' });
    expect(d.push(report([0x01, 0x10, 0x5d, 0x45, 0x30, ...ascii('4006381333931')]))).toMatchObject({
      kind: 'dropped',
      reason: 'unexpected report id 1',
    });
    expect(d.push(report([0x02, 0x50, 0x5d, 0x45, 0x30]))).toMatchObject({ kind: 'dropped' });
    expect(d.push(report([0x02, 0x06, 0x41, 0x45, 0x30, 0x31, 0x32, 0x33]))).toMatchObject({
      kind: 'dropped',
      reason: 'missing AIM symbology identifier',
    });
    // A continued QR, then an EAN-13 report arrives: the half QR is thrown away, not glued on.
    const [first] = encodeHidPosReports(']Q1', 'x'.repeat(100));
    expect(d.push(first!)).toEqual({ kind: 'partial' });
    expect(d.push(report([0x02, 0x10, 0x5d, 0x45, 0x30, ...ascii('4006381333931')]))).toMatchObject({
      kind: 'dropped',
    });
    // The decoder has recovered: the next complete code comes through whole.
    expect(d.push(report([0x02, 0x10, 0x5d, 0x45, 0x30, ...ascii('4006381333931')]))).toMatchObject({ kind: 'scan' });
  });

  it('emits every code whole, exactly once, in order (property)', () => {
    const codes = fc.array(
      fc.string({ minLength: 1, maxLength: 200 }).filter((s) => !s.includes('\u0000')),
      { maxLength: 6 },
    );
    fc.assert(
      fc.property(codes, (list) => {
        const d = createHidPosDecoder();
        const out = list.flatMap((c) => encodeHidPosReports(']C0', c).map((r) => d.push(r)));
        expect(out.filter((o) => o.kind === 'scan').map((o) => (o.kind === 'scan' ? o.scan.data : ''))).toEqual(list);
      }),
    );
  });

  it('never throws on noise, and a code after noise still comes through whole (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ minLength: 0, maxLength: 70 }), { maxLength: 10 }), (noise) => {
        const d = createHidPosDecoder();
        for (const r of noise) d.push(r);
        d.reset();
        const [only] = encodeHidPosReports(']E0', '4006381333931');
        expect(d.push(only!)).toMatchObject({ kind: 'scan', scan: { data: '4006381333931' } });
      }),
    );
  });
});
