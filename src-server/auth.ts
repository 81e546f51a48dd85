/**
 * Till and admin credentials. Tokens are random 256-bit strings; only their
 * SHA-256 is stored. Enrolment codes are one-time: using one clears it.
 */
import { createHash, randomBytes } from 'node:crypto';
import { KassaError } from '../shared/errors';
import type { Db } from './db';

export const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');
export const newToken = (): string => randomBytes(32).toString('base64url');

/**
 * `tokenHash`: the SHA-256 of the token the till called with, when it was checked through a `TillTokens` cache:
 * a push re-checks it against the till row under the till's lock (ingest/index.ts), so a cached token never
 * outlives a revocation or a new enrolment.
 */
export type TillIdentity = { tillId: string; storeId: string; tokenHash?: string };

/** Channel on which a revocation reaches every server node (they close that till's live streams). */
export const REVOCATIONS_CHANNEL = 'kassa_revocations';

export const enrolTill = async (db: Db, code: string): Promise<TillIdentity & { token: string }> => {
  const token = newToken();
  // A code works once, before it expires, and never for a revoked till.
  const rows = await db.query<{ id: string; store_id: string }>(
    `UPDATE tills SET token_hash = $2, enrolled_at = now(), enrol_code_hash = NULL, enrol_code_expires_at = NULL
      WHERE enrol_code_hash = $1 AND revoked_at IS NULL
        AND (enrol_code_expires_at IS NULL OR enrol_code_expires_at > now())
      RETURNING id, store_id`,
    [sha256(code), sha256(token)],
  );
  const till = rows[0];
  if (!till) throw new KassaError('ENROL_CODE_INVALID', 'This enrolment code is not valid or was already used');
  return { tillId: till.id, storeId: till.store_id, token };
};

/** The SHA-256 of the Bearer token in `header`; a missing or malformed header is a coded error. */
function tokenHashOf(header: string | undefined): string {
  if (!header) throw new KassaError('AUTH_MISSING', 'This till is not signed in (no token)');
  const token = /^Bearer (\S+)$/.exec(header)?.[1];
  if (!token) throw new KassaError('AUTH_INVALID', 'The till token is not valid');
  return sha256(token);
}

export function tillRevoked(tillId: string): KassaError {
  return new KassaError('TILL_REVOKED', `Till ${tillId} was revoked by head office; ask for a new enrolment code`);
}

export function tokenInvalid(): KassaError {
  return new KassaError('AUTH_INVALID', 'The till token is not valid');
}

async function tillByTokenHash(db: Db, hash: string): Promise<TillIdentity> {
  const rows = await db.query<{ id: string; store_id: string; revoked_at: Date | string | null }>(
    'SELECT id, store_id, revoked_at FROM tills WHERE token_hash = $1',
    [hash],
  );
  const till = rows[0];
  if (!till) throw tokenInvalid();
  if (till.revoked_at !== null) throw tillRevoked(till.id);
  return { tillId: till.id, storeId: till.store_id };
}

export const tillFromAuthHeader = async (db: Db, header: string | undefined): Promise<TillIdentity> =>
  tillByTokenHash(db, tokenHashOf(header));

export type TillTokens = {
  /** The till a token belongs to: from this process's memory, else the database (then remembered). */
  verify: (header: string | undefined) => Promise<TillIdentity>;
  /** Forgets a till's tokens (it was revoked or enrolled again); '' forgets every till's. */
  forget: (tillId: string) => void;
};

/**
 * Till tokens this process has checked, for pushes: a push then costs no read of its own before it joins a group,
 * and the group re-checks each token under the till's row lock (ingest/index.ts), so a revocation or a new
 * enrolment holds at once on every node even before its notification arrives. Bounded; oldest entries go first.
 */
export function tillTokens(db: Db, size = 10_000): TillTokens {
  const known = new Map<string, TillIdentity>();
  return {
    async verify(header) {
      const hash = tokenHashOf(header);
      const hit = known.get(hash);
      if (hit) return hit;
      const till = { ...(await tillByTokenHash(db, hash)), tokenHash: hash };
      known.set(hash, till);
      if (known.size > size) known.delete(known.keys().next().value!);
      return till;
    },
    forget(tillId) {
      for (const [hash, till] of known) if (tillId === '' || till.tillId === tillId) known.delete(hash);
    },
  };
}
