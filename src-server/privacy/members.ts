/**
 * A member's personal data on request: everything the server holds about one
 * member as JSON (export), and erasure.
 *
 * Erasure removes what identifies the person and keeps what the books need:
 * - Removed: name (now "Erased member"), phone and its hash, e-mail, the
 *   birthday (month-day in the state, the year in its column) and segments in
 *   the member state (in every stored state version too), and the same fields
 *   in the enrolment document kept as received (journal inbox, and parked
 *   documents). The card number is retired (`~` + member id): the physical card no
 *   longer finds anyone at a till, so the next holder of the card cannot see
 *   the account or add purchases to it.
 * - Kept, under the member's id, which no longer names anybody: ledger
 *   entries, sales, the marketing consent record (yes or no, when, which
 *   text: what any past mailing relied on), the balance and the rest of the state, so KPIs, sums and
 *   the points liability stay right; household and referral links, which
 *   other members' accounts depend on.
 * - The member document is re-stamped, so every till's copy is overwritten
 *   through normal replication (a live stream gets it at once).
 * - Erasing an erased member changes nothing and says so.
 */
import { memberStateSchema } from '../../shared/engine/member-state';
import { KassaError } from '../../shared/errors';
import type { Query } from '../db';
import { isoTime } from '../rows';

export const ERASED_NAME = 'Erased member';

/** The card number an erased member keeps: unique, never a scannable code. */
export function retiredCardNumber(memberId: string): string {
  return `~${memberId}`;
}

type Time = Date | string;
const iso = (t: Time | null): string | null => (t === null ? null : isoTime(t));
/** bigint columns come back as strings from pg and numbers from PGlite: numbers either way. */
const num = (n: string | number | null): number | null => (n === null ? null : Number(n));

/** Everything the server holds about one member; NOT_FOUND for an unknown id. */
export async function exportMember(q: Query, id: string): Promise<Record<string, unknown>> {
  const [m] = await q<{
    id: string;
    card_number: string;
    store_id: string;
    name: string;
    phone: string;
    email: string;
    enrolled_at: Time;
    erased_at: Time | null;
    state: unknown;
    seq: string | number;
    birth_year: number | null;
    consent: unknown;
    enrolled_at_till: string | null;
  }>(
    `SELECT id, card_number, store_id, name, phone, email, enrolled_at, erased_at, state, seq, birth_year, consent,
            enrolled_at_till
       FROM members WHERE id = $1`,
    [id],
  );
  if (!m) throw new KassaError('NOT_FOUND', `No member ${id}`);
  const state = memberStateSchema.parse(m.state);
  const accountId = state.householdId ?? m.id;

  const ledger = await q<{
    id: string;
    till_id: string;
    sale_id: string | null;
    type: string;
    points: string | number;
    reason: string;
    natural_id: string | null;
    rule_id: string | null;
    effective: boolean;
    till_time: Time;
    received_at: Time;
  }>(
    `SELECT id, till_id, sale_id, type, points, reason, natural_id, rule_id, effective, till_time, received_at
       FROM ledger_entries WHERE member_id = $1 ORDER BY till_time, id`,
    [id],
  );
  const sales = await q<{
    id: string;
    till_id: string;
    store_id: string;
    till_time: Time;
    received_at: Time;
    total_minor: string | number;
    currency: string;
    check_status: string;
    body: { lines?: unknown; tenders?: unknown; subtotalMinor?: unknown; discountMinor?: unknown };
  }>(
    `SELECT id, till_id, store_id, till_time, received_at, total_minor, currency, check_status, body
       FROM sales WHERE member_id = $1 ORDER BY till_time, id`,
    [id],
  );
  const household = await q<{ id: string }>(
    "SELECT id FROM members WHERE id = $1 OR state->>'householdId' = $1 ORDER BY id",
    [accountId],
  );
  const referred = await q<{ id: string }>("SELECT id FROM members WHERE state->>'referredBy' = $1 ORDER BY id", [id]);
  const overdrafts = await q<{
    id: string | number;
    points: string | number;
    till_id: string;
    status: string;
    created_at: Time;
    recovered_at: Time | null;
  }>('SELECT id, points, till_id, status, created_at, recovered_at FROM overdrafts WHERE member_id = $1 ORDER BY id', [
    id,
  ]);
  const flags = await q<{
    id: string | number;
    kind: string;
    till_id: string | null;
    ref_id: string | null;
    detail: unknown;
    created_at: Time;
    resolved_at: Time | null;
  }>(
    `SELECT id, kind, till_id, ref_id, detail, created_at, resolved_at FROM review_flags
      WHERE member_id = $1 ORDER BY id`,
    [id],
  );
  const parked = await q<{
    id: string | number;
    doc_id: string;
    till_id: string;
    code: string;
    reason: string;
    status: string;
    doc: unknown;
    created_at: Time;
  }>(
    `SELECT id, doc_id, till_id, code, reason, status, doc, created_at FROM parked_docs
      WHERE doc->>'memberId' = $1 ORDER BY id`,
    [id],
  );

  return {
    format: 'kassa-member-export/1',
    exportedAt: new Date().toISOString(),
    member: {
      id: m.id,
      cardNumber: m.card_number,
      name: m.name,
      phone: m.phone,
      email: m.email,
      storeId: m.store_id,
      enrolledAt: iso(m.enrolled_at),
      enrolledAtTill: m.enrolled_at_till,
      birthYear: m.birth_year,
      consent: m.consent ?? null,
      erasedAt: iso(m.erased_at),
      version: num(m.seq),
    },
    state,
    household: { accountId, memberIds: household.map((r) => r.id) },
    referredMemberIds: referred.map((r) => r.id),
    ledgerEntries: ledger.map((e) => ({
      id: e.id,
      tillId: e.till_id,
      saleId: e.sale_id,
      type: e.type,
      points: num(e.points),
      reason: e.reason,
      naturalId: e.natural_id,
      ruleId: e.rule_id,
      effective: e.effective,
      tillTime: iso(e.till_time),
      receivedAt: iso(e.received_at),
    })),
    sales: sales.map((s) => ({
      id: s.id,
      tillId: s.till_id,
      storeId: s.store_id,
      tillTime: iso(s.till_time),
      receivedAt: iso(s.received_at),
      totalMinor: num(s.total_minor),
      currency: s.currency,
      checkStatus: s.check_status,
      lines: s.body.lines ?? [],
      tenders: s.body.tenders ?? [],
    })),
    overdrafts: overdrafts.map((o) => ({
      id: num(o.id),
      points: num(o.points),
      tillId: o.till_id,
      status: o.status,
      createdAt: iso(o.created_at),
      recoveredAt: iso(o.recovered_at),
    })),
    reviewFlags: flags.map((f) => ({
      id: num(f.id),
      kind: f.kind,
      tillId: f.till_id,
      refId: f.ref_id,
      detail: f.detail,
      createdAt: iso(f.created_at),
      resolvedAt: iso(f.resolved_at),
    })),
    parkedDocuments: parked.map((p) => ({
      id: num(p.id),
      docId: p.doc_id,
      tillId: p.till_id,
      code: p.code,
      reason: p.reason,
      status: p.status,
      document: p.doc,
      createdAt: iso(p.created_at),
    })),
  };
}

