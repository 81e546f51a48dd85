/**
 * HID POS barcode scanner reports → scans. Pure: bytes (and arrival times)
 * in, scans out.
 *
 * HID Point of Sale Usage Tables 1.02, §3 (usage page 0x8C Bar Code Scanner,
 * application usage 0x02 Bar Code Scanner), §3.2 (report usages: Scanned
 * Data Report 0x12) and §6.1 (bar code device examples). Two input report
 * layouts are in common use, both 64 bytes with report id 2:
 *
 * 'aim' (Honeywell "HID POS", Zebra "USB HID POS", Access-IS LSR/ATR
 * product manuals, appendix "HID reports — receive data"):
 *   byte 0       report id (0x02)
 *   byte 1       number of decoded-data bytes in this report (the AIM
 *                identifier is not counted), at most 56
 *   bytes 2..4   AIM symbology identifier, e.g. "]E0" (see aim-symbology.ts)
 *   bytes 5..60  decoded data, NUL padded
 *   byte 61      vendor's own symbology id; byte 62 reserved
 *   byte 63      bit 0 "decode data continued": more reports follow for a
 *                code longer than one report (every part repeats the AIM id)
 *
 * 'newland' (Newland integration guides, "USB Interface › HID-POS › Getting
 * Scanned Data"; Newland's vendor id is 0x1EAB):
 *   byte 0       report id (0x02)
 *   byte 1       number of decoded-data bytes, at most 56
 *   bytes 2..57  decoded data, NUL padded
 *   bytes 58..61 reserved; byte 62 Newland's own symbology id
 *   byte 63      bit 0 "decode data continued"
 * No AIM identifier: the symbology is 'unknown' and the till classifies the
 * code by its content.
 *
 * The byte count decides the length of the data, never a NUL: binary Data
 * Matrix and QR codes carry NUL bytes as data. Data that is not UTF-8 is read
 * one character per byte (ISO 8859-1), so no byte is lost or replaced.
 *
 * Other report ids (attributes, status) are ignored without touching a code
 * in progress.
 *
 * Invariant: a scan is emitted only when a report with the continued flag
 * clear completes it, and never a part of a code. When a report inside a
 * continued code is corrupt (truncated, bad count, no AIM id, another
 * symbology), the whole code is thrown away, including the reports still to
 * come up to its last one. Parts of one code arrive back to back: a code whose
 * next part does not come within `maxGapMs` is thrown away too, and so are
 * its late parts arriving within `discardMs` of its last part — a late last
 * part looks exactly like a one-report code and must not be read as one.
 */
import type { HidPosLayout, ScanSymbology } from '../ipc';
import { aimSymbology } from './aim-symbology';

export { aimSymbology } from './aim-symbology';

export const HID_POS_USAGE_PAGE = 0x8c;
export const HID_POS_SCANNER_USAGE = 0x02;
export const SCANNED_DATA_REPORT_ID = 0x02;
/** Newland's USB vendor id: its scanners use the 'newland' layout unless the till config says otherwise. */
export const NEWLAND_VENDOR_ID = 0x1eab;

type LayoutSpec = {
  /** Where the 3-byte AIM identifier starts, or null for none. */
  aimAt: number | null;
  dataAt: number;
  /** Bytes after the data area (vendor bytes, reserved, flags). */
  trailer: number;
};
const LAYOUTS: Record<HidPosLayout, LayoutSpec> = {
  aim: { aimAt: 2, dataAt: 5, trailer: 3 },
  newland: { aimAt: null, dataAt: 2, trailer: 6 },
};

const MAX_CODE_BYTES = 4096;
const AIM_START = 0x5d; // "]"
/** The key under which a layout without AIM identifiers keeps its one code in progress. */
const NO_AIM = '';

export type DecodedScan = {
  data: string;
  symbology: ScanSymbology;
  aim: string;
  /** Set when the data is not UTF-8 text: `data` then holds one character per byte (ISO 8859-1). */
  binary?: true;
};
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

export type HidPosDecoderOptions = {
  reportId?: number;
  /** Longest pause between two parts of one code (default 250 ms). */
  maxGapMs?: number;
  /** How long the late parts of a code thrown away are still recognised as its leftovers (default 1000 ms). */
  discardMs?: number;
  layout?: HidPosLayout;
};

const utf8 = new TextDecoder('utf-8', { fatal: true });

