/**
 * The chain's digital-card keys (shared/digital-card.ts): the server signs a
 * short-lived code for a member; tills verify it offline with the public keys
 * in their store document.
 *
 * Invariants:
 * - At most one current key (`card_keys.retired_at IS NULL`), made once on
 *   first need under an advisory lock, kept in the database so every server
 *   node signs with it. Its secret never leaves the server.
 * - Store documents carry the current key first and the one it replaced
 *   after it: codes signed just before a rotation still verify at tills that
 *   have not pulled the new key, and at tills that have.
 * - A code names its key; a till refuses a key it does not hold.
 */
import { randomBytes } from 'node:crypto';
import { ulid } from 'ulid';
import { DIGITAL_CARD_TTL_SECONDS, newCardKey, signDigitalCard, type CardKey } from '../../shared/digital-card';
import { KassaError } from '../../shared/errors';
import type { Query } from '../db';

const CARD_KEY_LOCK = 7_301_016;

type Row = { id: string; public_key: string; secret: string };

async function insertKey(q: Query): Promise<Row> {
  const { key, secretHex } = newCardKey(`ck-${ulid()}`);
  await q('INSERT INTO card_keys (id, public_key, secret) VALUES ($1, $2, $3)', [key.id, key.publicKey, secretHex]);
  return { id: key.id, public_key: key.publicKey, secret: secretHex };
}

async function currentKey(q: Query): Promise<Row> {
  await q('SELECT pg_advisory_xact_lock($1)', [CARD_KEY_LOCK]);
  const [row] = await q<Row>('SELECT id, public_key, secret FROM card_keys WHERE retired_at IS NULL');
  return row ?? insertKey(q);
}

/** The public keys tills hold: the current one, then the one it replaced (if any). */
export async function tillCardKeys(q: Query): Promise<CardKey[]> {
  const current = await currentKey(q);
  const previous = await q<Row>(
    'SELECT id, public_key, secret FROM card_keys WHERE retired_at IS NOT NULL ORDER BY retired_at DESC, id DESC LIMIT 1',
  );
  return [current, ...previous].map((r) => ({ id: r.id, publicKey: r.public_key }));
}

/** Replaces the current key; the caller republishes the store documents (publishStores) and stamps them. */
export async function rotateCardKey(q: Query): Promise<{ keyId: string; previousKeyId: string }> {
  const previous = await currentKey(q);
  await q('UPDATE card_keys SET retired_at = now() WHERE id = $1', [previous.id]);
  const key = await insertKey(q);
  return { keyId: key.id, previousKeyId: previous.id };
}

/** A code for a member, good for DIGITAL_CARD_TTL_SECONDS from `nowMs`. Throws NOT_FOUND for no such member. */
export async function issueDigitalCard(
  q: Query,
  memberId: string,
  nowMs = Date.now(),
): Promise<{ code: string; expiresAt: string; keyId: string }> {
  const [m] = await q<{ id: string }>('SELECT id FROM members WHERE id = $1 AND erased_at IS NULL AND NOT deleted', [
    memberId,
  ]);
  if (!m) throw new KassaError('NOT_FOUND', `No member ${memberId}`);
  const key = await currentKey(q);
  const expiresAt = Math.floor(nowMs / 1000) + DIGITAL_CARD_TTL_SECONDS;
  const code = signDigitalCard({ memberId, expiresAt, keyId: key.id, nonce: randomBytes(9) }, key.secret);
  return { code, expiresAt: new Date(expiresAt * 1000).toISOString(), keyId: key.id };
}
