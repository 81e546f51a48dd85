/**
 * Staff through the admin API and at the till, over real HTTP on PGlite and
 * PostgreSQL: cashiers and supervisors with PINs (only a PBKDF2 hash stored,
 * reaching only their own store's tills), PIN changes and deactivation heard
 * through replication, and staff events from a till (sign-in, lock-out,
 * supervisor override) in the audit log with who, what, when and from where.
 */
import { monotonicFactory } from 'ulid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { staffSchema, type JournalDoc } from '../../shared/documents';
import { verifyPin } from '../../shared/staff/pin';
import { eventDocument, type EventInput } from '../../shared/staff/till-events';
import { callApi, postgresUrl, pull, startHarness, type Backend, type Harness } from '../support/server-harness';
import { TestTill } from '../support/test-till';

const backends: Backend[] = postgresUrl() ? ['pglite', 'postgres'] : ['pglite'];
const nextId = monotonicFactory();

/** An admin call with a Bearer token (the harness's bootstrap token by default). */
function call(url: string, method: string, path: string, body?: unknown, token = 'test-admin') {
  return callApi(url, method, path, `Bearer ${token}`, body);
}

type AuditEntry = {
  id: number;
  actor: string;
  action: string;
  target: string;
  source: string;
  detail: Record<string, unknown> & { docId?: string };
};

async function auditOf(h: Harness, query: string): Promise<AuditEntry[]> {
  const res = await call(h.url, 'GET', `/api/v1/admin/audit?${query}`);
  expect(res.status).toBe(200);
  return res.body.entries as AuditEntry[];
}

/** The cashier documents a till's refdata pull returns. */
async function pulledStaff(h: Harness, token: string) {
  const docs = (await pull(h.url, token, 'refdata', 0)).body.documents as unknown as Array<{
    kind: string;
    seq: number;
    data: unknown;
  }>;
  return docs.filter((d) => d.kind === 'cashier').map((d) => ({ seq: d.seq, ...staffSchema.parse(d.data) }));
}

function event(till: TestTill, input: EventInput, storeId = 'store-1'): JournalDoc {
  return eventDocument({ tillId: till.tillId, storeId }, input, nextId(), till.nextSeq(), new Date().toISOString());
}

