/**
 * A till's shift events reach the central server's audit log (real HTTP, the
 * real server over PGlite and, where TEST_DATABASE_URL is set, PostgreSQL):
 * open with the float, cash in and out, an X report and the close with its
 * Z totals, each once, targeted at the shift; a cash out or a close over its
 * supervisor threshold without a supervisor is audited and parked; a
 * malformed shift event is refused with a coded error and changes nothing.
 */
import { monotonicFactory } from 'ulid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventDoc, JournalDoc } from '../../shared/documents';
import { closeReport, shiftEvents, shiftReport, type Shift, type ShiftDoc } from '../../shared/shift';
import { eventDocument, type EventInput } from '../../shared/staff/till-events';
import { callApi, postgresUrl, startHarness, type Backend, type Harness } from '../support/server-harness';
import { TestTill } from '../support/test-till';

const backends: Backend[] = postgresUrl() ? ['pglite', 'postgres'] : ['pglite'];
const nextId = monotonicFactory();

type AuditEntry = { action: string; actor: string; target: string; source: string; detail: Record<string, unknown> };

async function audit(h: Harness, query: string): Promise<AuditEntry[]> {
  const res = await callApi(h.url, 'GET', `/api/v1/admin/audit?${query}`, 'Bearer test-admin');
  expect(res.status).toBe(200);
  return res.body.entries as AuditEntry[];
}

function event(till: TestTill, input: EventInput): EventDoc {
  return eventDocument(
    { tillId: till.tillId, storeId: 'store-1' },
    input,
    nextId(),
    till.nextSeq(),
    new Date().toISOString(),
  );
}

describe.each(backends)('shift events on %s', (backend) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(backend);
  });
  afterAll(async () => h?.close());

  it('audits open, cash in/out, X and Z once each under the shift, and parks what needed a supervisor', async () => {
    const till = new TestTill(h.url, h.token, 'till-1');
    const cashier = { cashierId: 'cashier-1' };
    const shift: Shift = {
      shiftId: nextId(),
      shiftNo: 1,
      tillId: 'till-1',
      currency: 'EUR',
      floatMinor: 15_000,
      openedAt: new Date().toISOString(),
      openedBy: 'cashier-1',
      openSeq: 0,
    };
    const open = event(till, shiftEvents.open(shift, cashier));
    shift.openSeq = open.tillSeq;
    const cashIn = event(till, shiftEvents.cash(shift, 'cash-in', 2_000, 'change from the safe', cashier));
    const cashOut = event(till, shiftEvents.cash(shift, 'cash-out', 5_000, 'to the safe', cashier));
    // 120.00 out is over the threshold: without a supervisor it is audited and parked.
    const bigOut = event(till, shiftEvents.cash(shift, 'cash-out', 12_000, 'banking', cashier));
    const x = event(till, shiftEvents.xReport(shiftReport(shift, [open, cashIn, cashOut] as ShiftDoc[]), cashier));
    const report = shiftReport(shift, [open, cashIn, cashOut, bigOut] as ShiftDoc[]);
    expect(report.expectedCashMinor).toBe(15_000 + 2_000 - 5_000 - 12_000);
    // Counted 10.00 short with a supervisor's approval: applied.
    const z = closeReport(report, report.expectedCashMinor + 1_000, new Date().toISOString());
    const close = event(till, shiftEvents.close(z, 'counted twice', { ...cashier, supervisorId: 'supervisor-1' }));
    till.write(open, cashIn, cashOut, bigOut, x, close);
    const [reply] = await till.pushAll();
    expect(reply!.parked.map((p) => [p.id, p.code])).toEqual([[bigOut.id, 'SHIFT_NOT_APPROVED']]);
    // Pushed again (a till that missed the reply): nothing is audited twice.
    expect((await till.pushDocs(till.journal)).status).toBe(200);

    const lines = (await audit(h, `target=shift:${shift.shiftId}`)).reverse();
    expect(lines.map((e) => [e.action, e.actor, e.source])).toEqual([
      ['till-event.shift-open', 'cashier:cashier-1', 'till:till-1'],
      ['till-event.cash-in', 'cashier:cashier-1', 'till:till-1'],
      ['till-event.cash-out', 'cashier:cashier-1', 'till:till-1'],
      ['till-event.cash-out', 'cashier:cashier-1', 'till:till-1'],
      ['till-event.x-report', 'cashier:cashier-1', 'till:till-1'],
      ['till-event.shift-close', 'cashier:cashier-1', 'till:till-1'],
    ]);
    expect(lines[0]!.detail).toMatchObject({ details: { shiftId: shift.shiftId, floatMinor: 15_000 } });
    expect(lines[2]!.detail).toMatchObject({ reason: 'to the safe', details: { amountMinor: 5_000 } });
    expect(lines[5]!.detail).toMatchObject({
      supervisorId: 'supervisor-1',
      reason: 'counted twice',
      details: {
        floatMinor: 15_000,
        cashInMinor: 2_000,
        cashOutMinor: 17_000,
        expectedCashMinor: 0,
        countedCashMinor: 1_000,
        differenceMinor: 1_000,
      },
    });
  });

  it('refuses a malformed shift event with a coded error, and changes nothing', async () => {
    const till = new TestTill(h.url, h.token, 'till-1');
    const count = async () => (await h.db.query<{ n: string }>('SELECT count(*) AS n FROM audit_log'))[0]!.n;
    const inbox = async () => (await h.db.query<{ n: string }>('SELECT count(*) AS n FROM journal_inbox'))[0]!.n;
    const before = [await count(), await inbox()];
    const shift: Shift = {
      shiftId: nextId(),
      shiftNo: 2,
      tillId: 'till-1',
      currency: 'EUR',
      floatMinor: 0,
      openedAt: new Date().toISOString(),
      openedBy: 'cashier-1',
      openSeq: 1,
    };
    const z = closeReport(shiftReport(shift, []), 500, new Date().toISOString());
    const close = event(till, shiftEvents.close(z, '', { cashierId: 'cashier-1' }));
    const malformed = [
      // A difference that is not counted − expected.
      { ...close, body: { ...close.body, details: { ...close.body.details, differenceMinor: 0 } } },
      // Totals missing.
      { ...close, body: { ...close.body, details: { shiftId: shift.shiftId } } },
      // A cash out without a reason, and one of a fraction of a cent.
      (() => {
        const out = event(till, shiftEvents.cash(shift, 'cash-out', 100, 'x', { cashierId: 'cashier-1' }));
        return { ...out, body: { ...out.body, reason: '' } };
      })(),
      (() => {
        const out = event(till, shiftEvents.cash(shift, 'cash-in', 100, 'x', { cashierId: 'cashier-1' }));
        return { ...out, body: { ...out.body, details: { ...out.body.details, amountMinor: 0.5 } } };
      })(),
    ] as JournalDoc[];
    for (const doc of malformed) {
      const res = await till.pushDocs([doc]);
      expect([res.status, (res.body as { error: { code: string } }).error.code]).toEqual([400, 'PUSH_MALFORMED']);
    }
    expect([await count(), await inbox()]).toEqual(before);
  });
});
