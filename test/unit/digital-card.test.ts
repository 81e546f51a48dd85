/**
 * Digital member cards (shared/digital-card.ts): a code the server signs verifies offline with the public key
 * alone; one changed character, another key, an unknown key, a lapsed code and garbage are each refused with
 * their code; a till takes a code once (src-renderer/src/db/digital-cards.ts on the till's real database, RxDB
 * on fake-indexeddb), also when it is scanned twice at once, and forgets it once it has expired.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CLOCK_SKEW_SECONDS,
  DIGITAL_CARD_TTL_SECONDS,
  newCardKey,
  signDigitalCard,
  verifyDigitalCard,
} from '../../shared/digital-card';
import { classifyScan } from '../../shared/scan';
import { createTillDatabase, type TillDatabase } from '../../src-renderer/src/db/database';
import { takeDigitalCard } from '../../src-renderer/src/db/digital-cards';
import { nodeTillStorage } from '../support/node-storage';

const MEMBER = '01KDVDNA000000000000000002';
const NOW = Date.UTC(2026, 11, 6, 10, 0, 0);
const { key, secretHex } = newCardKey('ck-01KDVDNC000000000000000001');
const other = newCardKey('ck-01KDVDNC000000000000000002');

function code(nonceByte = 1, expiresAt = Math.floor(NOW / 1000) + DIGITAL_CARD_TTL_SECONDS, secret = secretHex) {
  return signDigitalCard(
    { memberId: MEMBER, expiresAt, keyId: key.id, nonce: new Uint8Array(9).fill(nonceByte) },
    secret,
  );
}

describe('digital card codes', () => {
  it('verify with the public key and name the member; the scanner path hands them on whole', () => {
    const c = code();
    expect(c).toMatch(/^KC1\.[0-9A-Z]{26}\.\d{10}\.[A-Za-z0-9_-]{12}\.ck-[0-9A-Z]{26}\.[A-Za-z0-9_-]{86}$/);
    expect(verifyDigitalCard(c, [other.key, key], NOW)).toMatchObject({ ok: true, memberId: MEMBER });
    expect(classifyScan(`${c}\r`)).toEqual({ kind: 'member-qr', code: c });
  });

  it('refuses a forged, re-keyed, unknown-key, lapsed or garbled code with its code', () => {
    const c = code();
    // Another member's id in a genuine code: the signature no longer covers it.
    const otherMember = c.replace(MEMBER, '01KDVDNA000000000000000006');
    expect(verifyDigitalCard(otherMember, [key], NOW)).toMatchObject({ ok: false, code: 'DIGITAL_CARD_FORGED' });
    // Signed with a secret that is not the key's.
    expect(verifyDigitalCard(code(1, undefined, other.secretHex), [key], NOW)).toMatchObject({
      code: 'DIGITAL_CARD_FORGED',
    });
    expect(verifyDigitalCard(c, [other.key], NOW)).toMatchObject({ code: 'DIGITAL_CARD_KEY_UNKNOWN' });
    const lapsed = (DIGITAL_CARD_TTL_SECONDS + CLOCK_SKEW_SECONDS + 1) * 1000;
    expect(verifyDigitalCard(c, [key], NOW + lapsed)).toMatchObject({ code: 'DIGITAL_CARD_EXPIRED' });
    expect(verifyDigitalCard(c, [key], NOW + lapsed - 2000)).toMatchObject({ ok: true });
    expect(verifyDigitalCard('KC1.nonsense', [key], NOW)).toMatchObject({ code: 'DIGITAL_CARD_GARBLED' });
  });

  it('no single changed character of a code still verifies (property)', () => {
    const c = code();
    const alphabet = 'ABCDEFGHJKMNPQRSTVWXYZ0123456789abcdefghijklmnopqrstuvwxyz-_.';
    fc.assert(
      fc.property(fc.nat(c.length - 1), fc.constantFrom(...alphabet), (at, ch) => {
        fc.pre(c[at] !== ch);
        const changed = c.slice(0, at) + ch + c.slice(at + 1);
        expect(verifyDigitalCard(changed, [key], NOW).ok).toBe(false);
      }),
      { numRuns: 300 },
    );
  });
});

describe('taking a digital card at the till', () => {
  let db: TillDatabase;
  beforeAll(async () => {
    db = await createTillDatabase({ name: `digital-cards-${Date.now()}`, storage: nodeTillStorage() });
  });
  afterAll(async () => db?.close());

  it('takes a code once, also scanned twice at once; refusals take nothing; an expired nonce is forgotten', async () => {
    await expect(
      takeDigitalCard(db, [key], code(7).replace(MEMBER, '01KDVDNA000000000000000006'), NOW),
    ).rejects.toMatchObject({
      code: 'DIGITAL_CARD_FORGED',
    });
    const c = code(7);
    const both = await Promise.allSettled([takeDigitalCard(db, [key], c, NOW), takeDigitalCard(db, [key], c, NOW)]);
    expect(both.map((r) => (r.status === 'fulfilled' ? r.value : (r.reason as { code: string }).code))).toEqual([
      MEMBER,
      'DIGITAL_CARD_REPLAYED',
    ]);
    await expect(takeDigitalCard(db, [key], code(8), NOW)).resolves.toBe(MEMBER);
    // Later: the first codes lapsed and are forgotten; a fresh one is taken.
    const later = NOW + (DIGITAL_CARD_TTL_SECONDS + CLOCK_SKEW_SECONDS + 5) * 1000;
    const fresh = code(9, Math.floor(later / 1000) + DIGITAL_CARD_TTL_SECONDS);
    await expect(takeDigitalCard(db, [key], fresh, later)).resolves.toBe(MEMBER);
    const seen = (await db.journal.getLocal('digital-cards-seen'))?.get('seen') as Record<string, number>;
    expect(Object.keys(seen)).toHaveLength(1);
  });
});
