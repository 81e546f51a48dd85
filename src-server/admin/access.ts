/**
 * Who may use the admin API, and the audit log of what they did.
 *
 * People have their own credential and a role: `admin` (everything),
 * `manager` (programs, rewards, members, the review queue, reports) and
 * `auditor` (read only). A credential is `kad_<user>.<secret>`; the server
 * keeps only an scrypt hash of the secret (salted, per user). Verified
 * credentials are remembered for a minute by their SHA-256, so the KDF is
 * paid once per minute, not per request; disabling a user or rotating their
 * credential forgets it at once (on this node; other nodes within the minute).
 *
 * A bootstrap token (KASSA_ADMIN_TOKEN) may be configured for automation and
 * the demo: it acts as the user `admin` with the admin role. There is no
 * default: a server started with neither a bootstrap token nor any admin user
 * creates one and prints its credential once (main.ts).
 *
 * Every admin write goes to `audit_log` with who (user id), what, when and
 * from where (source address).
 */
import { randomBytes, scryptSync, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { KassaError } from '../../shared/errors';
import { textSchema } from '../../shared/primitives';
import type { Db, Query } from '../db';
import { parseInput } from '../http/errors';
import { sha256 } from '../auth';

export const roles = ['auditor', 'manager', 'admin'] as const;
export type Role = (typeof roles)[number];
export type AdminActor = { id: string; role: Role; source: string };

const RANK: Record<Role, number> = { auditor: 0, manager: 1, admin: 2 };
const CACHE_MS = 60_000;

function hashSecret(secret: string, salt = randomBytes(16).toString('hex')): string {
  return `scrypt:${salt}:${scryptSync(secret, salt, 32).toString('hex')}`;
}

function secretMatches(secret: string, stored: string): boolean {
  const [kind, salt, hex] = stored.split(':');
  if (kind !== 'scrypt' || !salt || !hex) return false;
  const expected = Buffer.from(hex, 'hex');
  const given = scryptSync(secret, salt, expected.length);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** A new credential for a user: shown once, stored as a hash. */
export function newCredential(userId: string): { credential: string; hash: string } {
  const secret = randomBytes(32).toString('base64url');
  return { credential: `kad_${userId}.${secret}`, hash: hashSecret(secret) };
}

export type AdminAccess = {
  /** The actor behind the request's bearer credential, if its role is at least `role`; else a coded 401/403. */
  require: (req: FastifyRequest, role: Role) => Promise<AdminActor>;
  /** Forgets remembered credentials of a user (disabled or rotated). */
  forget: (userId: string) => void;
};

export function adminAccess(db: Db, bootstrapToken: string | null): AdminAccess {
  const remembered = new Map<string, { actor: Omit<AdminActor, 'source'>; until: number }>();
  const bootstrap = bootstrapToken ? Buffer.from(`Bearer ${bootstrapToken}`) : null;

  async function identify(header: string): Promise<Omit<AdminActor, 'source'>> {
    const given = Buffer.from(header);
    if (bootstrap && given.length === bootstrap.length && timingSafeEqual(given, bootstrap))
      return { id: 'admin', role: 'admin' };
    const token = /^Bearer (kad_([a-z0-9][a-z0-9-]{0,63})\.([A-Za-z0-9_-]{20,100}))$/.exec(header);
    if (!token) throw new KassaError('AUTH_INVALID', 'Admin credential is not valid');
    const key = sha256(token[1]!);
    const hit = remembered.get(key);
    if (hit && hit.until > Date.now()) return hit.actor;
    const [user] = await db.query<{ id: string; role: Role; credential_hash: string }>(
      'SELECT id, role, credential_hash FROM admin_users WHERE id = $1 AND disabled_at IS NULL',
      [token[2]],
    );
    if (!user || !secretMatches(token[3]!, user.credential_hash))
      throw new KassaError('AUTH_INVALID', 'Admin credential is not valid');
    const actor = { id: user.id, role: user.role };
    remembered.set(key, { actor, until: Date.now() + CACHE_MS });
    return actor;
  }

  return {
    async require(req, role) {
      const header = req.headers.authorization;
      if (!header) throw new KassaError('AUTH_MISSING', 'Admin credential required');
      const actor = await identify(header);
      if (RANK[actor.role] < RANK[role])
        throw new KassaError('FORBIDDEN_ROLE', `This needs the ${role} role; ${actor.id} is ${actor.role}`);
      return { ...actor, source: req.ip };
    },
    forget(userId) {
      for (const [key, value] of remembered) if (value.actor.id === userId) remembered.delete(key);
    },
  };
}

/** One audit line: who, what, on what, from where, when (the row's default). A till acts as `till:<id>`. */
export async function audit(
  q: Query,
  actor: Pick<AdminActor, 'id' | 'source'>,
  action: string,
  target: string,
  detail: object,
): Promise<void> {
  await q('INSERT INTO audit_log (actor, action, target, detail, source) VALUES ($1, $2, $3, $4, $5)', [
    actor.id,
    action,
    target,
    JSON.stringify(detail),
    actor.source,
  ]);
}

/** On first start without a bootstrap token or any admin user: one admin with a credential printed once. */
export async function ensureFirstAdmin(db: Db): Promise<string | null> {
  return db.tx(async (q) => {
    await q('SELECT pg_advisory_xact_lock($1)', [7_301_005]);
    const [any] = await q<{ n: string }>('SELECT count(*) AS n FROM admin_users');
    if (Number(any!.n) > 0) return null;
    const { credential, hash } = newCredential('admin');
    await q("INSERT INTO admin_users (id, name, role, credential_hash) VALUES ('admin', 'First admin', 'admin', $1)", [
      hash,
    ]);
    return credential;
  });
}

const userIdSchema = z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'lower-case letters, digits and dashes');
const newUserSchema = z.object({ id: userIdSchema, name: textSchema(120).min(1), role: z.enum(roles) });
const userParams = z.object({ id: userIdSchema });

export function userRoutes(app: FastifyInstance, db: Db, access: AdminAccess): void {
  app.get('/api/v1/admin/users', async (req) => {
    await access.require(req, 'admin');
    const rows = await db.query<{ id: string; name: string; role: Role; created_at: Date; disabled_at: Date | null }>(
      'SELECT id, name, role, created_at, disabled_at FROM admin_users ORDER BY id',
    );
    return rows.map((r) => ({
      id: r.id,
      name: r.name,
      role: r.role,
      createdAt: new Date(r.created_at).toISOString(),
      disabled: r.disabled_at !== null,
    }));
  });

  app.post('/api/v1/admin/users', async (req, reply) => {
    const actor = await access.require(req, 'admin');
    const u = parseInput(newUserSchema, req.body);
    const { credential, hash } = newCredential(u.id);
    await db.tx(async (q) => {
      const inserted = await q(
        `INSERT INTO admin_users (id, name, role, credential_hash) VALUES ($1, $2, $3, $4)
         ON CONFLICT (id) DO NOTHING RETURNING id`,
        [u.id, u.name, u.role, hash],
      );
      if (inserted.length === 0) throw new KassaError('CONFLICT', `User ${u.id} already exists`);
      await audit(q, actor, 'user.create', u.id, { name: u.name, role: u.role });
    });
    // Shown once; the server keeps only its hash.
    return reply.status(201).send({ ok: true, id: u.id, role: u.role, credential });
  });

  app.post('/api/v1/admin/users/:id/credential', async (req) => {
    const actor = await access.require(req, 'admin');
    const { id } = parseInput(userParams, req.params);
    const { credential, hash } = newCredential(id);
    await db.tx(async (q) => {
      const rows = await q('UPDATE admin_users SET credential_hash = $2 WHERE id = $1 RETURNING id', [id, hash]);
      if (rows.length === 0) throw new KassaError('NOT_FOUND', `No user ${id}`);
      await audit(q, actor, 'user.credential-rotate', id, {});
    });
    access.forget(id);
    return { ok: true, id, credential };
  });

  app.post('/api/v1/admin/users/:id/disable', async (req) => {
    const actor = await access.require(req, 'admin');
    const { id } = parseInput(userParams, req.params);
    if (id === actor.id) throw new KassaError('NOT_ALLOWED', 'You cannot disable your own user');
    await db.tx(async (q) => {
      const rows = await q(
        'UPDATE admin_users SET disabled_at = coalesce(disabled_at, now()) WHERE id = $1 RETURNING id',
        [id],
      );
      if (rows.length === 0) throw new KassaError('NOT_FOUND', `No user ${id}`);
      await audit(q, actor, 'user.disable', id, {});
    });
    access.forget(id);
    return { ok: true, id, disabled: true };
  });
}
