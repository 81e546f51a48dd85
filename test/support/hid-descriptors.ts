/**
 * HID report descriptors as keyboard-mode scanners send them, byte for byte
 * (HID 1.11 §6.2.2 items; the boot keyboard one is HID 1.11 Appendix E.6).
 * Shared by the descriptor parser's tests and the scanner service's.
 * The arrays keep one item per line (prettier-ignore) so each reads as the spec writes it.
 */

/** The keyboard application collection's body: modifiers, reserved byte, LED output, six key codes. */
// prettier-ignore
const keyboardBody = [
  0x05, 0x07, //   Usage Page (Keyboard/Keypad)
  0x19, 0xe0, //   Usage Minimum (Left Control)
  0x29, 0xe7, //   Usage Maximum (Right GUI)
  0x15, 0x00, //   Logical Minimum (0)
  0x25, 0x01, //   Logical Maximum (1)
  0x75, 0x01, //   Report Size (1)
  0x95, 0x08, //   Report Count (8)
  0x81, 0x02, //   Input (Data, Variable, Absolute): modifier byte
  0x95, 0x01, //   Report Count (1)
  0x75, 0x08, //   Report Size (8)
  0x81, 0x01, //   Input (Constant): reserved byte
  0x95, 0x05, //   Report Count (5)
  0x75, 0x01, //   Report Size (1)
  0x05, 0x08, //   Usage Page (LEDs)
  0x19, 0x01, //   Usage Minimum (Num Lock)
  0x29, 0x05, //   Usage Maximum (Kana)
  0x91, 0x02, //   Output (Data, Variable, Absolute): LED report
  0x95, 0x01, //   Report Count (1)
  0x75, 0x03, //   Report Size (3)
  0x91, 0x01, //   Output (Constant): LED padding
  0x95, 0x06, //   Report Count (6)
  0x75, 0x08, //   Report Size (8)
  0x15, 0x00, //   Logical Minimum (0)
  0x25, 0x65, //   Logical Maximum (101)
  0x05, 0x07, //   Usage Page (Keyboard/Keypad)
  0x19, 0x00, //   Usage Minimum (0)
  0x29, 0x65, //   Usage Maximum (101)
  0x81, 0x00, //   Input (Data, Array): six key codes
];

/** A plain boot keyboard: no report ids, 8-byte reports. */
// prettier-ignore
export const BOOT_KEYBOARD_DESCRIPTOR = Uint8Array.from([
  0x05, 0x01, // Usage Page (Generic Desktop)
  0x09, 0x06, // Usage (Keyboard)
  0xa1, 0x01, // Collection (Application)
  ...keyboardBody,
  0xc0, // End Collection
]);

/** A composite scanner: consumer keys as report 2, then the keyboard as report 3 (9-byte reports). */
// prettier-ignore
export const COMPOSITE_SCANNER_DESCRIPTOR = Uint8Array.from([
  0x05, 0x0c, // Usage Page (Consumer)
  0x09, 0x01, // Usage (Consumer Control)
  0xa1, 0x01, // Collection (Application)
  0x85, 0x02, //   Report ID (2)
  0x19, 0x00, //   Usage Minimum (0)
  0x2a, 0x3c, 0x02, //   Usage Maximum (0x023c), two data bytes
  0x15, 0x00, //   Logical Minimum (0)
  0x26, 0x3c, 0x02, //   Logical Maximum (0x023c)
  0x75, 0x10, //   Report Size (16)
  0x95, 0x01, //   Report Count (1)
  0x81, 0x00, //   Input (Data, Array)
  0xc0, // End Collection
  0x05, 0x01, // Usage Page (Generic Desktop)
  0x09, 0x06, // Usage (Keyboard)
  0xa1, 0x01, // Collection (Application)
  0x85, 0x03, //   Report ID (3)
  ...keyboardBody,
  0xc0, // End Collection
]);

/** A vendor's keyboard report 4 without the reserved byte: id, modifiers, six keys (8 bytes). */
// prettier-ignore
export const PACKED_KEYBOARD_DESCRIPTOR = Uint8Array.from([
  0x05, 0x01, // Usage Page (Generic Desktop)
  0x09, 0x06, // Usage (Keyboard)
  0xa1, 0x01, // Collection (Application)
  0x85, 0x04, //   Report ID (4)
  0x05, 0x07, //   Usage Page (Keyboard/Keypad)
  0x19, 0xe0, //   Usage Minimum (Left Control)
  0x29, 0xe7, //   Usage Maximum (Right GUI)
  0x15, 0x00, //   Logical Minimum (0)
  0x25, 0x01, //   Logical Maximum (1)
  0x75, 0x01, //   Report Size (1)
  0x95, 0x08, //   Report Count (8)
  0x81, 0x02, //   Input (Data, Variable, Absolute): modifier byte
  0x75, 0x08, //   Report Size (8)
  0x95, 0x06, //   Report Count (6)
  0x25, 0x65, //   Logical Maximum (101)
  0x19, 0x00, //   Usage Minimum (0)
  0x29, 0x65, //   Usage Maximum (101)
  0x81, 0x00, //   Input (Data, Array): six key codes
  0xc0, // End Collection
]);
