/**
 * Profile edits made at tills, taken by the server over real HTTP on PGlite, under the documented conflict rule:
 * per field the latest change by its time wins (the till's time for phone and e-mail, the consent's own time), an
 * older edit of a field is flagged and not applied while the rest of it is; a phone another member has is applied
 * and flagged, never merged; the new phone is hashed and the member re-stamped, so a till finds them by it; an
 * erasure blanks the phone and e-mail in the edits the server keeps.
 */
import { monotonicFactory } from 'ulid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { journalDocSchema, type JournalDoc, type ProfileEditBody } from '../../shared/documents';
import { demoPhone, demoUlid } from '../../src-server/seed';
import { callApi, startHarness, type Harness } from '../support/server-harness';
import { TestTill } from '../support/test-till';

const nextId = monotonicFactory();

describe('profile edits made at tills', () => {
  let h: Harness & { tokens: string[] };
  let one: TestTill;
  let two: TestTill;
  beforeAll(async () => {
    h = await startHarness('pglite', ['PROFILE-TILL-1', 'PROFILE-TILL-2']);
    one = new TestTill(h.url, h.tokens[0]!, 'till-1');
    two = new TestTill(h.url, h.tokens[1]!, 'till-2');
    await one.sync();
    await two.sync();
  });
  afterAll(async () => h?.close());

  function edit(till: TestTill, memberId: string, at: string, fields: Partial<ProfileEditBody>): JournalDoc {
    const doc = journalDocSchema.parse({
      id: nextId(),
      tillId: till.tillId,
      tillSeq: till.nextSeq(),
      at,
      memberId,
      kind: 'member',
      body: { type: 'profile-edit', storeId: 'store-1', cashierId: 'cashier-1', ...fields },
    });
    return till.write(doc)[0]!;
  }

  async function row(id: string) {
    const [r] = await h.db.query<{
      phone: string;
      email: string;
      consent: { marketing: boolean } | null;
      phone_hash: string;
    }>('SELECT phone, email, consent, phone_hash FROM members WHERE id = $1', [id]);
    return r!;
  }

  it('the latest change of each field wins, whichever till pushes first; a shared phone is flagged', async () => {
    const id = demoUlid(11);
    const before = await row(id);
    // Till 2 edited later (10:05) but pushes first; till 1's older edit (10:00) arrives after it.
    edit(two, id, '2026-12-06T10:05:00.000Z', { email: 'new@example.com' });
    const older = edit(one, id, '2026-12-06T10:00:00.000Z', {
      email: 'old@example.com',
      phone: demoPhone(3),
      consent: { marketing: true, at: '2026-12-06T10:00:00.000Z', textVersion: 'v1' },
    });
    expect((await two.pushAll()).flatMap((r) => r.parked)).toEqual([]);
    expect((await one.pushAll()).flatMap((r) => r.parked)).toEqual([]);
    const after = await row(id);
    expect(after.email).toBe('new@example.com');
    expect(after.phone).toBe(demoPhone(3));
    expect(after.phone_hash).not.toBe(before.phone_hash);
    expect(after.consent).toMatchObject({ marketing: true });
    const flags = await h.db.query<{ kind: string; ref_id: string; detail: { field: string } }>(
      'SELECT kind, ref_id, detail FROM review_flags WHERE member_id = $1 ORDER BY id',
      [id],
    );
    expect(flags).toEqual([
      { kind: 'profile-edit-stale', ref_id: older.id, detail: expect.objectContaining({ field: 'email' }) },
      { kind: 'duplicate-contact', ref_id: demoUlid(3), detail: expect.objectContaining({ field: 'phone' }) },
    ]);
    // A till finds the member by the new phone once it pulls.
    const fresh = new TestTill(h.url, h.tokens[0]!, 'till-1');
    await fresh.sync();
    expect(
      fresh
        .findByPhone(demoPhone(3))
        .map((m) => m.id)
        .sort(),
    ).toEqual([demoUlid(3), id].sort());

    // A consent withdrawn earlier than the one given is not applied.
    edit(two, id, '2026-12-06T11:00:00.000Z', {
      consent: { marketing: false, at: '2026-12-06T09:00:00.000Z', textVersion: 'v1' },
    });
    await two.pushAll();
    expect((await row(id)).consent).toMatchObject({ marketing: true });
  });

  it('an erasure blanks the phone and e-mail address in the edits kept', async () => {
    const id = demoUlid(12);
    edit(one, id, new Date().toISOString(), { phone: '+31611112222', email: 'erase@example.com' });
    await one.pushAll();
    const r = await callApi(h.url, 'POST', `/api/v1/admin/members/${id}/erase`, 'Bearer test-admin', {});
    expect(r.status).toBe(200);
    const kept = await h.db.query<{ doc: { body: { phone: string; email: string } } }>(
      "SELECT doc FROM journal_inbox WHERE member_id = $1 AND kind = 'member'",
      [id],
    );
    expect(kept.map((k) => [k.doc.body.phone, k.doc.body.email])).toEqual([['', '']]);
  });
});
