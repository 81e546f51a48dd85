/**
 * Cashiers and supervisors through the admin API: who may sign in at a
 * store's tills, with which role, and their PIN.
 *
 * Invariants:
 * - A PIN is never stored or logged: only its PBKDF2 hash (shared/staff/pin.ts),
 *   which reaches the store's own tills (and no other store's) as a refdata
 *   `cashier` document, so a till checks PINs offline.
 * - Every change re-publishes that document (a new seq), so tills hear a new
 *   PIN or a deactivation through normal replication.
 * - PINs that anyone would guess first (one digit repeated, a straight run)
 *   are refused with PIN_WEAK.
 * - Every write is in the audit log, without the PIN.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { staffRoleSchema, staffSchema, type Staff } from '../../shared/documents';
import { KassaError } from '../../shared/errors';
import { textSchema } from '../../shared/primitives';
import { hashPin, PIN_PATTERN } from '../../shared/staff/pin';
import type { Db, Query } from '../db';
import { parseInput } from '../http/errors';
import { stampSeq } from '../seq';
import { audit, type AdminAccess } from './access';

const idSchema = z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'lower-case letters, digits and dashes');
const pinSchema = z.string().regex(PIN_PATTERN, '4 to 8 digits');
const newStaffSchema = z.object({
  id: idSchema,
  storeId: idSchema,
  name: textSchema(120).min(1),
  role: staffRoleSchema,
  pin: pinSchema,
});
const pinBody = z.object({ pin: pinSchema });
const staffParams = z.object({ id: idSchema });
const listQuery = z.object({ storeId: idSchema.optional() });

/** Whether a PIN is one a stranger tries first: 1111, 1234, 9876, … */
export function isWeakPin(pin: string): boolean {
  const d = [...pin].map(Number);
  const steps = new Set(d.slice(1).map((x, i) => x - d[i]!));
  return steps.size === 1 && [0, 1, -1].includes([...steps][0]!);
}

type StaffRow = { id: string; store_id: string; name: string; role: string; pin_hash: string; active: boolean };

/** Writes the store's tills' copy of one cashier (refdata `cashier:<id>`) from the cashiers table. */
export async function publishStaff(q: Query, id: string): Promise<Staff> {
  const [row] = await q<StaffRow>('SELECT id, store_id, name, role, pin_hash, active FROM cashiers WHERE id = $1', [
    id,
  ]);
  if (!row) throw new KassaError('NOT_FOUND', `No cashier ${id}`);
  const staff = staffSchema.parse({
    id: row.id,
    storeId: row.store_id,
    name: row.name,
    role: row.role === 'supervisor' ? 'supervisor' : 'cashier',
    pinHash: row.pin_hash,
    active: row.active,
  });
  await q(
    `INSERT INTO refdata (id, kind, key, data, seq) VALUES ($1, 'cashier', $2, $3, 0)
     ON CONFLICT (id) DO UPDATE SET data = EXCLUDED.data`,
    [`cashier:${id}`, id, JSON.stringify(staff)],
  );
  await stampSeq(q, 'refdata', [`cashier:${id}`]);
  return staff;
}

/** Adds one cashier with an already checked PIN (the admin API and the demo seed). */
export async function insertStaff(
  q: Query,
  s: { id: string; storeId: string; name: string; role: 'cashier' | 'supervisor'; pin: string },
): Promise<Staff> {
  const store = await q('SELECT 1 FROM stores WHERE id = $1', [s.storeId]);
  if (store.length === 0) throw new KassaError('NOT_FOUND', `No store ${s.storeId}`);
  const inserted = await q(
    `INSERT INTO cashiers (id, store_id, name, role, pin_hash) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (id) DO NOTHING RETURNING id`,
    [s.id, s.storeId, s.name, s.role, await hashPin(s.pin)],
  );
  if (inserted.length === 0) throw new KassaError('CONFLICT', `Cashier ${s.id} already exists`);
  return publishStaff(q, s.id);
}

function checkStrength(pin: string): void {
  if (isWeakPin(pin)) throw new KassaError('PIN_WEAK', 'This PIN is too easy to guess: choose one without a pattern');
}

function withoutHash({ pinHash: _, ...s }: Staff) {
  return s;
}

export function staffRoutes(app: FastifyInstance, db: Db, access: AdminAccess): void {
  app.get('/api/v1/admin/staff', async (req) => {
    await access.require(req, 'auditor');
    const { storeId } = parseInput(listQuery, req.query);
    const rows = await db.query<StaffRow>(
      `SELECT id, store_id, name, role, pin_hash, active FROM cashiers
        WHERE ($1::text IS NULL OR store_id = $1) ORDER BY store_id, id`,
      [storeId ?? null],
    );
    return rows.map((r) => ({ id: r.id, storeId: r.store_id, name: r.name, role: r.role, active: r.active }));
  });

  app.post('/api/v1/admin/staff', async (req, reply) => {
    const actor = await access.require(req, 'admin');
    const s = parseInput(newStaffSchema, req.body);
    checkStrength(s.pin);
    const staff = await db.tx(async (q) => {
      const made = await insertStaff(q, s);
      await audit(q, actor, 'staff.create', s.id, { storeId: s.storeId, name: s.name, role: s.role });
      return made;
    });
    return reply.status(201).send({ ok: true, staff: withoutHash(staff) });
  });

  app.post('/api/v1/admin/staff/:id/pin', async (req) => {
    const actor = await access.require(req, 'admin');
    const { id } = parseInput(staffParams, req.params);
    const { pin } = parseInput(pinBody, req.body);
    checkStrength(pin);
    const pinHash = await hashPin(pin);
    const staff = await db.tx(async (q) => {
      const rows = await q('UPDATE cashiers SET pin_hash = $2, updated_at = now() WHERE id = $1 RETURNING id', [
        id,
        pinHash,
      ]);
      if (rows.length === 0) throw new KassaError('NOT_FOUND', `No cashier ${id}`);
      await audit(q, actor, 'staff.pin', id, {});
      return publishStaff(q, id);
    });
    return { ok: true, staff: withoutHash(staff) };
  });

  for (const [path, active] of [
    ['deactivate', false],
    ['activate', true],
  ] as const) {
    app.post(`/api/v1/admin/staff/:id/${path}`, async (req) => {
      const actor = await access.require(req, 'admin');
      const { id } = parseInput(staffParams, req.params);
      const staff = await db.tx(async (q) => {
        const rows = await q('UPDATE cashiers SET active = $2, updated_at = now() WHERE id = $1 RETURNING id', [
          id,
          active,
        ]);
        if (rows.length === 0) throw new KassaError('NOT_FOUND', `No cashier ${id}`);
        await audit(q, actor, `staff.${path}`, id, {});
        return publishStaff(q, id);
      });
      return { ok: true, staff: withoutHash(staff) };
    });
  }
}
