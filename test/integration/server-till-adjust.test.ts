/**
 * Manual points adjustments made at the till, taken by the server over real HTTP on PGlite: applied when a
 * supervisor of the store approved exactly that entry, right before it; parked (and nothing moves) when the
 * approval is not a supervisor's, does not match, is over the till's limit or would leave the account below
 * zero; one adjustment however often it is pushed, and whole when a push splits the pair.
 */
import { monotonicFactory } from 'ulid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JournalDoc } from '../../shared/documents';
import { memberStateSchema } from '../../shared/engine/member-state';
import { pointsAdjustDocuments, TILL_ADJUST_MAX_POINTS, type PointsAdjust } from '../../shared/staff/points-adjust';
import { demoUlid } from '../../src-server/seed';
import { startHarness, type Harness } from '../support/server-harness';
import { TestTill } from '../support/test-till';

const nextId = monotonicFactory();

describe('points adjustments made at the till', () => {
  let h: Harness & { tokens: string[] };
  let till: TestTill;
  beforeAll(async () => {
    h = await startHarness('pglite', ['ADJUST-TILL-1']);
    till = new TestTill(h.url, h.tokens[0]!, 'till-1');
    await till.sync();
  });
  afterAll(async () => h?.close());

  async function balance(memberId: string): Promise<number> {
    const [r] = await h.db.query<{ state: unknown }>('SELECT state FROM members WHERE id = $1', [memberId]);
    return memberStateSchema.parse(r!.state).balance;
  }

  async function ledgerSum(memberId: string): Promise<number> {
    const [r] = await h.db.query<{ p: string | null }>(
      'SELECT sum(points) AS p FROM ledger_entries WHERE member_id = $1 AND effective',
      [memberId],
    );
    return Number(r!.p ?? 0);
  }

  function adjust(a: Partial<PointsAdjust> & { memberId: string; points: number }): JournalDoc[] {
    const seq = till.nextSeq();
    till.nextSeq();
    const docs = pointsAdjustDocuments(
      { tillId: 'till-1', storeId: 'store-1' },
      { reason: 'Goodwill: a damaged voucher', cashierId: 'cashier-1', supervisorId: 'supervisor-1', ...a },
      { event: nextId(), entry: nextId() },
      seq,
      new Date().toISOString(),
    );
    return till.write(...docs);
  }

  it('applies an approved adjustment once, audited with the supervisor, and parks what is not approved', async () => {
    const m = demoUlid(6);
    const before = await balance(m);
    const [approval, entry] = adjust({ memberId: m, points: 50 });
    // A cashier named as the approver, an entry that is not what its approval says, too many points, an overdraft.
    const [byCashier, unapproved] = adjust({ memberId: m, points: 20, supervisorId: 'cashier-1' });
    const [mismatchApproval, mismatch] = adjust({ memberId: m, points: 5 });
    if (mismatch!.kind === 'entry') mismatch!.body.points = 500;
    const [, tooMany] = adjust({ memberId: m, points: TILL_ADJUST_MAX_POINTS + 1 });
    const [, overdraft] = adjust({ memberId: m, points: -(before + 51) });
    const replies = await till.pushAll();
    const parked = new Map(replies.flatMap((r) => r.parked.map((p) => [p.id, p.code])));
    expect(parked.has(approval!.id)).toBe(false);
    expect(parked.has(entry!.id)).toBe(false);
    expect(parked.get(byCashier!.id)).toBe('OVERRIDE_NOT_SUPERVISOR');
    expect(parked.get(unapproved!.id)).toBe('ADJUST_NOT_APPROVED');
    expect(parked.has(mismatchApproval!.id)).toBe(false);
    expect(parked.get(mismatch!.id)).toBe('ADJUST_APPROVAL_MISMATCH');
    expect(parked.get(tooMany!.id)).toBe('ADJUST_BAD_POINTS');
    expect(parked.get(overdraft!.id)).toBe('NOT_ENOUGH_POINTS');
    expect(await balance(m)).toBe(before + 50);
    expect(await ledgerSum(m)).toBe(before + 50);
    const [stored] = await h.db.query<{ type: string; natural_id: string }>(
      'SELECT type, natural_id FROM ledger_entries WHERE id = $1 AND effective',
      [entry!.id],
    );
    expect(stored).toEqual({ type: 'adjust', natural_id: `adjust:${m}:${entry!.id}` });
    const flags = await h.db.query<{ ref_id: string }>(
      "SELECT ref_id FROM review_flags WHERE kind = 'adjust-overdraft'",
    );
    expect(flags.map((f) => f.ref_id)).toEqual([overdraft!.id]);

    const audit = (await (
      await fetch(`${h.url}/api/v1/admin/audit?action=till-event.override`, {
        headers: { authorization: 'Bearer test-admin' },
      })
    ).json()) as { entries: Array<{ actor: string; detail: { action: string; details: Record<string, unknown> } }> };
    const approvalLine = audit.entries.find((e) => e.detail.details.entryId === entry!.id)!;
    expect(approvalLine).toMatchObject({
      actor: 'cashier:supervisor-1',
      detail: { action: 'points-adjust', details: { memberId: m, points: 50 } },
    });

    // Pushed again (a reply lost on the way back): one adjustment still.
    const again = await till.pushDocs([approval!, entry!]);
    expect(again.body).toMatchObject({ duplicates: 2 });
    expect(await balance(m)).toBe(before + 50);
    expect(await ledgerSum(m)).toBe(before + 50);
  });

  it('keeps the pair whole when a push splits it, and refuses an adjust entry with no approval before it', async () => {
    const m = demoUlid(7);
    const before = await balance(m);
    adjust({ memberId: m, points: -30 });
    // One document a push: the approval arrives first and waits for its entry.
    const replies = await till.pushAll(1);
    expect(replies.flatMap((r) => r.parked)).toEqual([]);
    expect(await balance(m)).toBe(before - 30);

    // The entry without its approval, in the approval's place.
    const [approval, entry] = adjust({ memberId: m, points: 10 });
    const lone = { ...entry!, tillSeq: approval!.tillSeq } as JournalDoc;
    till.journal.splice(till.journal.length - 2, 2, lone);
    const [reply] = await till.pushAll();
    expect(reply!.parked).toEqual([expect.objectContaining({ id: lone.id, code: 'ENTRY_KIND_NOT_ALLOWED' })]);
    expect(await balance(m)).toBe(before - 30);
    expect(await ledgerSum(m)).toBe(before - 30);
  });
});
