/**
 * Till and admin credentials. Tokens are random 256-bit strings; only their
 * SHA-256 is stored. Enrolment codes are one-time: using one clears it.
 */
import { createHash, randomBytes } from 'node:crypto';
import { KassaError } from '../shared/errors';
import type { Db } from './db';

export const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');
export const newToken = (): string => randomBytes(32).toString('base64url');

export type TillIdentity = { tillId: string; storeId: string };

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

export const tillFromAuthHeader = async (db: Db, header: string | undefined): Promise<TillIdentity> => {
  if (!header) throw new KassaError('AUTH_MISSING', 'This till is not signed in (no token)');
  const token = /^Bearer (\S+)$/.exec(header)?.[1];
  if (!token) throw new KassaError('AUTH_INVALID', 'The till token is not valid');
  const rows = await db.query<{ id: string; store_id: string; revoked_at: Date | string | null }>(
    'SELECT id, store_id, revoked_at FROM tills WHERE token_hash = $1',
    [sha256(token)],
  );
  const till = rows[0];
  if (!till) throw new KassaError('AUTH_INVALID', 'The till token is not valid');
  if (till.revoked_at !== null)
    throw new KassaError('TILL_REVOKED', `Till ${till.id} was revoked by head office; ask for a new enrolment code`);
  return { tillId: till.id, storeId: till.store_id };
};
