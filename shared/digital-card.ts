/**
 * The digital member card: a short-lived code the server signs for a member
 * (shown as a QR code in the member's app, or printed), which a till verifies
 * offline with the chain's public keys from its store document.
 *
 * Format (one line of text, docs/digital-card.md):
 *
 *   KC1.<member id>.<expires, Unix seconds>.<nonce>.<key id>.<signature>
 *
 * The signature is Ed25519 over the UTF-8 text before its final dot, base64url
 * without padding (86 characters). The nonce is 12 base64url characters (72
 * random bits). A code lives `DIGITAL_CARD_TTL_SECONDS`; a till refuses one
 * whose key it does not hold, whose signature does not verify, that expired
 * (with `CLOCK_SKEW_SECONDS` of grace), or that it took before (db/digital-cards.ts).
 *
 * Invariants: verification is pure and needs no network; nothing but the
 * holder of a key's secret can make a code that verifies under it; the member
 * id is the only personal datum in a code.
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import { z } from 'zod';
import type { ErrorCode } from './errors';

export const DIGITAL_CARD_PREFIX = 'KC1';
/** How long a code is good for once signed. */
export const DIGITAL_CARD_TTL_SECONDS = 300;
/** Grace for a till clock behind or ahead of the server's. */
export const CLOCK_SKEW_SECONDS = 60;

/** A public key as tills receive it in their store document (raw 32 bytes, base64url). */
export const cardKeySchema = z.object({
  id: z.string().regex(/^ck-[0-9A-Z]{26}$/),
  publicKey: z.string().regex(/^[A-Za-z0-9_-]{43}$/),
});
export type CardKey = z.infer<typeof cardKeySchema>;

const CODE = /^KC1\.([0-9A-HJKMNP-TV-Z]{26})\.(\d{10})\.([A-Za-z0-9_-]{12})\.(ck-[0-9A-Z]{26})\.([A-Za-z0-9_-]{86})$/;

export type DigitalCard = { memberId: string; expiresAt: number; nonce: string; keyId: string };

export type DigitalCardCheck =
  | ({ ok: true } & DigitalCard)
  | {
      ok: false;
      code: Extract<
        ErrorCode,
        'DIGITAL_CARD_GARBLED' | 'DIGITAL_CARD_KEY_UNKNOWN' | 'DIGITAL_CARD_FORGED' | 'DIGITAL_CARD_EXPIRED'
      >;
      reason: string;
    };

function base64url(bytes: Uint8Array): string {
  let bin = '';
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '');
}

function fromBase64url(text: string): Uint8Array {
  const bin = atob(text.replaceAll('-', '+').replaceAll('_', '/'));
  return Uint8Array.from(bin, (c) => c.charCodeAt(0));
}

function signatureVerifies(signature: string, body: string, publicKey: string): boolean {
  try {
    const sig = fromBase64url(signature);
    // One spelling of a signature: the last character's spare bits must be zero, so no two codes share one.
    if (base64url(sig) !== signature) return false;
    return ed25519.verify(sig, new TextEncoder().encode(body), fromBase64url(publicKey));
  } catch {
    return false;
  }
}

/** Whether a scan looks like a digital card (then it is verified, never looked up as a card number). */
export function looksLikeDigitalCard(text: string): boolean {
  return text.startsWith(`${DIGITAL_CARD_PREFIX}.`);
}

/** A new signing key: its secret (hex, the server keeps it) and its public half as tills hold it. */
export function newCardKey(id: string): { key: CardKey; secretHex: string } {
  const secret = ed25519.utils.randomSecretKey();
  const hex = Array.from(secret, (b) => b.toString(16).padStart(2, '0')).join('');
  return { key: { id, publicKey: base64url(ed25519.getPublicKey(secret)) }, secretHex: hex };
}

/** Signs a code for a member with a key's secret; `nonce` is 9 random bytes. */
export function signDigitalCard(
  input: { memberId: string; expiresAt: number; keyId: string; nonce: Uint8Array },
  secretHex: string,
): string {
  if (input.nonce.length !== 9) throw new Error('a digital card nonce is 9 bytes');
  const body = [DIGITAL_CARD_PREFIX, input.memberId, String(input.expiresAt), base64url(input.nonce), input.keyId].join(
    '.',
  );
  const secret = Uint8Array.from(secretHex.match(/../g) ?? [], (h) => parseInt(h, 16));
  return `${body}.${base64url(ed25519.sign(new TextEncoder().encode(body), secret))}`;
}

/** Verifies a scanned code against the keys a till holds, at `nowMs`. */
export function verifyDigitalCard(text: string, keys: readonly CardKey[], nowMs: number): DigitalCardCheck {
  const m = CODE.exec(text.trim());
  if (!m) return { ok: false, code: 'DIGITAL_CARD_GARBLED', reason: 'Not a readable digital card' };
  const [, memberId, expires, nonce, keyId, signature] = m as unknown as [
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  const key = keys.find((k) => k.id === keyId);
  if (!key)
    return {
      ok: false,
      code: 'DIGITAL_CARD_KEY_UNKNOWN',
      reason: `The code is signed with key ${keyId}, not held here`,
    };
  const body = text.trim().slice(0, text.trim().lastIndexOf('.'));
  if (!signatureVerifies(signature, body, key.publicKey))
    return { ok: false, code: 'DIGITAL_CARD_FORGED', reason: 'The signature does not verify' };
  const expiresAt = Number(expires);
  if (expiresAt + CLOCK_SKEW_SECONDS < Math.floor(nowMs / 1000))
    return {
      ok: false,
      code: 'DIGITAL_CARD_EXPIRED',
      reason: `The code expired at ${new Date(expiresAt * 1000).toISOString()}`,
    };
  return { ok: true, memberId, expiresAt, nonce, keyId };
}
