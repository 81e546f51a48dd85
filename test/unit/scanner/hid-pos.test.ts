/**
 * HID POS Scanned Data Reports (usage page 0x8C) through the pure decoder,
 * from byte-exact fixtures in the layout common scanners publish: report id
 * 2, count of decoded-data bytes, AIM symbology id, data, vendor symbology
 * id (byte 61), reserved (62), "continued" flag (63).
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  aimSymbology,
  createHidPosDecoder,
  encodeHidPosReports,
  type ReportOutcome,
} from '../../../shared/scanner/hid-pos';
import { isGs1Aim } from '../../../shared/scanner/aim-symbology';

const ascii = (s: string) => Array.from(s, (c) => c.charCodeAt(0));
/** A 64-byte report exactly as the scanner sends it. */
const report = (head: number[], options: { vendorId?: number; continued?: boolean } = {}) => {
  const r = new Uint8Array(64);
  r.set(head);
  r[61] = options.vendorId ?? 0;
  r[63] = options.continued ? 1 : 0;
  return r;
};
const scans = (outcomes: ReportOutcome[]) => outcomes.flatMap((o) => (o.kind === 'scan' ? [o.scan.data] : []));

describe('HID POS decoder', () => {
  it('decodes an EAN-13 report byte for byte (the count covers the data, not the AIM id)', () => {
    // 0x02 report id, 0x0d = 13 data bytes, "]E0", "4006381333931", byte 61 = vendor code id "d".
    const r = report([0x02, 0x0d, 0x5d, 0x45, 0x30, ...ascii('4006381333931')], { vendorId: 0x64 });
    expect(createHidPosDecoder().push(r)).toEqual({
      kind: 'scan',
      scan: { data: '4006381333931', symbology: 'EAN-13', aim: ']E0' },
    });
    // The encoder used by tests and benchmarks produces the same bytes (vendor id aside).
    expect(Array.from(encodeHidPosReports(']E0', '4006381333931')[0]!)).toEqual(
      Array.from(report([0x02, 0x0d, 0x5d, 0x45, 0x30, ...ascii('4006381333931')])),
    );
  });

  it('joins a 60-byte code sent as 56 + 4 bytes in two reports', () => {
    const code = 'M1DOE/JANE            EABC123 LHRAMSKL 1234 052Y003D0023 100';
    expect(code).toHaveLength(60);
    const first = report([0x02, 56, 0x5d, 0x51, 0x30, ...ascii(code.slice(0, 56))], {
      vendorId: 0x73,
      continued: true,
    });
    const second = report([0x02, 4, 0x5d, 0x51, 0x30, ...ascii(code.slice(56))], { vendorId: 0x73 });
    const d = createHidPosDecoder();
    expect(d.push(first, 0)).toEqual({ kind: 'partial' });
    expect(d.push(second, 1)).toEqual({ kind: 'scan', scan: { data: code, symbology: 'QR', aim: ']Q0' } });
  });

  it('reads reports of other lengths with the same header and trailer', () => {
    const [r] = encodeHidPosReports(']C1', '0104006381333931', 32);
    expect(r).toHaveLength(32);
    expect(createHidPosDecoder().push(r!)).toMatchObject({ kind: 'scan', scan: { data: '0104006381333931' } });
  });

  it('maps AIM identifiers to symbologies, using the data inside the EAN/UPC family', () => {
    const cases: Array<[string, string, string]> = [
      [']E0', '4006381333931', 'EAN-13'],
      [']E0', '036000291452', 'UPC-A'],
      [']E0', '0036000291452', 'UPC-A'],
      [']E0', '01234565', 'UPC-E'],
      [']E3', '400638133393112', 'EAN-13'],
      [']E4', '96385074', 'EAN-8'],
      [']C0', 'KM123', 'Code 128'],
      [']C1', '01', 'GS1-128'],
      [']Q1', 'x', 'QR'],
      [']Q3', '01', 'GS1 QR'],
      [']d1', 'x', 'DataMatrix'],
      [']d2', '01', 'GS1 DataMatrix'],
      [']e0', '01', 'GS1 DataBar'],
      [']A0', 'X', 'Code 39'],
      [']I1', '12', 'Interleaved 2 of 5'],
      [']L0', 'x', 'PDF417'],
      [']z0', 'x', 'Aztec'],
      [']X0', 'x', 'unknown'],
      ['E0', 'x', 'unknown'],
    ];
    expect(cases.map(([aim, data]) => aimSymbology(aim, data))).toEqual(cases.map((c) => c[2]));
    expect([']C1', ']d2', ']Q3', ']e0', ']C0', ']Q1'].map(isGs1Aim)).toEqual([true, true, true, true, false, false]);
  });

  it('ignores other report ids without breaking a code in progress', () => {
    const d = createHidPosDecoder();
    const [a, b] = encodeHidPosReports(']Q1', 'q'.repeat(80));
    expect(d.push(a!)).toEqual({ kind: 'partial' });
    expect(d.push(report([0x04, 0x01, 0x00]))).toEqual({ kind: 'ignored', reason: 'unexpected report id 4' });
    expect(d.push(b!)).toMatchObject({ kind: 'scan', scan: { data: 'q'.repeat(80) } });
  });

  it('drops garbage and truncated reports with a reason', () => {
    const d = createHidPosDecoder();
    expect(d.push(new Uint8Array(0))).toEqual({ kind: 'dropped', reason: 'empty report' });
    expect(d.push(Uint8Array.from([0x02, 0x05]))).toEqual({ kind: 'dropped', reason: 'report too short (2 bytes)' });
    expect(d.push(report([0x02, 0x50, 0x5d, 0x45, 0x30]))).toEqual({ kind: 'dropped', reason: 'bad byte count 80' });
    expect(d.push(report([0x02, 0x03, 0x41, 0x45, 0x30, 0x31, 0x32, 0x33]))).toEqual({
      kind: 'dropped',
      reason: 'missing AIM symbology identifier',
    });
    expect(d.push(report([0x02, 0x00, 0x5d, 0x45, 0x30]))).toEqual({ kind: 'dropped', reason: 'empty code' });
    expect(d.push(encodeHidPosReports(']E0', '4006381333931')[0]!)).toMatchObject({ kind: 'scan' });
  });

  it('interleaved continued reports of two codes: neither is glued together nor emitted in part', () => {
    const d = createHidPosDecoder();
    const qr = encodeHidPosReports(']Q1', 'Q'.repeat(150)); // 3 reports
    const dm = encodeHidPosReports(']d1', 'D'.repeat(150)); // 3 reports
    const out = [qr[0]!, dm[0]!, qr[1]!, dm[1]!, qr[2]!, dm[2]!].map((r) => d.push(r));
    expect(scans(out)).toEqual([]);
    // The decoder has recovered: the next code comes through whole.
    expect(scans(encodeHidPosReports(']E0', '4006381333931').map((r) => d.push(r)))).toEqual(['4006381333931']);
  });

  it('a corrupt report inside a code throws the whole code away, including its remaining parts', () => {
    const d = createHidPosDecoder();
    const code = encodeHidPosReports(']Q1', `${'a'.repeat(56)}${'b'.repeat(56)}${'c'.repeat(20)}`);
    expect(code).toHaveLength(3);
    const truncated = code[1]!.subarray(0, 4);
    const out = [code[0]!, truncated, code[2]!].map((r) => d.push(r));
    expect(out.map((o) => o.kind)).toEqual(['partial', 'dropped', 'dropped']);
    expect(scans(encodeHidPosReports(']E0', '4006381333931').map((r) => d.push(r)))).toEqual(['4006381333931']);
  });

  it('takes the length from the byte count, not the first NUL: binary Data Matrix data keeps its NUL bytes', () => {
    // ]d1, 8 data bytes: 01 00 02 00 00 ff 7f 00 (0xff is not UTF-8: one character per byte), then NUL padding.
    const binary = report([0x02, 0x08, 0x5d, 0x64, 0x31, 0x01, 0x00, 0x02, 0x00, 0x00, 0xff, 0x7f, 0x00]);
    expect(createHidPosDecoder().push(binary)).toEqual({
      kind: 'scan',
      scan: {
        data: '\u0001\u0000\u0002\u0000\u0000\u00ff\u007f\u0000',
        symbology: 'DataMatrix',
        aim: ']d1',
        binary: true,
      },
    });
    // UTF-8 text with NULs inside and at the end of the counted bytes: all of them are data, the padding is not.
    const text = report([0x02, 0x05, 0x5d, 0x51, 0x31, 0x61, 0x00, 0x62, 0x00, 0x00]);
    expect(createHidPosDecoder().push(text)).toEqual({
      kind: 'scan',
      scan: { data: 'a\u0000b\u0000\u0000', symbology: 'QR', aim: ']Q1' },
    });
    // A NUL right at the border of two parts of a long code.
    const first = report([0x02, 56, 0x5d, 0x64, 0x31, ...Array<number>(55).fill(0x41), 0x00], { continued: true });
    const second = report([0x02, 2, 0x5d, 0x64, 0x31, 0x00, 0x42]);
    const d = createHidPosDecoder();
    expect(d.push(first, 0)).toEqual({ kind: 'partial' });
    expect(d.push(second, 1)).toEqual({
      kind: 'scan',
      scan: { data: `${'A'.repeat(55)}\u0000\u0000B`, symbology: 'DataMatrix', aim: ']d1' },
    });
  });

  it('the late last part of a two-report code is dropped with the rest, never read as a code of its own', () => {
    const code = 'https://example.org/receipt/'.padEnd(70, 'x');
    const first = report([0x02, 56, 0x5d, 0x51, 0x31, ...ascii(code.slice(0, 56))], { continued: true });
    const last = report([0x02, 14, 0x5d, 0x51, 0x31, ...ascii(code.slice(56))]);
    const d = createHidPosDecoder({ maxGapMs: 250, discardMs: 1000 });
    expect(d.push(first, 1000)).toEqual({ kind: 'partial' });
    expect(d.push(last, 1400)).toEqual({ kind: 'dropped', reason: 'late part of a code that timed out' });
    // Nothing is left over: the same code scanned again comes through whole.
    expect(d.push(first, 1600)).toEqual({ kind: 'partial' });
    expect(d.push(last, 1601)).toEqual({ kind: 'scan', scan: { data: code, symbology: 'QR', aim: ']Q1' } });
  });

  it('every late part of a timed-out code is dropped, and another symbology reads normally meanwhile', () => {
    const [a, b, c] = encodeHidPosReports(']Q1', 'q'.repeat(150));
    const d = createHidPosDecoder({ maxGapMs: 250, discardMs: 1000 });
    expect(d.push(a!, 0)).toEqual({ kind: 'partial' });
    const ean = report([0x02, 0x0d, 0x5d, 0x45, 0x30, ...ascii('4006381333931')]);
    expect(d.push(ean, 300)).toMatchObject({ kind: 'scan', scan: { data: '4006381333931' } });
    expect(d.push(b!, 310)).toEqual({ kind: 'dropped', reason: 'late part of a code that timed out' });
    expect(d.push(c!, 320)).toEqual({ kind: 'dropped', reason: 'late part of a code that timed out' });
    expect(d.push(encodeHidPosReports(']Q1', 'fresh')[0]!, 330)).toMatchObject({
      kind: 'scan',
      scan: { data: 'fresh' },
    });
  });

  it('a code whose next part never comes is forgotten after a pause', () => {
    const d = createHidPosDecoder({ maxGapMs: 250 });
    const [head] = encodeHidPosReports(']Q1', 'z'.repeat(90));
    expect(d.push(head!, 1000)).toEqual({ kind: 'partial' });
    const [ean] = encodeHidPosReports(']Q1', 'https://example.org/p/1');
    expect(d.push(ean!, 5000)).toMatchObject({ kind: 'scan', scan: { data: 'https://example.org/p/1' } });
  });

  it('emits every code whole, exactly once, in order, NUL characters included (property)', () => {
    const codes = fc.array(fc.string({ minLength: 1, maxLength: 200 }), { maxLength: 6 });
    fc.assert(
      fc.property(codes, (list) => {
        const d = createHidPosDecoder();
        const out = list.flatMap((c) => encodeHidPosReports(']C0', c).map((r) => d.push(r)));
        expect(scans(out)).toEqual(list);
      }),
    );
  });

  const garbage = fc.oneof(
    fc.uint8Array({ minLength: 1, maxLength: 5 }).map((r) => Uint8Array.from([0x02, ...r.subarray(1)])), // truncated
    fc.integer({ min: 60, max: 255 }).map((n) => report([0x02, n, 0x5d, 0x45, 0x30])), // impossible count
    fc
      .uint8Array({ minLength: 3, maxLength: 3 })
      .map((aim) => report([0x02, 0x03, aim[0] === 0x5d ? 0x41 : aim[0]!, aim[1]!, aim[2]!, 0x31, 0x32, 0x33])), // no AIM id
    fc.uint8Array({ minLength: 1, maxLength: 70 }).map((r) => (r[0] === 0x02 ? Uint8Array.from([0x03, ...r]) : r)), // other ids
  );
  const codeList = fc.array(
    fc.tuple(
      fc.constantFrom(']E0', ']C0', ']C1', ']Q1', ']d2'),
      fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 180 }),
    ),
    { minLength: 1, maxLength: 6 },
  );

  it('never emits a part of a code, whatever garbage lands between its reports (property)', () => {
    fc.assert(
      fc.property(codeList, fc.array(fc.tuple(fc.nat(), garbage), { maxLength: 8 }), (list, noise) => {
        const stream = list.flatMap(([aim, data]) => encodeHidPosReports(aim, data));
        for (const [at, g] of noise) stream.splice(at % (stream.length + 1), 0, g);
        const d = createHidPosDecoder();
        const out = scans(stream.map((r) => d.push(r)));
        // Every emitted scan is one of the codes sent, whole, in the order sent.
        let next = 0;
        for (const s of out) {
          while (next < list.length && list[next]![1] !== s) next++;
          expect(next).toBeLessThan(list.length);
          next++;
        }
      }),
    );
  });

  it('reports of codes in different symbologies shuffled together: only whole codes come out (property)', () => {
    const aims = [']E0', ']C0', ']Q1', ']d1', ']L0'];
    const datas = fc.array(fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 200 }), {
      minLength: 2,
      maxLength: aims.length,
    });
    fc.assert(
      fc.property(datas, fc.array(fc.nat(), { maxLength: 40 }), (list, picks) => {
        const queues = list.map((data, i) => encodeHidPosReports(aims[i]!, data));
        const stream: Uint8Array[] = [];
        for (const p of picks) {
          const q = queues.filter((x) => x.length > 0);
          if (q.length > 0) stream.push(q[p % q.length]!.shift()!);
        }
        for (const q of queues) stream.push(...q);
        const d = createHidPosDecoder();
        for (const s of scans(stream.map((r) => d.push(r)))) expect(list).toContain(s);
      }),
    );
  });

  it('garbage between codes costs no code (property)', () => {
    fc.assert(
      fc.property(codeList, fc.array(garbage, { maxLength: 4 }), (list, noise) => {
        const d = createHidPosDecoder();
        const out = list.flatMap(([aim, data]) => [
          ...noise.map((g) => d.push(g)),
          ...encodeHidPosReports(aim, data).map((r) => d.push(r)),
        ]);
        expect(scans(out)).toEqual(list.map((c) => c[1]));
      }),
    );
  });

  it('never throws on noise, and a code after noise and a reset still comes through whole (property)', () => {
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

describe('HID POS decoder, Newland layout (no AIM identifier)', () => {
  /** A 64-byte Newland HID-POS report: id 2, count, data from byte 2, Newland symbology id at 62, flag at 63. */
  const newland = (data: number[], options: { symbologyId?: number; continued?: boolean } = {}) => {
    const r = new Uint8Array(64);
    r.set([0x02, data.length, ...data]);
    r[62] = options.symbologyId ?? 0;
    r[63] = options.continued ? 1 : 0;
    return r;
  };

  it('reads the data from byte 2, byte for byte, with the symbology left to the till', () => {
    // 0x02, 0x0d = 13 bytes, "5901234123457", byte 62 = Newland's id for EAN-13.
    const r = newland(ascii('5901234123457'), { symbologyId: 0x0d });
    expect(Array.from(r.subarray(0, 16))).toEqual([0x02, 0x0d, ...ascii('5901234123457'), 0x00]);
    expect(createHidPosDecoder({ layout: 'newland' }).push(r)).toEqual({
      kind: 'scan',
      scan: { data: '5901234123457', symbology: 'unknown', aim: '' },
    });
    // Read with the AIM layout, the same bytes are not a code ("59" is no AIM identifier).
    expect(createHidPosDecoder({ layout: 'aim' }).push(r)).toEqual({
      kind: 'dropped',
      reason: 'missing AIM symbology identifier',
    });
  });

  it('joins a code continued over two reports, and allows at most 56 data bytes per report', () => {
    const code = 'N'.repeat(56) + 'L'.repeat(10);
    const d = createHidPosDecoder({ layout: 'newland' });
    expect(d.push(newland(ascii(code.slice(0, 56)), { continued: true }), 0)).toEqual({ kind: 'partial' });
    expect(d.push(newland(ascii(code.slice(56))), 1)).toMatchObject({ kind: 'scan', scan: { data: code } });
    const tooMany = new Uint8Array(64);
    tooMany.set([0x02, 57]);
    expect(d.push(tooMany, 2)).toEqual({ kind: 'dropped', reason: 'bad byte count 57' });
  });

  it('drops the late last part of a Newland code with the rest', () => {
    const d = createHidPosDecoder({ layout: 'newland', maxGapMs: 250 });
    expect(d.push(newland(ascii('a'.repeat(56)), { continued: true }), 0)).toEqual({ kind: 'partial' });
    expect(d.push(newland(ascii('tail')), 500)).toEqual({
      kind: 'dropped',
      reason: 'late part of a code that timed out',
    });
    expect(d.push(newland(ascii('4006381333931')), 2000)).toMatchObject({ kind: 'scan' });
  });
});
