/** HID report descriptors, byte for byte, → where a keyboard's report keeps its modifiers and keys. */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  BOOT_KEYBOARD_LAYOUT,
  keyboardReportLayout,
  parseInputFields,
} from '../../../shared/scanner/report-descriptor';
import {
  BOOT_KEYBOARD_DESCRIPTOR,
  COMPOSITE_SCANNER_DESCRIPTOR,
  PACKED_KEYBOARD_DESCRIPTOR,
} from '../../support/hid-descriptors';

describe('report descriptor', () => {
  it('finds the boot layout in the boot keyboard descriptor of HID 1.11 Appendix E.6', () => {
    expect(keyboardReportLayout(BOOT_KEYBOARD_DESCRIPTOR)).toEqual(BOOT_KEYBOARD_LAYOUT);
    // Input fields only: the LED output report does not move the key codes.
    expect(parseInputFields(BOOT_KEYBOARD_DESCRIPTOR)!.map((f) => [f.reportId, f.bitOffset, f.size, f.count])).toEqual([
      [0, 0, 1, 8],
      [0, 8, 8, 1],
      [0, 16, 8, 6],
    ]);
  });

  it('reads the report id of a composite scanner whose keyboard is report 3, not 1', () => {
    expect(keyboardReportLayout(COMPOSITE_SCANNER_DESCRIPTOR)).toEqual({
      reportId: 3,
      modifiersAt: 1,
      keysAt: 3,
      keyCount: 6,
      length: 9,
    });
  });

  it('takes the fields from where the descriptor puts them (no reserved byte)', () => {
    expect(keyboardReportLayout(PACKED_KEYBOARD_DESCRIPTOR)).toEqual({
      reportId: 4,
      modifiersAt: 1,
      keysAt: 2,
      keyCount: 6,
      length: 8,
    });
  });

  it('says null for descriptors it cannot read: truncated, no keyboard, a bitmap keyboard', () => {
    expect(keyboardReportLayout(COMPOSITE_SCANNER_DESCRIPTOR.subarray(0, 11))).toBeNull();
    const mouse = Uint8Array.from([
      0x05, 0x01, 0x09, 0x02, 0xa1, 0x01, 0x05, 0x09, 0x75, 0x01, 0x95, 0x03, 0x81, 0x02, 0xc0,
    ]);
    expect(keyboardReportLayout(mouse)).toBeNull();
    // Keys 0x00–0x65 as 102 one-bit variables ("NKRO"): not an array of key codes.
    const bitmap = Uint8Array.from([0x05, 0x07, 0x19, 0x00, 0x29, 0x65, 0x75, 0x01, 0x95, 0x66, 0x81, 0x02]);
    expect(keyboardReportLayout(bitmap)).toBeNull();
  });

  it('never throws on random bytes (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), (bytes) => {
        expect(() => keyboardReportLayout(bytes)).not.toThrow();
      }),
    );
  });
});
