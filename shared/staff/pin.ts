/**
 * Cashier and supervisor PINs: the hash the server stores and the till checks
 * offline.
 *
 * Invariants:
 * - A PIN is 4 to 8 digits. Only a salted PBKDF2-SHA-256 hash of it is stored
 *   and replicated (`pbkdf2-sha256$<iterations>$<salt>$<hash>`, base64url),
 *   made with WebCrypto, which the server (Node) and the till (Chromium) both
 *   have natively.
 * - Verifying compares every byte (no early exit) and treats a malformed
 *   stored hash as a mismatch, never as an error a cashier could exploit.
 * - A short PIN is not a password: a hash copied off a till's disk can be
 *   brute-forced. What keeps guessing out at the till is the attempt limit
 *   (pin-guard.ts); the hash keeps PINs out of plain sight.
 */
export const PIN_PATTERN = /^\d{4,8}$/;
export const PIN_ITERATIONS = 100_000;
const PREFIX = 'pbkdf2-sha256';

function toBase64Url(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function fromBase64Url(text: string): Uint8Array | null {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) return null;
  const padded = text.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (text.length % 4)) % 4);
  const raw = atob(padded);
  return Uint8Array.from(raw, (c) => c.charCodeAt(0));
}

async function derive(pin: string, salt: Uint8Array, iterations: number): Promise<Uint8Array> {
  const key = await crypto.subtle.importKey('raw', new TextEncoder().encode(pin), 'PBKDF2', false, ['deriveBits']);
  const bits = await crypto.subtle.deriveBits(
    { name: 'PBKDF2', hash: 'SHA-256', salt: salt as Uint8Array<ArrayBuffer>, iterations },
    key,
    256,
  );
  return new Uint8Array(bits);
}

/** A stored hash for a PIN (the caller has checked it against PIN_PATTERN). */
export async function hashPin(pin: string, iterations = PIN_ITERATIONS): Promise<string> {
  const salt = crypto.getRandomValues(new Uint8Array(16));
  const hash = await derive(pin, salt, iterations);
  return `${PREFIX}$${iterations}$${toBase64Url(salt)}$${toBase64Url(hash)}`;
}

/** Whether a typed PIN matches a stored hash; false for anything malformed. */
export async function verifyPin(pin: string, stored: string): Promise<boolean> {
  if (!PIN_PATTERN.test(pin)) return false;
  const [prefix, iter, saltText, hashText, ...rest] = stored.split('$');
  const iterations = Number(iter);
  if (prefix !== PREFIX || rest.length > 0 || !Number.isInteger(iterations)) return false;
  if (iterations < 1_000 || iterations > 10_000_000) return false;
  const salt = fromBase64Url(saltText ?? '');
  const expected = fromBase64Url(hashText ?? '');
  if (!salt || !expected || salt.length < 8 || expected.length !== 32) return false;
  const actual = await derive(pin, salt, iterations);
  let diff = 0;
  for (let i = 0; i < expected.length; i++) diff |= actual[i]! ^ expected[i]!;
  return diff === 0;
}