describe.each(backends)('staff and their PINs on %s', (backend) => {
  let h: Harness;
  let otherStoreToken: string;
  beforeAll(async () => {
    h = await startHarness(backend);
    // A second store with its own till, which must never see store-1's PIN hashes.
    expect(
      (
        await call(h.url, 'POST', '/api/v1/admin/stores', {
          id: 'store-2',
          name: 'Second store',
          currency: 'EUR',
          timeZone: 'Europe/Amsterdam',
          programId: 'supermarket',
        })
      ).status,
    ).toBe(201);
    const till = await call(h.url, 'POST', '/api/v1/admin/tills', { id: 'till-s2', storeId: 'store-2', name: 'S2' });
    const enrolled = await fetch(`${h.url}/api/v1/enrol`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ code: till.body.enrolCode }),
    });
    otherStoreToken = ((await enrolled.json()) as { token: string }).token;
  });
  afterAll(async () => h?.close());

  it('creates staff with a PIN kept only as a hash, refusing weak PINs, bad input, duplicates and other roles', async () => {
    const made = await call(h.url, 'POST', '/api/v1/admin/staff', {
      id: 'cashier-2',
      storeId: 'store-1',
      name: "Robin O'Neil; DROP TABLE cashiers;--",
      role: 'cashier',
      pin: '4071',
    });
    expect(made.status).toBe(201);
    expect(made.body.staff).toEqual({
      id: 'cashier-2',
      storeId: 'store-1',
      name: "Robin O'Neil; DROP TABLE cashiers;--",
      role: 'cashier',
      active: true,
    });
    const [row] = await h.db.query<{ pin_hash: string }>("SELECT pin_hash FROM cashiers WHERE id = 'cashier-2'");
    expect(row!.pin_hash).toMatch(/^pbkdf2-sha256\$100000\$/);
    expect(row!.pin_hash).not.toContain('4071');
    expect(await verifyPin('4071', row!.pin_hash)).toBe(true);

    const before = await h.db.query('SELECT id, pin_hash, active FROM cashiers ORDER BY id');
    const base = { id: 'cashier-3', storeId: 'store-1', name: 'C3', role: 'cashier', pin: '5082' };
    for (const [body, status, code] of [
      [{ ...base, pin: '1111' }, 400, 'PIN_WEAK'],
      [{ ...base, pin: '3456' }, 400, 'PIN_WEAK'],
      [{ ...base, pin: '9876' }, 400, 'PIN_WEAK'],
      [{ ...base, pin: '12a4' }, 400, 'BAD_REQUEST'],
      [{ ...base, pin: '123' }, 400, 'BAD_REQUEST'],
      [{ ...base, role: 'admin' }, 400, 'BAD_REQUEST'],
      [{ ...base, storeId: 'store-9' }, 404, 'NOT_FOUND'],
      [{ ...base, id: 'cashier-2' }, 409, 'CONFLICT'],
    ] as const) {
      const res = await call(h.url, 'POST', '/api/v1/admin/staff', body);
      expect([res.status, res.body.error?.code]).toEqual([status, code]);
    }
    expect(await h.db.query('SELECT id, pin_hash, active FROM cashiers ORDER BY id')).toEqual(before);
    const audit = await auditOf(h, 'action=staff.create');
    expect(audit[0]).toMatchObject({ actor: 'admin', target: 'cashier-2' });
    expect(JSON.stringify(audit)).not.toContain('4071');
  });

  it("sends a store's PIN hashes to its own tills only, and a new PIN or a deactivation through replication", async () => {
    const mine = await pulledStaff(h, h.token);
    expect(mine.map((s) => s.id).sort()).toEqual(['cashier-1', 'cashier-2', 'supervisor-1']);
    const sam = mine.find((s) => s.id === 'cashier-1')!;
    expect(await verifyPin('1234', sam.pinHash)).toBe(true);
    expect(await pulledStaff(h, otherStoreToken)).toEqual([]);

    expect((await call(h.url, 'POST', '/api/v1/admin/staff/cashier-1/pin', { pin: '1357' })).status).toBe(200);
    const changed = (await pulledStaff(h, h.token)).find((s) => s.id === 'cashier-1')!;
    expect(changed.seq).toBeGreaterThan(sam.seq);
    expect(await verifyPin('1357', changed.pinHash)).toBe(true);
    expect(await verifyPin('1234', changed.pinHash)).toBe(false);

    expect((await call(h.url, 'POST', '/api/v1/admin/staff/cashier-2/deactivate', {})).status).toBe(200);
    expect((await pulledStaff(h, h.token)).find((s) => s.id === 'cashier-2')!.active).toBe(false);
    const list = await call(h.url, 'GET', '/api/v1/admin/staff?storeId=store-1');
    expect(JSON.stringify(list.body)).not.toContain('pbkdf2');
    expect((await call(h.url, 'POST', '/api/v1/admin/staff/nobody/pin', { pin: '1357' })).body.error?.code).toBe(
      'NOT_FOUND',
    );
    // cashier-2 is active again for the till tests below.
    await call(h.url, 'POST', '/api/v1/admin/staff/cashier-2/activate', {});
  });

  it("audits a till's sign-ins, lock-outs and overrides once each, and parks those naming the wrong people", async () => {
    const till = new TestTill(h.url, h.token, 'till-1');
    const signIn = event(till, { type: 'sign-in', cashierId: 'cashier-1', action: 'pin' });
    const locked = event(till, {
      type: 'pin-locked',
      cashierId: 'cashier-2',
      action: 'sign-in',
      details: { failures: 5, until: '2026-12-02T10:00:00.000Z' },
    });
    const override = event(till, {
      type: 'override',
      cashierId: 'cashier-1',
      supervisorId: 'supervisor-1',
      action: 'void-basket',
      reason: 'customer left',
      details: { totalMinor: 2097, lines: 1 },
    });
    const notSupervisor = event(till, {
      type: 'override',
      cashierId: 'cashier-1',
      supervisorId: 'cashier-2',
      action: 'void-basket',
      reason: 'x',
    });
    const stranger = event(till, { type: 'sign-in', cashierId: 'cashier-9', action: 'pin' });
    till.write(signIn, locked, override, notSupervisor, stranger);
    const [reply] = await till.pushAll();
    expect(reply!.parked.map((p) => [p.id, p.code])).toEqual([
      [notSupervisor.id, 'OVERRIDE_NOT_SUPERVISOR'],
      [stranger.id, 'CASHIER_UNKNOWN'],
    ]);
    // The same push again (a till that missed the reply) audits nothing twice.
    expect((await till.pushDocs(till.journal)).status).toBe(200);

    const events = await auditOf(h, 'action=till-event.');
    expect(events.map((e) => [e.action, e.actor, e.source]).reverse()).toEqual([
      ['till-event.sign-in', 'cashier:cashier-1', 'till:till-1'],
      ['till-event.pin-locked', 'cashier:cashier-2', 'till:till-1'],
      ['till-event.override', 'cashier:supervisor-1', 'till:till-1'],
      ['till-event.override', 'cashier:cashier-2', 'till:till-1'],
      ['till-event.sign-in', 'cashier:cashier-9', 'till:till-1'],
    ]);
    const ov = events.find((e) => e.detail.docId === override.id)!;
    expect(ov.detail).toMatchObject({
      action: 'void-basket',
      cashierId: 'cashier-1',
      supervisorId: 'supervisor-1',
      reason: 'customer left',
      tillTime: override.at,
      details: { totalMinor: 2097, lines: 1 },
    });
    // The audit log pages by id, newest first.
    const page1 = await call(h.url, 'GET', '/api/v1/admin/audit?action=till-event.&limit=2');
    expect((page1.body.entries as AuditEntry[]).map((e) => e.detail.docId)).toEqual([stranger.id, notSupervisor.id]);
    const page2 = await call(
      h.url,
      'GET',
      `/api/v1/admin/audit?action=till-event.&limit=2&before=${String(page1.body.next)}`,
    );
    expect((page2.body.entries as AuditEntry[]).map((e) => e.detail.docId)).toEqual([override.id, locked.id]);
    // A parked event cannot be replayed (it is audited already); it is resolved with a note.
    const parked = await call(h.url, 'GET', '/api/v1/admin/parked');
    const row = (parked.body as unknown as Array<{ id: number; doc_id: string }>).find(
      (p) => p.doc_id === stranger.id,
    )!;
    const replay = await call(h.url, 'POST', `/api/v1/admin/parked/${row.id}/replay`, { note: 'try' });
    expect(replay.body.error?.code).toBe('NOT_ALLOWED');
  });

  it("refuses a malformed event or one of another store's, and changes nothing", async () => {
    const till = new TestTill(h.url, h.token, 'till-1');
    const count = async () => (await h.db.query<{ n: string }>('SELECT count(*) AS n FROM audit_log'))[0]!.n;
    const before = await count();
    const other = event(till, { type: 'sign-in', cashierId: 'cashier-1', action: 'pin' }, 'store-2');
    const res = await till.pushDocs([other]);
    expect([res.status, (res.body as { error: { code: string } }).error.code]).toEqual([403, 'FORBIDDEN_STORE']);
    const good = event(till, { type: 'sign-in', cashierId: 'cashier-1', action: 'pin' });
    const tooMany = {
      ...good,
      body: { ...good.body, details: Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`k${i}`, i])) },
    } as JournalDoc;
    const bad = await till.pushDocs([tooMany]);
    expect([bad.status, (bad.body as { error: { code: string } }).error.code]).toEqual([400, 'PUSH_MALFORMED']);
    const withMember = { ...good, memberId: '01KDVDNA000000000000000003' } as JournalDoc;
    expect((await till.pushDocs([withMember])).status).toBe(400);
    expect(await count()).toBe(before);
  });
});
