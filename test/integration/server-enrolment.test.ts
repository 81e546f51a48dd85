/**
 * Members enrolled at tills reach the central server (real HTTP, the real
 * server over PGlite and, where TEST_DATABASE_URL is set, PostgreSQL): each
 * till has card ranges of its own, published in its `till:<id>` document; an
 * enrolment and its sign-up bonus become a member the next pull brings, with
 * the state the till started from; a phone already used by another member
 * and a card another member holds are flagged, never merged; a card outside
 * the till's ranges is parked; a push sent twice enrols once; a malformed
 * enrolment is refused and changes nothing.
 */
import { monotonicFactory } from 'ulid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JournalDoc } from '../../shared/documents';
import { enrolmentBody, enrolmentDocuments, type EnrolmentForm } from '../../shared/enrolment';
import { CARD_RANGE_SIZE, inCardRanges, nextCardNumber } from '../../shared/member-card';
import type { Query } from '../../src-server/db';
import { ERASED_NAME, eraseMember, exportMember } from '../../src-server/privacy/members';
import { demoCardNumber } from '../../src-server/seed';
import { postgresUrl, startHarness, type Backend, type Harness } from '../support/server-harness';
import { TestTill } from '../support/test-till';

const backends: Backend[] = postgresUrl() ? ['pglite', 'postgres'] : ['pglite'];
const nextId = monotonicFactory();

function form(over: Partial<EnrolmentForm>): EnrolmentForm {
  return {
    cardNumber: '',
    cardSource: 'range',
    name: 'New Member',
    phone: '',
    email: '',
    birthday: '',
    marketing: false,
    referrerId: null,
    ...over,
  };
}

function enrol(till: TestTill, f: EnrolmentForm): JournalDoc[] {
  const at = new Date().toISOString();
  const body = enrolmentBody(f, { storeId: 'store-1', cashierId: 'cashier-1', country: 'NL', at });
  const memberId = nextId();
  // The demo program gives a sign-up bonus: the enrolment and its bonus entry, one after the other.
  const seqs = [till.nextSeq(), till.nextSeq()] as const;
  const { member, bonus } = enrolmentDocuments(
    { tillId: till.tillId, at },
    body,
    till.program,
    { memberId, entryId: nextId() },
    seqs,
  );
  expect(bonus).not.toBeNull();
  return till.write(member, bonus!);
}

type Flag = { kind: string; member_id: string; ref_id: string; detail: Record<string, unknown> };

