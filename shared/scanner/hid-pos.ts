/**
 * HID POS barcode scanner reports → scans. Pure: bytes (and arrival times)
 * in, scans out.
 *
 * HID Point of Sale Usage Tables 1.02, §3 (usage page 0x8C Bar Code Scanner,
 * application usage 0x02 Bar Code Scanner), §3.2 (report usages: Scanned
 * Data Report 0x12) and §6.1 (bar code device examples). The input report as
 * common HID POS scanners lay it out (Honeywell "HID POS", Zebra "USB HID
 * POS", Access-IS LSR/ATR product manuals, appendix "HID reports — receive
 * data"), 64 bytes with report id 2:
 *   byte 0       report id (0x02)
 *   byte 1       number of decoded-data bytes in this report (the AIM
 *                identifier is not counted), at most 56
 *   bytes 2..4   AIM symbology identifier, e.g. "]E0" (see aim-symbology.ts)
 *   bytes 5..60  decoded data, NUL padded
 *   byte 61      vendor's own symbology id; byte 62 reserved
 *   byte 63      bit 0 "decode data continued": more reports follow for a
 *                code longer than one report (every part repeats the AIM id)
 * Other report ids (attributes, status) are ignored without touching a code
 * in progress.
 *
 * Invariant: a scan is emitted only when a report with the continued flag
 * clear completes it, and never a part of a code. When a report inside a
 * continued code is corrupt (truncated, bad count, no AIM id, NUL data,
 * another symbology), the whole code is thrown away, including the reports
 * still to come up to its last one. Parts of one code arrive back to back: a
 * code whose next part does not come within `maxGapMs` is thrown away too.
 */
import type { ScanSymbology } from '../ipc';
import { aimSymbology } from './aim-symbology';

export { aimSymbology } from './aim-symbology';

export const HID_POS_USAGE_PAGE = 0x8c;
export const HID_POS_SCANNER_USAGE = 0x02;
export const SCANNED_DATA_REPORT_ID = 0x02;

/** Header: report id, count, 3 AIM bytes. */
const DATA_OFFSET = 5;
/** Trailer of the common 64-byte layout: vendor symbology id, reserved, flags. */
const TRAILER = 3;
const MAX_CODE_BYTES = 4096;
const AIM_START = 0x5d; // "]"

export type DecodedScan = { data: string; symbology: ScanSymbology; aim: string };
export type ReportOutcome =
  | { kind: 'scan'; scan: DecodedScan }
  | { kind: 'partial' }
  | { kind: 'ignored'; reason: string }
  | { kind: 'dropped'; reason: string };

export type HidPosDecoder = {
  /** `timeMs` (monotonic) lets the decoder drop a continued code whose next part never came. */
  push: (report: Uint8Array, timeMs?: number) => ReportOutcome;
  reset: () => void;
};

export type HidPosDecoderOptions = { reportId?: number; maxGapMs?: number };

const utf8 = new TextDecoder();

export const createHidPosDecoder = (options: HidPosDecoderOptions = {}): HidPosDecoder => {
  const reportId = options.reportId ?? SCANNED_DATA_REPORT_ID;
  const maxGapMs = options.maxGapMs ?? 250;
  let pending: { aim: string; parts: Uint8Array[]; size: number } | null = null;
  /**
   * Codes that broke mid-way, by AIM id: their remaining parts are skipped up
   * to each one's last part (continued flag clear). A last part looks exactly
   * like a one-report code, so it must be recognised as a leftover, not read.
   */
  const discarding = new Set<string>();
  let lastAt: number | null = null;

  const corrupt = (reason: string): ReportOutcome => {
    if (pending) discarding.add(pending.aim);
    pending = null;
    return { kind: 'dropped', reason };
  };

  return {
    reset() {
      pending = null;
      discarding.clear();
      lastAt = null;
    },
    push(report, timeMs) {
      if (report.length === 0) return corrupt('empty report');
      if (report[0] !== reportId) return { kind: 'ignored', reason: `unexpected report id ${report[0]}` };
      if (timeMs !== undefined) {
        if (lastAt !== null && timeMs - lastAt > maxGapMs) {
          // The parts of one code arrive back to back: after a pause, whatever was in progress is over.
          pending = null;
          discarding.clear();
        }
        lastAt = timeMs;
      }
      if (report.length < DATA_OFFSET + 1) return corrupt(`report too short (${report.length} bytes)`);
      const count = report[1]!;
      if (DATA_OFFSET + count > report.length - 1) return corrupt(`bad byte count ${count}`);
      if (report[2] !== AIM_START) return corrupt('missing AIM symbology identifier');
      const continued = (report[report.length - 1]! & 0x01) === 1;
      const aim = String.fromCharCode(report[2], report[3]!, report[4]!);
      if (discarding.size > 0) {
        if (!continued) discarding.delete(aim);
        return { kind: 'dropped', reason: 'rest of a broken code' };
      }
      const data = report.subarray(DATA_OFFSET, DATA_OFFSET + count);
      if (data.includes(0)) return corrupt('NUL byte inside decoded data');
      if (pending && pending.aim !== aim) {
        // Parts of two codes interleaved: neither can be trusted, up to the last part of each.
        discarding.add(pending.aim);
        if (continued) discarding.add(aim);
        pending = null;
        return { kind: 'dropped', reason: 'continued report with another symbology' };
      }
      const size = (pending?.size ?? 0) + count;
      if (size > MAX_CODE_BYTES) return corrupt(`code longer than ${MAX_CODE_BYTES} bytes`);
      const parts = pending ? [...pending.parts, data] : [data];
      if (continued) {
        pending = { aim, parts, size };
        return { kind: 'partial' };
      }
      pending = null;
      if (size === 0) return { kind: 'dropped', reason: 'empty code' };
      const bytes = new Uint8Array(size);
      let at = 0;
      for (const part of parts) {
        bytes.set(part, at);
        at += part.length;
      }
      const text = utf8.decode(bytes);
      return { kind: 'scan', scan: { data: text, symbology: aimSymbology(aim, text), aim } };
    },
  };
};

/**
 * The reports a HID POS scanner sends for one code, in the 64-byte layout
 * above (other lengths keep the same header and trailer). Used by tests,
 * benchmarks and the docs' examples.
 */
export const encodeHidPosReports = (aim: string, data: string, reportLength = 64): Uint8Array[] => {
  const bytes = new TextEncoder().encode(data);
  const perReport = reportLength - DATA_OFFSET - TRAILER;
  const reports: Uint8Array[] = [];
  for (let i = 0; i === 0 || i < bytes.length; i += perReport) {
    const chunk = bytes.subarray(i, i + perReport);
    const r = new Uint8Array(reportLength);
    r[0] = SCANNED_DATA_REPORT_ID;
    r[1] = chunk.length;
    r.set([aim.charCodeAt(0), aim.charCodeAt(1), aim.charCodeAt(2)], 2);
    r.set(chunk, DATA_OFFSET);
    r[reportLength - 1] = i + perReport < bytes.length ? 1 : 0;
    reports.push(r);
  }
  return reports;
};
