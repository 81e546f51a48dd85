/**
 * HID POS barcode scanner reports → scans. Pure: bytes in, scans out.
 *
 * HID Point of Sale Usage Tables (usage page 0x8C, Bar Code Scanner usage
 * 0x02), "Scanned Data Report" as sent by scanners in HID POS mode, report
 * id 2 on common devices:
 *   byte 0      report id (0x02)
 *   byte 1      number of bytes that follow: symbology id + decoded data
 *   bytes 2..4  AIM symbology identifier, e.g. "]E0" (EAN-13)
 *   bytes 5..   decoded data (byte 1 − 3 bytes of it), then padding
 *   last byte   bit 0: "decode data continued" — more reports follow for a
 *               code longer than one report
 * Continued reports are joined; a scan is emitted only when a report with the
 * flag clear completes it. A report that cannot be a scanned-data report is
 * dropped with a reason, never half-emitted.
 */
import type { ScanSymbology } from '../ipc';

export const HID_POS_USAGE_PAGE = 0x8c;
export const HID_POS_SCANNER_USAGE = 0x02;
export const SCANNED_DATA_REPORT_ID = 0x02;

/** AIM symbology identifiers (ISO/IEC 15424): "]" + code character + modifier. */
export const aimSymbology = (aim: string): ScanSymbology => {
  const code = aim.slice(1, 2);
  const modifier = aim.slice(2, 3);
  switch (code) {
    case 'E':
      return modifier === '4' ? 'EAN-8' : modifier === '0' || modifier === '3' ? 'EAN-13' : 'EAN-13';
    case 'C':
      return modifier === '1' ? 'GS1-128' : 'Code 128';
    case 'A':
      return 'Code 39';
    case 'I':
      return 'Interleaved 2 of 5';
    case 'Q':
      return 'QR';
    case 'd':
      return modifier === '2' ? 'GS1 DataMatrix' : 'DataMatrix';
    case 'L':
      return 'PDF417';
    default:
      return 'unknown';
  }
};

export type DecodedScan = { data: string; symbology: ScanSymbology; aim: string };
export type ReportOutcome =
  { kind: 'scan'; scan: DecodedScan } | { kind: 'partial' } | { kind: 'dropped'; reason: string };

const MAX_CODE_BYTES = 4096;

export type HidPosDecoder = { push: (report: Uint8Array) => ReportOutcome; reset: () => void };

export const createHidPosDecoder = (reportId = SCANNED_DATA_REPORT_ID): HidPosDecoder => {
  let pending: { aim: string; bytes: number[] } | null = null;

  const drop = (reason: string): ReportOutcome => {
    pending = null;
    return { kind: 'dropped', reason };
  };

  return {
    reset: () => {
      pending = null;
    },
    push(report) {
      if (report.length < 6) return drop(`report too short (${report.length} bytes)`);
      if (report[0] !== reportId) return drop(`unexpected report id ${report[0]}`);
      const count = report[1]!;
      if (count < 3 || 2 + count > report.length - 1) return drop(`bad byte count ${count}`);
      const aim = String.fromCharCode(report[2]!, report[3]!, report[4]!);
      if (aim[0] !== ']') return drop('missing AIM symbology identifier');
      const continued = (report[report.length - 1]! & 0x01) === 1;
      const data = Array.from(report.subarray(5, 2 + count));
      if (data.some((b) => b === 0)) return drop('NUL byte inside decoded data');
      if (pending && pending.aim !== aim) return drop('continued report with another symbology');
      const bytes = [...(pending?.bytes ?? []), ...data];
      if (bytes.length > MAX_CODE_BYTES) return drop('code longer than 4096 bytes');
      if (continued) {
        pending = { aim, bytes };
        return { kind: 'partial' };
      }
      pending = null;
      if (bytes.length === 0) return { kind: 'dropped', reason: 'empty code' };
      return {
        kind: 'scan',
        scan: { data: new TextDecoder().decode(Uint8Array.from(bytes)), symbology: aimSymbology(aim), aim },
      };
    },
  };
};

/** Builds a scanned-data report (used by tests, benchmarks and docs examples). */
export const encodeHidPosReports = (aim: string, data: string, reportLength = 64): Uint8Array[] => {
  const bytes = Array.from(new TextEncoder().encode(data));
  const perReport = reportLength - 6;
  const reports: Uint8Array[] = [];
  for (let i = 0; i === 0 || i < bytes.length; i += perReport) {
    const chunk = bytes.slice(i, i + perReport);
    const r = new Uint8Array(reportLength);
    r[0] = SCANNED_DATA_REPORT_ID;
    r[1] = 3 + chunk.length;
    r.set([aim.charCodeAt(0), aim.charCodeAt(1), aim.charCodeAt(2)], 2);
    r.set(chunk, 5);
    r[reportLength - 1] = i + perReport < bytes.length ? 1 : 0;
    reports.push(r);
  }
  return reports;
};