describe.each(backends)('enrolment at the till on %s', (backend) => {
  let h: Harness & { tokens: string[] };
  beforeAll(async () => {
    h = await startHarness(backend, ['TEST-TILL-1', 'TEST-TILL-2']);
  });
  afterAll(async () => h?.close());

  it('gives each till its own card range, and two tills enrolling offline never share a number', async () => {
    const a = new TestTill(h.url, h.tokens[0]!, 'till-1');
    const b = new TestTill(h.url, h.tokens[1]!, 'till-2');
    await a.sync();
    await b.sync();
    const [ra] = a.ref!.cardRanges;
    const [rb] = b.ref!.cardRanges;
    expect(Number(ra!.last) - Number(ra!.first) + 1).toBe(CARD_RANGE_SIZE);
    expect(ra!.last < rb!.first || rb!.last < ra!.first).toBe(true);
    // Each enrols 30 members "offline" (nothing pushed in between), then both push.
    const cards = new Set<string>();
    for (const till of [a, b]) {
      let last: string | null = null;
      for (let i = 0; i < 30; i++) {
        last = nextCardNumber(till.ref!.cardRanges, last);
        expect(inCardRanges(last!, till.ref!.cardRanges)).toBe(true);
        cards.add(last!);
        enrol(till, form({ cardNumber: last!, name: `${till.tillId} member ${i}` }));
      }
    }
    const replies = [...(await a.pushAll()), ...(await b.pushAll())];
    expect(replies.flatMap((r) => r.parked)).toEqual([]);
    expect(cards.size).toBe(60);
    const rows = await h.db.query<{ card_number: string }>(
      "SELECT card_number FROM members WHERE name LIKE 'till-% member %'",
    );
    expect(new Set(rows.map((r) => r.card_number))).toEqual(cards);
  });

  it('enrols with the sign-up bonus and the state the till started from; the next pull brings the member', async () => {
    const till = new TestTill(h.url, h.tokens[0]!, 'till-1');
    await till.sync();
    const card = nextCardNumber(till.ref!.cardRanges, `${till.ref!.cardRanges[0]!.first.slice(0, 8)}5000` + '0');
    const referrer = [...till.members.values()].find((m) => m.cardNumber === demoCardNumber(3))!;
    const docs = enrol(
      till,
      form({
        cardNumber: card!,
        name: '  Zoë   van Dijk ',
        phone: '06 9999 0001',
        email: 'Zoe@Example.com',
        birthday: '29-02',
        marketing: true,
        referrerId: referrer.id,
      }),
    );
    expect(docs.map((d) => d.kind)).toEqual(['member', 'entry']);
    const [reply] = await till.pushAll();
    expect(reply!.parked).toEqual([]);
    expect(reply!.ackedTillSeq).toBe(docs[1]!.tillSeq);
    // Pushed again (a till that missed the reply): one member, one bonus.
    expect((await till.pushDocs(docs)).status).toBe(200);

    const [row] = await h.db.query<{
      name: string;
      phone: string;
      email: string;
      birth_year: number | null;
      consent: { marketing: boolean; textVersion: string };
      enrolled_at_till: string;
      state: { balance: number; birthday: string; referredBy: string };
    }>('SELECT name, phone, email, birth_year, consent, enrolled_at_till, state FROM members WHERE id = $1', [
      docs[0]!.memberId,
    ]);
    expect(row).toMatchObject({
      name: 'Zoë van Dijk',
      phone: '+31699990001',
      email: 'zoe@example.com',
      birth_year: null,
      enrolled_at_till: 'till-1',
      consent: { marketing: true, textVersion: 'marketing-2026-01' },
    });
    expect(row!.state).toMatchObject({ balance: 50, birthday: '02-29', referredBy: referrer.id });
    const bonuses = await h.db.query('SELECT id FROM ledger_entries WHERE member_id = $1', [docs[0]!.memberId]);
    expect(bonuses).toHaveLength(1);

    await till.pull();
    const pulled = till.members.get(docs[0]!.memberId)!;
    expect(pulled).toMatchObject({ cardNumber: card, name: 'Zoë van Dijk' });
    expect(pulled.seq).toBeGreaterThan(0);
    expect(pulled.tillMarks[till.epoch]).toBe(docs[1]!.tillSeq);
    expect(pulled.state.balance).toBe(50);
    expect(till.findByPhone('0699990001').map((m) => m.id)).toEqual([docs[0]!.memberId]);

    // The export carries what the enrolment brought; erasure removes it, from the document as received too.
    const id = docs[0]!.memberId;
    const q: Query = (sql, params) => h.db.query(sql, params);
    const exported = (await exportMember(q, id)) as { member: Record<string, unknown> };
    expect(exported.member).toMatchObject({
      enrolledAtTill: 'till-1',
      birthYear: null,
      consent: { marketing: true, textVersion: 'marketing-2026-01', cashierId: 'cashier-1' },
    });
    expect((await eraseMember(q, id)).changed).toBe(true);
    const inbox = await h.db.query<{ doc: { body: Record<string, unknown> } }>(
      "SELECT doc FROM journal_inbox WHERE member_id = $1 AND kind = 'member'",
      [id],
    );
    expect(inbox).toHaveLength(1);
    expect(inbox[0]!.doc.body).toMatchObject({ name: ERASED_NAME, phone: '', email: '', birthday: null });
    expect(JSON.stringify(await exportMember(q, id))).not.toMatch(/Zo|9999|example\.com/);
  });

  it('flags a phone another member has and a card another member holds, and parks a card from outside the ranges', async () => {
    const till = new TestTill(h.url, h.tokens[1]!, 'till-2');
    await till.sync();
    const start = `${till.ref!.cardRanges[0]!.first.slice(0, 8)}7000`;
    const samePhone = enrol(
      till,
      form({ cardNumber: nextCardNumber(till.ref!.cardRanges, `${start}0`)!, phone: '0610000000', name: 'Twin' }),
    );
    const plastic = enrol(till, form({ cardNumber: demoCardNumber(2), cardSource: 'card', name: 'Card Holder' }));
    // Till 1's first number, claimed as one of till 2's own.
    const other = new TestTill(h.url, h.tokens[0]!, 'till-1');
    await other.sync();
    const stolen = enrol(till, form({ cardNumber: nextCardNumber(other.ref!.cardRanges, null)!, name: 'Not Mine' }));
    const replies = await till.pushAll();
    const parked = replies.flatMap((r) => r.parked);
    // The stolen card's enrolment is parked, and so is its sign-up bonus (no such member).
    expect(parked.map((p) => p.code)).toEqual(['CARD_NOT_IN_RANGE', 'UNKNOWN_MEMBER']);
    expect(parked[0]!.id).toBe(stolen[0]!.id);
    expect(await h.db.query('SELECT id FROM members WHERE id = $1', [stolen[0]!.memberId])).toEqual([]);

    const flags = await h.db.query<Flag>(
      "SELECT kind, member_id, ref_id, detail FROM review_flags WHERE till_id = $1 AND kind LIKE 'duplicate-%' ORDER BY id",
      ['till-2'],
    );
    const anna = [...till.members.values()].find((m) => m.cardNumber === demoCardNumber(1))!;
    const bram = [...till.members.values()].find((m) => m.cardNumber === demoCardNumber(2))!;
    expect(flags.map((f) => [f.kind, f.member_id, f.ref_id, f.detail.field ?? f.detail.cardNumber])).toEqual([
      ['duplicate-contact', samePhone[0]!.memberId, anna.id, 'phone'],
      ['duplicate-card', plastic[0]!.memberId, bram.id, demoCardNumber(2)],
    ]);
    // Both stay members of their own: the twin with its phone, the card holder without the card.
    const [twin] = await h.db.query<{ phone: string }>('SELECT phone FROM members WHERE id = $1', [
      samePhone[0]!.memberId,
    ]);
    expect(twin!.phone).toBe('+31610000000');
    const [holder] = await h.db.query<{ card_number: string }>('SELECT card_number FROM members WHERE id = $1', [
      plastic[0]!.memberId,
    ]);
    expect(holder!.card_number).toBe(`~${plastic[0]!.memberId}`);
    const [kept] = await h.db.query<{ id: string }>('SELECT id FROM members WHERE card_number = $1', [
      demoCardNumber(2),
    ]);
    expect(kept!.id).toBe(bram.id);
  });

  it('refuses a malformed enrolment with a coded error and changes nothing', async () => {
    const till = new TestTill(h.url, h.tokens[0]!, 'till-1');
    await till.sync();
    const [good] = enrol(till, form({ cardNumber: nextCardNumber(till.ref!.cardRanges, null)!, name: 'Bad' }));
    const bad = { ...good!, body: { ...(good!.body as object), email: 'not-an-address' } } as JournalDoc;
    const before = await h.db.query('SELECT count(*) AS n FROM members');
    const reply = await till.pushDocs([bad]);
    expect(reply.status).toBe(400);
    expect((reply.body as { error: { code: string } }).error.code).toBe('PUSH_MALFORMED');
    expect(await h.db.query('SELECT count(*) AS n FROM members')).toEqual(before);
    expect(() =>
      enrolmentBody(form({ cardNumber: '2998', email: 'x@' }), {
        storeId: 's',
        cashierId: 'c',
        country: 'NL',
        at: new Date().toISOString(),
      }),
    ).toThrow(expect.objectContaining({ code: 'ENROL_FIELD_INVALID', details: { field: 'email' } }));
  });
});
