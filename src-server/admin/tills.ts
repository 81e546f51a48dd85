/**
 * Stores and tills through the admin API, and the till's own token rotation.
 *
 * Invariants:
 * - An enrolment code is shown once (in the reply that made it), stored only
 *   as its SHA-256, works once and expires (default 7 days).
 * - Revoking a till cuts it off at once: its token answers 401 TILL_REVOKED
 *   from then on, and a NOTIFY on the revocations channel makes every server
 *   node close that till's open live streams. A revoked till comes back only
 *   through a new enrolment code (which lifts the revocation when used).
 * - Rotation replaces a till's token; the old one stops working in the same
 *   transaction.
 * - Every write is in the audit log.
 */
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { storeSchema } from '../../shared/documents';
import { KassaError } from '../../shared/errors';
import { memberScopeSettingSchema } from '../../shared/member-scope';
import { countryCodeSchema, isPhoneCountry } from '../../shared/phone';
import { textSchema } from '../../shared/primitives';
import type { Db, Query } from '../db';
import { newToken, REVOCATIONS_CHANNEL, sha256, tillFromAuthHeader } from '../auth';
import { parseInput } from '../http/errors';
import { publishStores } from '../privacy/phone-keys';
import { MEMBER_SCOPE_PAYLOAD, memberScopeOf } from '../member-scope';
import { CHANGES_CHANNEL, stampSeq } from '../seq';
import { audit, type AdminAccess } from './access';
import { ensureCardRanges } from './card-ranges';

const idSchema = z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'lower-case letters, digits and dashes');
const newStoreSchema = z.object({
  id: idSchema,
  name: textSchema(120).min(1),
  currency: z.string().regex(/^[A-Z]{3}$/),
  timeZone: z.string().refine((tz) => {
    try {
      new Intl.DateTimeFormat('en', { timeZone: tz });
      return true;
    } catch {
      return false;
    }
  }, 'an IANA time zone, e.g. Europe/Amsterdam'),
  programId: idSchema,
  /** Default region for phone numbers typed without a country code; without it only international numbers are found. */
  country: countryCodeSchema
    .refine(isPhoneCountry, 'a country with a known phone numbering plan')
    .nullable()
    .default(null),
});
const newTillSchema = z.object({
  id: idSchema,
  storeId: idSchema,
  name: textSchema(80).min(1),
  codeValidDays: z.number().int().min(1).max(90).default(7),
});
const codeSchema = z
  .object({ codeValidDays: z.number().int().min(1).max(90).default(7) })
  .default({ codeValidDays: 7 });
const tillParams = z.object({ id: idSchema });
const listSchema = z.object({
  staleAfterMinutes: z.coerce.number().int().min(1).max(100_000).default(60),
  stale: z
    .enum(['true', 'false'])
    .transform((v) => v === 'true')
    .optional(),
});

/** A one-time enrolment code a person can type: 4 groups of 4 from an alphabet without look-alikes. */
export function newEnrolCode(): string {
  const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
  const bytes = randomBytes(16);
  const chars = [...bytes].map((b) => alphabet[b % alphabet.length]!);
  return [0, 4, 8, 12].map((i) => chars.slice(i, i + 4).join('')).join('-');
}

/** Gives a till a fresh one-time code; its current token stops working (a replacement machine enrols with it). */
async function issueCode(q: Query, tillId: string, validDays: number): Promise<{ code: string; expiresAt: string }> {
  const code = newEnrolCode();
  const rows = await q<{ expires: Date | string }>(
    `UPDATE tills SET enrol_code_hash = $2, enrol_code_expires_at = now() + make_interval(days => $3),
            token_hash = NULL, revoked_at = NULL
      WHERE id = $1 RETURNING enrol_code_expires_at AS expires`,
    [tillId, sha256(code), validDays],
  );
  if (!rows[0]) throw new KassaError('NOT_FOUND', `No till ${tillId}`);
  return { code, expiresAt: new Date(rows[0].expires).toISOString() };
}