function decodeText(bytes: Uint8Array): { text: string; binary: boolean } {
  try {
    return { text: utf8.decode(bytes), binary: false };
  } catch {
    // Not TextDecoder('latin1'): that is windows-1252, which remaps 0x80–0x9f. One character per byte keeps every byte.
    let text = '';
    for (const b of bytes) text += String.fromCharCode(b);
    return { text, binary: true };
  }
}

export function createHidPosDecoder(options: HidPosDecoderOptions = {}): HidPosDecoder {
  const reportId = options.reportId ?? SCANNED_DATA_REPORT_ID;
  const maxGapMs = options.maxGapMs ?? 250;
  const discardMs = options.discardMs ?? 1000;
  const spec = LAYOUTS[options.layout ?? 'aim'];
  let pending: { aim: string; parts: Uint8Array[]; size: number } | null = null;
  /**
   * Codes that broke mid-way, by AIM id: their remaining parts are skipped up
   * to each one's last part (continued flag clear). `at` is when the code's
   * last part so far arrived (null without a clock): after `discardMs` it is
   * over and the entry is forgotten.
   */
  const discarding = new Map<string, { at: number | null; reason: string }>();
  let lastAt: number | null = null;

  const corrupt = (reason: string): ReportOutcome => {
    if (pending) discarding.set(pending.aim, { at: lastAt, reason: 'rest of a broken code' });
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
        if (pending && lastAt !== null && timeMs - lastAt > maxGapMs) {
          // The parts of one code arrive back to back: after a pause the code is over, and its late parts are leftovers.
          discarding.set(pending.aim, { at: lastAt, reason: 'late part of a code that timed out' });
          pending = null;
        }
        for (const [aim, d] of discarding) if (d.at !== null && timeMs - d.at > discardMs) discarding.delete(aim);
        lastAt = timeMs;
      }
      if (report.length < spec.dataAt + spec.trailer) return corrupt(`report too short (${report.length} bytes)`);
      const count = report[1]!;
      if (spec.dataAt + count > report.length - spec.trailer) return corrupt(`bad byte count ${count}`);
      let aim = NO_AIM;
      if (spec.aimAt !== null) {
        if (report[spec.aimAt] !== AIM_START) return corrupt('missing AIM symbology identifier');
        aim = String.fromCharCode(report[spec.aimAt]!, report[spec.aimAt + 1]!, report[spec.aimAt + 2]!);
      }
      const continued = (report[report.length - 1]! & 0x01) === 1;
      const leftover = discarding.get(aim);
      if (leftover) {
        if (continued) leftover.at = timeMs ?? null;
        else discarding.delete(aim);
        return { kind: 'dropped', reason: leftover.reason };
      }
      const data = report.subarray(spec.dataAt, spec.dataAt + count);
      if (pending && pending.aim !== aim) {
        // Parts of two codes interleaved: neither can be trusted, up to the last part of each.
        discarding.set(pending.aim, { at: lastAt, reason: 'rest of a broken code' });
        if (continued) discarding.set(aim, { at: lastAt, reason: 'rest of a broken code' });
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
      const { text, binary } = decodeText(bytes);
      const symbology = spec.aimAt === null ? 'unknown' : aimSymbology(aim, text);
      return { kind: 'scan', scan: { data: text, symbology, aim, ...(binary ? { binary: true as const } : {}) } };
    },
  };
}

/**
 * The reports a HID POS scanner sends for one code, in the 64-byte layout
 * above (other lengths keep the same header and trailer). Used by tests,
 * benchmarks and the docs' examples.
 */
export const encodeHidPosReports = (aim: string, data: string, reportLength = 64): Uint8Array[] => {
  const bytes = new TextEncoder().encode(data);
  const { dataAt, trailer } = LAYOUTS.aim;
  const perReport = reportLength - dataAt - trailer;
  const reports: Uint8Array[] = [];
  for (let i = 0; i === 0 || i < bytes.length; i += perReport) {
    const chunk = bytes.subarray(i, i + perReport);
    const r = new Uint8Array(reportLength);
    r[0] = SCANNED_DATA_REPORT_ID;
    r[1] = chunk.length;
    r.set([aim.charCodeAt(0), aim.charCodeAt(1), aim.charCodeAt(2)], 2);
    r.set(chunk, dataAt);
    r[reportLength - 1] = i + perReport < bytes.length ? 1 : 0;
    reports.push(r);
  }
  return reports;
};
