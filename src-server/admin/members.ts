/**
 * Members' personal data through the admin API: export (JSON of everything
 * the server holds about a member), erasure, a digital card for a member
 * (shared/digital-card.ts), and the rotation of the chain's phone and card keys
 * (src-server/privacy/).
 *
 * Invariants:
 * - Export and digital cards need the manager role, erasure and key rotations the admin role.
 * - A malformed member id is 400 BAD_REQUEST, an unknown one 404 NOT_FOUND;
 *   neither changes anything.
 * - Every export, digital card, erasure and rotation is in the audit log (never the
 *   personal data itself); an erasure that changes nothing (already erased)
 *   writes nothing.
 * - Erasure and rotation re-stamp what they changed, last in their
 *   transaction, so every till gets it through normal replication.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { ulidSchema } from '../../shared/documents';
import { textSchema } from '../../shared/primitives';
import type { Db } from '../db';
import { parseInput } from '../http/errors';
import { eraseMember, exportMember } from '../privacy/members';
import { publishStores, rotatePhoneKey } from '../privacy/phone-keys';
import { issueDigitalCard, rotateCardKey } from '../privacy/card-keys';
import { stampSeq } from '../seq';
import { audit, type AdminAccess } from './access';

const memberParams = z.object({ id: ulidSchema });
const noteBody = z.object({ note: textSchema(500).default('') }).default({ note: '' });

export function memberRoutes(app: FastifyInstance, db: Db, access: AdminAccess): void {
  app.get('/api/v1/admin/members/:id/export', async (req, reply) => {
    const actor = await access.require(req, 'manager');
    const { id } = parseInput(memberParams, req.params);
    const data = await db.tx(async (q) => {
      const exported = await exportMember(q, id);
      await audit(q, actor, 'member.export', id, {});
      return exported;
    });
    return reply.header('content-disposition', `attachment; filename="member-${id}.json"`).send(data);
  });

  app.post('/api/v1/admin/members/:id/erase', async (req) => {
    const actor = await access.require(req, 'admin');
    const { id } = parseInput(memberParams, req.params);
    const { note } = parseInput(noteBody, req.body ?? undefined);
    const erasure = await db.tx(async (q) => {
      const e = await eraseMember(q, id);
      if (e.changed) {
        await audit(q, actor, 'member.erase', id, { note });
        await stampSeq(q, 'members', [id]);
      }
      return e;
    });
    return { ok: true, ...erasure };
  });

  // A digital card for a member (the member app's backend asks for one each time the app shows the card).
  app.post('/api/v1/admin/members/:id/digital-card', async (req) => {
    const actor = await access.require(req, 'manager');
    const { id } = parseInput(memberParams, req.params);
    parseInput(z.object({}).default({}), req.body ?? undefined);
    return db.tx(async (q) => {
      const card = await issueDigitalCard(q, id);
      await audit(q, actor, 'member.digital-card', id, { keyId: card.keyId, expiresAt: card.expiresAt });
      return { ok: true, ...card };
    });
  });

  app.post('/api/v1/admin/card-key/rotate', async (req) => {
    const actor = await access.require(req, 'admin');
    parseInput(z.object({}).default({}), req.body ?? undefined);
    return db.tx(async (q) => {
      const r = await rotateCardKey(q);
      const stores = await publishStores(q);
      await audit(q, actor, 'card-key.rotate', r.keyId, { previousKeyId: r.previousKeyId });
      await stampSeq(q, 'refdata', stores);
      return { ok: true, keyId: r.keyId, previousKeyId: r.previousKeyId, stores: stores.length };
    });
  });

  app.post('/api/v1/admin/phone-key/rotate', async (req) => {
    const actor = await access.require(req, 'admin');
    parseInput(z.object({}).default({}), req.body ?? undefined);
    const rotated = await db.tx(async (q) => {
      const r = await rotatePhoneKey(q);
      await audit(q, actor, 'phone-key.rotate', r.keyId, {
        previousKeyId: r.previousKeyId,
        members: r.memberIds.length,
      });
      await stampSeq(q, 'members', r.memberIds);
      await stampSeq(q, 'refdata', r.storeDocIds);
      return r;
    });
    return {
      ok: true,
      keyId: rotated.keyId,
      previousKeyId: rotated.previousKeyId,
      rehashedMembers: rotated.memberIds.length,
      stores: rotated.storeDocIds.length,
    };
  });
}