export function tillRoutes(app: FastifyInstance, db: Db, access: AdminAccess): void {
  app.post('/api/v1/admin/stores', async (req, reply) => {
    const actor = await access.require(req, 'admin');
    const s = parseInput(newStoreSchema, req.body);
    const store = storeSchema.parse(s);
    await db.tx(async (q) => {
      const program = await q("SELECT 1 FROM refdata WHERE id = 'program:' || $1", [s.programId]);
      if (program.length === 0) throw new KassaError('NOT_FOUND', `No program ${s.programId}`);
      const inserted = await q(
        `INSERT INTO stores (id, name, currency, time_zone, program_id, country) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (id) DO NOTHING RETURNING id`,
        [s.id, s.name, s.currency, s.timeZone, s.programId, s.country],
      );
      if (inserted.length === 0) throw new KassaError('CONFLICT', `Store ${s.id} already exists`);
      // The store's document for its tills, with the chain's phone keys.
      const docs = await publishStores(q, [s.id]);
      await audit(q, actor, 'store.create', s.id, s);
      await stampSeq(q, 'refdata', docs);
    });
    return reply.status(201).send({ ok: true, store });
  });

  app.post('/api/v1/admin/tills', async (req, reply) => {
    const actor = await access.require(req, 'admin');
    const t = parseInput(newTillSchema, req.body);
    const result = await db.tx(async (q) => {
      const store = await q('SELECT 1 FROM stores WHERE id = $1', [t.storeId]);
      if (store.length === 0) throw new KassaError('NOT_FOUND', `No store ${t.storeId}`);
      const inserted = await q(
        'INSERT INTO tills (id, store_id, name) VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING RETURNING id',
        [t.id, t.storeId, t.name],
      );
      if (inserted.length === 0) throw new KassaError('CONFLICT', `Till ${t.id} already exists`);
      const code = await issueCode(q, t.id, t.codeValidDays);
      // Card numbers the till gives out itself when it enrols a member, there before it first pulls.
      await stampSeq(q, 'refdata', await ensureCardRanges(q, [t.id]));
      await audit(q, actor, 'till.create', t.id, { storeId: t.storeId, name: t.name, codeExpiresAt: code.expiresAt });
      return code;
    });
    // The code is shown here once; the server keeps only its hash.
    return reply
      .status(201)
      .send({ ok: true, tillId: t.id, storeId: t.storeId, enrolCode: result.code, expiresAt: result.expiresAt });
  });

  // Partial replication (shared/member-scope.ts): which members the store's tills hold. After the commit every
  // server ends its live member streams, so a till whose scope changed (a region's other stores count too) hears
  // 409 MEMBER_SCOPE_CHANGED when it pulls on reconnecting, and loads its members again.
  app.put('/api/v1/admin/stores/:id/member-scope', async (req) => {
    const actor = await access.require(req, 'admin');
    const { id } = parseInput(tillParams, req.params);
    const setting = parseInput(memberScopeSettingSchema, req.body);
    const scope = await db.tx(async (q) => {
      const updated = await q('UPDATE stores SET member_scope = $2, region = $3 WHERE id = $1 RETURNING id', [
        id,
        setting.scope,
        setting.region,
      ]);
      if (updated.length === 0) throw new KassaError('NOT_FOUND', `No store ${id}`);
      await audit(q, actor, 'store.member-scope', id, setting);
      return memberScopeOf(q, id);
    });
    await db.query('SELECT pg_notify($1, $2)', [CHANGES_CHANNEL, MEMBER_SCOPE_PAYLOAD]);
    return { ok: true, storeId: id, ...setting, stores: scope.stores, key: scope.key };
  });

  app.get('/api/v1/admin/tills', async (req) => {
    await access.require(req, 'auditor');
    const { staleAfterMinutes, stale } = parseInput(listSchema, req.query);
    const rows = await db.query<{
      id: string;
      store_id: string;
      name: string;
      enrolled_at: Date | string | null;
      revoked_at: Date | string | null;
      token_rotated_at: Date | string | null;
      last_seen_at: Date | string | null;
      pending_code: boolean;
    }>(
      `SELECT id, store_id, name, enrolled_at, revoked_at, token_rotated_at, last_seen_at,
              (enrol_code_hash IS NOT NULL AND (enrol_code_expires_at IS NULL OR enrol_code_expires_at > now())) AS pending_code
         FROM tills ORDER BY store_id, id`,
    );
    const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString());
    const cutoff = Date.now() - staleAfterMinutes * 60_000;
    const list = rows.map((r) => {
      const status = r.revoked_at ? 'revoked' : r.enrolled_at && !r.pending_code ? 'enrolled' : 'waiting-for-enrolment';
      const lastSeen = r.last_seen_at ?? r.enrolled_at;
      return {
        id: r.id,
        storeId: r.store_id,
        name: r.name,
        status,
        enrolledAt: iso(r.enrolled_at),
        revokedAt: iso(r.revoked_at),
        tokenRotatedAt: iso(r.token_rotated_at),
        lastSeenAt: iso(r.last_seen_at),
        // An enrolled till that has not called within the window has stopped syncing (offline, broken, switched off).
        stale: status === 'enrolled' && (lastSeen === null || new Date(lastSeen).getTime() < cutoff),
      };
    });
    return stale === undefined ? list : list.filter((t) => t.stale === stale);
  });

  app.post('/api/v1/admin/tills/:id/enrolment-code', async (req) => {
    const actor = await access.require(req, 'admin');
    const { id } = parseInput(tillParams, req.params);
    const { codeValidDays } = parseInput(codeSchema, req.body ?? undefined);
    const code = await db.tx(async (q) => {
      const c = await issueCode(q, id, codeValidDays);
      await audit(q, actor, 'till.enrolment-code', id, { expiresAt: c.expiresAt });
      await q('SELECT pg_notify($1, $2)', [REVOCATIONS_CHANNEL, id]);
      return c;
    });
    return { ok: true, tillId: id, enrolCode: code.code, expiresAt: code.expiresAt };
  });

  app.post('/api/v1/admin/tills/:id/revoke', async (req) => {
    const actor = await access.require(req, 'admin');
    const { id } = parseInput(tillParams, req.params);
    const revokedAt = await db.tx(async (q) => {
      const rows = await q<{ revoked_at: Date | string }>(
        `UPDATE tills SET revoked_at = coalesce(revoked_at, now()), enrol_code_hash = NULL
          WHERE id = $1 RETURNING revoked_at`,
        [id],
      );
      if (!rows[0]) throw new KassaError('NOT_FOUND', `No till ${id}`);
      await audit(q, actor, 'till.revoke', id, {});
      // Every node hears it at commit and closes this till's live streams.
      await q('SELECT pg_notify($1, $2)', [REVOCATIONS_CHANNEL, id]);
      return new Date(rows[0].revoked_at).toISOString();
    });
    return { ok: true, tillId: id, revokedAt };
  });

  // The till's own call: a new token for the one it holds (the till host stores it and drops the old).
  app.post('/api/v1/till/token/rotate', async (req) => {
    const till = await tillFromAuthHeader(db, req.headers.authorization);
    const token = newToken();
    await db.tx(async (q) => {
      await q('UPDATE tills SET token_hash = $2, token_rotated_at = now() WHERE id = $1', [till.tillId, sha256(token)]);
      await audit(q, { id: `till:${till.tillId}`, source: req.ip }, 'till.token-rotate', till.tillId, {});
    });
    return { tillId: till.tillId, storeId: till.storeId, token };
  });
}
