/**
 * Phone numbers as tills know them (shared/phone.ts): one number typed any
 * way gives one E.164 form and one keyed hash; text that is not a possible
 * number gives none; the hash is HMAC-SHA256 under the key, as the server's
 * own crypto computes it.
 */
import { createHmac, randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { memberPhoneHash, normalisePhone, phoneHash, phoneLookupHashes, type PhoneKey } from '../../shared/phone';

const key: PhoneKey = { id: 'pk-test', secret: 'a'.repeat(64) };
const other: PhoneKey = { id: 'pk-other', secret: randomBytes(32).toString('hex') };

describe('normalising typed phone numbers', () => {
  it('gives one E.164 form for the same number typed in every usual way (default region BG)', () => {
    const typed = [
      '+359 88 123 4567',
      '+359881234567',
      '0881234567',
      '088 123 45 67',
      '(088) 123-4567',
      '088/123 4567',
      '00359 88 123 4567',
      '  0881234567  ',
    ];
    for (const t of typed) expect(normalisePhone(t, 'BG'), t).toBe('+359881234567');
  });

  it('reads a national number in the store’s country, and an international one anywhere', () => {
    expect(normalisePhone('06 1000 0001', 'NL')).toBe('+31610000001');
    expect(normalisePhone('+31 6 10000001', 'BG')).toBe('+31610000001');
    // The same national digits are another number in another country.
    expect(normalisePhone('0881234567', 'NL')).not.toBe('+359881234567');
    // Without a default region only international numbers are numbers.
    expect(normalisePhone('+359 88 123 4567', null)).toBe('+359881234567');
    expect(normalisePhone('0881234567', null)).toBeNull();
    // An unknown region is no region.
    expect(normalisePhone('0881234567', 'XX')).toBeNull();
  });

  it('gives nothing for text that is not a possible phone number', () => {
    for (const t of ['', 'abc', '12', '2990000000026', 'call 0881234567', '0881234567x', '+', '+359 1', '٠٨٨١٢٣٤٥٦٧']) {
      expect(normalisePhone(t, 'BG'), t).toBeNull();
    }
    expect(normalisePhone('0'.repeat(200), 'BG')).toBeNull();
  });
});

describe('keyed phone hashes', () => {
  it('is HMAC-SHA256 over the E.164 text, in lower-case hex', () => {
    const expected = createHmac('sha256', Buffer.from(key.secret, 'hex')).update('+359881234567').digest('hex');
    expect(phoneHash('+359881234567', key.secret)).toBe(expected);
    expect(phoneHash('+359881234567', key.secret)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('hashes the same number typed in different formats the same, and depends on the key', () => {
    const a = phoneLookupHashes('+359 88 123 4567', 'BG', [key]);
    const b = phoneLookupHashes('0881234567', 'BG', [key]);
    expect(a).toHaveLength(1);
    expect(b).toEqual(a);
    expect(memberPhoneHash('+359881234567', 'BG', key.secret)).toBe(a[0]);
    expect(phoneLookupHashes('0881234567', 'BG', [other])).not.toEqual(a);
  });

  it('looks up under every key the till holds, current first, and under none without a number or a key', () => {
    const both = phoneLookupHashes('0881234567', 'BG', [other, key]);
    expect(both).toEqual([phoneHash('+359881234567', other.secret), phoneHash('+359881234567', key.secret)]);
    expect(phoneLookupHashes('0881234567', 'BG', [])).toEqual([]);
    expect(phoneLookupHashes('not a phone', 'BG', [key])).toEqual([]);
    expect(memberPhoneHash('', 'BG', key.secret)).toBe('');
    expect(memberPhoneHash('n/a', 'BG', key.secret)).toBe('');
  });

  it('any Bulgarian mobile number, written nationally or internationally, spaced or not, has one hash (property)', () => {
    const mobile = fc.tuple(fc.constantFrom('87', '88', '89'), fc.stringMatching(/^\d{7}$/));
    const spacing = fc.constantFrom('', ' ', '-', '.');
    fc.assert(
      fc.property(mobile, spacing, ([prefix, rest], sep) => {
        const e164 = `+359${prefix}${rest}`;
        const forms = [
          e164,
          `0${prefix}${sep}${rest.slice(0, 3)}${sep}${rest.slice(3)}`,
          `+359${sep}${prefix}${sep}${rest}`,
          `00359${prefix}${rest}`,
        ];
        const hashes = new Set(forms.map((f) => phoneLookupHashes(f, 'BG', [key])[0]));
        expect(hashes).toEqual(new Set([phoneHash(e164, key.secret)]));
      }),
      { numRuns: 200 },
    );
  });
});
