/**
 * Phone numbers as a till may know them: a keyed hash of the number's E.164
 * form, never the number. The server hashes each member's phone with the
 * chain's phone key; a till hashes what the cashier types with the same key
 * (it arrives with the store's config) and looks the hash up.
 *
 * Invariants:
 * - One number, one hash: the same number typed any way ("+359 88 123 4567",
 *   "0881234567" in a Bulgarian store, "00359881234567") normalises to the
 *   same E.164 text (libphonenumber-js, the store's country as the default
 *   region) and so to the same hash.
 * - Text that is not a possible phone number gives no hash, never a hash of
 *   whatever was typed. "Possible" is a length check on the country's
 *   numbering plan, not full validation: a till whose phone metadata is
 *   older than the server's must still find a number of a range opened since.
 * - Pure and portable: HMAC-SHA256 from @noble/hashes, so Node (server) and
 *   browsers (till) compute byte-identical hashes without platform crypto.
 */
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, hexToBytes, utf8ToBytes } from '@noble/hashes/utils.js';
import { isSupportedCountry, parsePhoneNumberFromString } from 'libphonenumber-js';
import { z } from 'zod';

/** A phone key's secret: 32 random bytes as lower-case hex. */
export const phoneKeySecretSchema = z.string().regex(/^[0-9a-f]{64}$/, '32 bytes as lower-case hex');

/** A phone key as tills receive it: `id` names it (members record which key hashed their phone). */
export const phoneKeySchema = z.object({ id: z.string().min(1).max(64), secret: phoneKeySecretSchema });
export type PhoneKey = z.infer<typeof phoneKeySchema>;

/** ISO 3166-1 alpha-2, upper case (e.g. "NL", "BG"): the default region for numbers typed without a country code. */
export const countryCodeSchema = z.string().regex(/^[A-Z]{2}$/, 'an ISO 3166-1 alpha-2 country code, e.g. NL');

/** What a person types as a phone number: digits, an optional leading +, spaces and the usual separators. */
const TYPED_PHONE = /^\+?[\d\s().\-/]{4,40}$/;

/** True when libphonenumber-js knows the country's numbering plan. */
export function isPhoneCountry(country: string): boolean {
  return isSupportedCountry(country);
}

/**
 * The E.164 form of typed text ("+359881234567"), or null when it is not a possible phone number.
 * `defaultCountry` is the region for numbers typed without a country code; null: only international numbers.
 */
export function normalisePhone(text: string, defaultCountry: string | null): string | null {
  const typed = text.trim();
  if (!TYPED_PHONE.test(typed)) return null;
  const region = defaultCountry && isSupportedCountry(defaultCountry) ? defaultCountry : undefined;
  const parsed = parsePhoneNumberFromString(typed, region);
  if (!parsed || !parsed.isPossible()) return null;
  return parsed.number;
}

/** HMAC-SHA256 of an E.164 number under a phone key's secret, as lower-case hex (64 characters). */
export function phoneHash(e164: string, secret: string): string {
  return bytesToHex(hmac(sha256, hexToBytes(secret), utf8ToBytes(e164)));
}

/** The hash a member's phone is stored under, or '' when the phone is empty or not a possible number. */
export function memberPhoneHash(phone: string, defaultCountry: string | null, secret: string): string {
  const e164 = normalisePhone(phone, defaultCountry);
  return e164 ? phoneHash(e164, secret) : '';
}

/**
 * The hashes to look typed text up by: one per key the till holds (the current key first; during a key
 * rotation the previous one too, until the till has pulled every re-hashed member). Empty when the text is
 * not a possible phone number or no key is known.
 */
export function phoneLookupHashes(text: string, defaultCountry: string | null, keys: readonly PhoneKey[]): string[] {
  const e164 = normalisePhone(text, defaultCountry);
  if (!e164) return [];
  return [...new Set(keys.map((k) => phoneHash(e164, k.secret)))];
}
