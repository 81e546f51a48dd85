/**
 * Keyboard layouts a keyboard-mode scanner can emulate: HID usage id
 * (HID Usage Tables, Keyboard/Keypad page 0x07) → [plain, shift, altgr]
 * characters. The layout is the one the *scanner* is set to, configured per
 * till, whatever layout the operating system uses.
 */
export type KeyChars = readonly [plain: string, shift: string, altGr?: string];
export type KeyboardLayout = { id: string; name: string; keys: ReadonlyMap<number, KeyChars> };

const letters = (swapYZ: boolean): Array<[number, KeyChars]> =>
  Array.from({ length: 26 }, (_, i) => {
    let c = String.fromCharCode(97 + i);
    if (swapYZ && c === 'y') c = 'z';
    else if (swapYZ && c === 'z') c = 'y';
    return [0x04 + i, [c, c.toUpperCase()]] as [number, KeyChars];
  });

const keypad: Array<[number, KeyChars]> = [
  [0x54, ['/', '/']],
  [0x55, ['*', '*']],
  [0x56, ['-', '-']],
  [0x57, ['+', '+']],
  ...Array.from({ length: 9 }, (_, i): [number, KeyChars] => [0x59 + i, [String(i + 1), String(i + 1)]]),
  [0x62, ['0', '0']],
  [0x63, ['.', '.']],
];

const digits = (shifted: string): Array<[number, KeyChars]> =>
  Array.from({ length: 10 }, (_, i): [number, KeyChars] => [0x1e + i, [String((i + 1) % 10), shifted[i]!]]);

export const US: KeyboardLayout = {
  id: 'us',
  name: 'English (US)',
  keys: new Map<number, KeyChars>([
    ...letters(false),
    ...digits('!@#$%^&*()'),
    [0x2c, [' ', ' ']],
    [0x2d, ['-', '_']],
    [0x2e, ['=', '+']],
    [0x2f, ['[', '{']],
    [0x30, [']', '}']],
    [0x31, ['\\', '|']],
    [0x33, [';', ':']],
    [0x34, ["'", '"']],
    [0x35, ['`', '~']],
    [0x36, [',', '<']],
    [0x37, ['.', '>']],
    [0x38, ['/', '?']],
    ...keypad,
  ]),
};

export const DE: KeyboardLayout = {
  id: 'de',
  name: 'Deutsch (QWERTZ)',
  keys: new Map<number, KeyChars>([
    ...letters(true),
    ...digits('!"§$%&/()='),
    [0x14, ['q', 'Q', '@']],
    [0x08, ['e', 'E', '€']],
    [0x2c, [' ', ' ']],
    [0x2d, ['ß', '?', '\\']],
    [0x2e, ['´', '`']],
    [0x2f, ['ü', 'Ü']],
    [0x30, ['+', '*', '~']],
    [0x31, ['#', "'"]],
    [0x32, ['#', "'"]],
    [0x33, ['ö', 'Ö']],
    [0x34, ['ä', 'Ä']],
    [0x35, ['^', '°']],
    [0x36, [',', ';']],
    [0x37, ['.', ':']],
    [0x38, ['-', '_']],
    [0x64, ['<', '>', '|']],
    ...keypad,
  ]),
};

export const keyboardLayouts: Readonly<Record<string, KeyboardLayout>> = { us: US, de: DE };
