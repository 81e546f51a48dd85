/**
 * HID report descriptors → where a keyboard's input report keeps its
 * modifier bits and key codes. Pure: descriptor bytes in, layout out.
 *
 * HID 1.11 §6.2.2 (report descriptor: short items of 0, 1, 2 or 4 data
 * bytes, main / global / local items, long items), §6.2.2.7 (Report ID:
 * when a descriptor declares one, every report starts with its id byte) and
 * Appendix B.1 (the boot keyboard report). A keyboard-mode scanner that is
 * a composite device (keyboard plus consumer keys, or a vendor interface)
 * numbers its reports, so its keyboard report is 9 bytes and its id can be
 * anything: the descriptor says which id and which bytes, nothing is assumed.
 *
 * What counts as the keyboard report: an Input item on the Keyboard/Keypad
 * page (0x07) that is an array of 8-bit key codes, and in the same report
 * the 8 one-bit modifier variables (usages 0xE0–0xE7), if there are any.
 * Both must start on a byte boundary. Bitmap ("NKRO") keyboards are not
 * read: the function returns null and the caller falls back to the boot
 * layout.
 */

export type KeyboardReportLayout = {
  /** The id byte every keyboard report starts with, or null when the device numbers no reports. */
  reportId: number | null;
  /** Byte offset of the modifier bits in the report as read (id byte included), or null when it has none. */
  modifiersAt: number | null;
  /** Byte offset of the first key code, and how many key codes follow. */
  keysAt: number;
  keyCount: number;
  /** Length of the report as read, id byte included. */
  length: number;
};

/** The boot keyboard report of HID 1.11 Appendix B.1: modifiers, reserved, six key codes; no report id. */
export const BOOT_KEYBOARD_LAYOUT: KeyboardReportLayout = {
  reportId: null,
  modifiersAt: 0,
  keysAt: 2,
  keyCount: 6,
  length: 8,
};

export type InputField = {
  /** 0 when the descriptor declares no report ids. */
  reportId: number;
  bitOffset: number;
  size: number;
  count: number;
  usagePage: number;
  usages: number[];
  usageMin: number | null;
  usageMax: number | null;
  /** Input item data: bit 0 constant, bit 1 variable (else array), bit 2 relative. */
  flags: number;
};

const KEYBOARD_PAGE = 0x07;
const LEFT_CONTROL = 0xe0;
const RIGHT_GUI = 0xe7;

type Globals = { usagePage: number; reportSize: number; reportCount: number; reportId: number };

/** Every Input field with its bit offset inside its report (after the id byte), or null for a malformed descriptor. */
export function parseInputFields(descriptor: Uint8Array): InputField[] | null {
  const fields: InputField[] = [];
  const bitsByReport = new Map<number, number>();
  let globals: Globals = { usagePage: 0, reportSize: 0, reportCount: 0, reportId: 0 };
  const stack: Globals[] = [];
  let usages: number[] = [];
  let usageMin: number | null = null;
  let usageMax: number | null = null;

  let i = 0;
  while (i < descriptor.length) {
    const prefix = descriptor[i]!;
    if (prefix === 0xfe) {
      // Long item: size byte, tag byte, data. None is defined for reports; skip it.
      if (i + 2 >= descriptor.length) return null;
      i += 3 + descriptor[i + 1]!;
      continue;
    }
    const size = [0, 1, 2, 4][prefix & 0x03]!;
    if (i + 1 + size > descriptor.length) return null;
    let value = 0;
    for (let b = 0; b < size; b++) value += descriptor[i + 1 + b]! * 2 ** (8 * b);
    const type = (prefix >> 2) & 0x03;
    const tag = prefix >> 4;
    i += 1 + size;

    if (type === 0) {
      // Main item. Output (0x9) and Feature (0xB) items number their own bits: they do not move Input fields.
      if (tag === 0x8) {
        const bitOffset = bitsByReport.get(globals.reportId) ?? 0;
        fields.push({
          reportId: globals.reportId,
          bitOffset,
          size: globals.reportSize,
          count: globals.reportCount,
          usagePage: globals.usagePage,
          usages,
          usageMin,
          usageMax,
          flags: value,
        });
        bitsByReport.set(globals.reportId, bitOffset + globals.reportSize * globals.reportCount);
      }
      usages = [];
      usageMin = null;
      usageMax = null;
    } else if (type === 1) {
      // Global item.
      if (tag === 0x0) globals = { ...globals, usagePage: value };
      else if (tag === 0x7) globals = { ...globals, reportSize: value };
      else if (tag === 0x8) {
        if (value === 0 || value > 0xff) return null;
        globals = { ...globals, reportId: value };
      } else if (tag === 0x9) globals = { ...globals, reportCount: value };
      else if (tag === 0xa) stack.push(globals);
      else if (tag === 0xb) {
        const popped = stack.pop();
        if (!popped) return null;
        globals = popped;
      }
    } else if (type === 2) {
      // Local item. A 4-byte usage carries its own page in the high 16 bits: keep only the usage id for page 0x07.
      const usage = size === 4 ? value & 0xffff : value;
      if (tag === 0x0) usages = [...usages, usage];
      else if (tag === 0x1) usageMin = usage;
      else if (tag === 0x2) usageMax = usage;
    } else {
      return null;
    }
  }
  return fields;
}

const isKeyArray = (f: InputField) =>
  f.usagePage === KEYBOARD_PAGE && (f.flags & 0x03) === 0 && f.size === 8 && f.count >= 1 && f.bitOffset % 8 === 0;

const isModifiers = (f: InputField) =>
  f.usagePage === KEYBOARD_PAGE &&
  (f.flags & 0x02) === 0x02 &&
  f.size === 1 &&
  f.count === 8 &&
  f.bitOffset % 8 === 0 &&
  (f.usageMin === LEFT_CONTROL || f.usages[0] === LEFT_CONTROL) &&
  (f.usageMax === RIGHT_GUI || f.usages.length === 8);

/** The keyboard input report a descriptor declares, or null when it declares none this decoder can read. */
export function keyboardReportLayout(descriptor: Uint8Array): KeyboardReportLayout | null {
  const fields = parseInputFields(descriptor);
  if (!fields) return null;
  const keys = fields.find(isKeyArray);
  if (!keys) return null;
  const inReport = fields.filter((f) => f.reportId === keys.reportId);
  const modifiers = inReport.find(isModifiers) ?? null;
  const idBytes = keys.reportId === 0 ? 0 : 1;
  const bits = Math.max(...inReport.map((f) => f.bitOffset + f.size * f.count));
  return {
    reportId: keys.reportId === 0 ? null : keys.reportId,
    modifiersAt: modifiers ? idBytes + modifiers.bitOffset / 8 : null,
    keysAt: idBytes + keys.bitOffset / 8,
    keyCount: keys.count,
    length: idBytes + Math.ceil(bits / 8),
  };
}