export type Erasure = { id: string; erasedAt: string; changed: boolean };

/**
 * Erases a member's personal data (see the module header). The caller audits it and then stamps the member
 * (`stampSeq`, last) when `changed`; NOT_FOUND for an unknown id.
 */
export async function eraseMember(q: Query, id: string): Promise<Erasure> {
  const [m] = await q<{ erased_at: Time | null; state: unknown }>(
    'SELECT erased_at, state FROM members WHERE id = $1 FOR UPDATE',
    [id],
  );
  if (!m) throw new KassaError('NOT_FOUND', `No member ${id}`);
  if (m.erased_at !== null) return { id, erasedAt: isoTime(m.erased_at), changed: false };
  const state = { ...memberStateSchema.parse(m.state), birthday: null, segments: [] };
  const [row] = await q<{ erased_at: Time }>(
    `UPDATE members SET name = $2, card_number = $3, phone = '', email = '', phone_hash = '', phone_key_id = NULL,
            birth_year = NULL, state = $4, erased_at = now()
      WHERE id = $1 RETURNING erased_at`,
    [id, ERASED_NAME, retiredCardNumber(id), JSON.stringify(state)],
  );
  // The state versions kept for re-checking sales hold the birthday and segments too.
  await q(
    `UPDATE member_versions SET state = jsonb_set(jsonb_set(state, '{birthday}', 'null'), '{segments}', '[]')
      WHERE member_id = $1`,
    [id],
  );
  // The enrolment document as the till sent it names the person too.
  const scrub = `jsonb_set(doc, '{body}', doc->'body' || jsonb_build_object(
      'name', $2::text, 'phone', '', 'email', '', 'birthday', null))`;
  await q(
    `UPDATE journal_inbox SET doc = ${scrub} WHERE member_id = $1 AND kind = 'member'
       AND doc->'body'->>'type' = 'enrol'`,
    [id, ERASED_NAME],
  );
  await q(
    `UPDATE parked_docs SET doc = ${scrub} WHERE doc->>'memberId' = $1 AND doc->>'kind' = 'member'
       AND doc->'body'->>'type' = 'enrol'`,
    [id, ERASED_NAME],
  );
  // A profile edit names the member's phone and e-mail address too.
  const blank = `jsonb_set(jsonb_set(doc, '{body,phone}', '""', false), '{body,email}', '""', false)`;
  await q(
    `UPDATE journal_inbox SET doc = ${blank} WHERE member_id = $1 AND kind = 'member'
       AND doc->'body'->>'type' = 'profile-edit'`,
    [id],
  );
  await q(
    `UPDATE parked_docs SET doc = ${blank} WHERE doc->>'memberId' = $1 AND doc->>'kind' = 'member'
       AND doc->'body'->>'type' = 'profile-edit'`,
    [id],
  );
  return { id, erasedAt: isoTime(row!.erased_at), changed: true };
}
