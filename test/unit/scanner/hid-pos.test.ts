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
    expect(d.push(report([0x02, 0x03, 0x5d, 0x45, 0x30, 0x31, 0x00, 0x33]))).toMatchObject({ kind: 'dropped' });
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

  it('a code whose next part never comes is forgotten after a pause', () => {
    const d = createHidPosDecoder({ maxGapMs: 250 });
    const [head] = encodeHidPosReports(']Q1', 'z'.repeat(90));
    expect(d.push(head!, 1000)).toEqual({ kind: 'partial' });
    const [ean] = encodeHidPosReports(']Q1', 'https://example.org/p/1');
    expect(d.push(ean!, 5000)).toMatchObject({ kind: 'scan', scan: { data: 'https://example.org/p/1' } });
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
      fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 180 }).filter((s) => !s.includes('\u0000')),
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
