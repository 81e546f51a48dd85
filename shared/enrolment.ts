/**
 * Enrolling a member at the till: what the cashier typed, checked field by
 * field, and the journal documents it becomes. Pure; the caller makes the
 * ids, the tillSeqs and the time, and writes the documents in one bulk write.
 *
 * Invariants:
 * - Every field is checked before anything is written: a bad field is a
 *   KassaError `ENROL_FIELD_INVALID` naming the field (`details.field`), and
 *   no document is made.
 * - The member's first state is a function of the enrolment alone
 *   (`enrolledState`): the till's provisional member and the server's new
 *   row start from the same state, so the sign-up bonus and the first sales
 *   project the same on both.
 * - The sign-up bonus is the engine's (`grantBonus`), written as a lone
 *   bonus entry right after the enrolment; the server checks it against the
 *   program like any other.
 */
import {
  enrolmentBodySchema,
  journalDocSchema,
  profileEditBodySchema,
  type EnrolmentBody,
  type ProfileEditBody,
  type EntryDoc,
  type JournalDoc,
  type MemberDoc,
} from './documents';
import { grantBonus, type Program } from './engine';
import { emptyMemberState, type MemberState } from './engine/member-state';
import { KassaError } from './errors';
import type { MemberRecord } from './member-snapshot';
import { normalisePhone } from './phone';

/** The version of the marketing-consent text the till shows (kept with each consent given). */
export const CONSENT_TEXT_VERSION = 'marketing-2026-01';

/** The enrolment form as typed: text fields as they are, the birthday as "DD-MM" or "DD-MM-YYYY", or empty. */
export type EnrolmentForm = {
  cardNumber: string;
  cardSource: EnrolmentBody['cardSource'];
  name: string;
  phone: string;
  email: string;
  birthday: string;
  marketing: boolean;
  referrerId: string | null;
};

export type EnrolField = 'cardNumber' | 'name' | 'phone' | 'email' | 'birthday';

function invalid(field: EnrolField, message: string): KassaError {
  return new KassaError('ENROL_FIELD_INVALID', message, { field });
}

const BIRTHDAY = /^(\d{1,2})[-./](\d{1,2})(?:[-./](\d{4}))?$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** "DD-MM" or "DD-MM-YYYY" (also with dots or slashes) as the document's birthday; null for empty. */
export function parseBirthday(text: string): EnrolmentBody['birthday'] {
  const t = text.trim();
  if (t === '') return null;
  const m = BIRTHDAY.exec(t);
  if (!m) throw invalid('birthday', `Not a birthday: "${t}" (day-month, or day-month-year)`);
  const r = enrolmentBodySchema.shape.birthday.safeParse({
    day: Number(m[1]),
    month: Number(m[2]),
    year: m[3] === undefined ? null : Number(m[3]),
  });
  if (!r.success || r.data === null) throw invalid('birthday', `Not a date: "${t}"`);
  return r.data;
}

/** The enrolment body for a form, every field checked (see the invariants). */
export function enrolmentBody(
  form: EnrolmentForm,
  ctx: { storeId: string; cashierId: string; country: string | null; at: string },
): EnrolmentBody {
  const name = form.name.trim().replace(/\s+/g, ' ');
  if (name === '') throw invalid('name', 'A member needs a name');
  if (name.length > 120) throw invalid('name', 'A name of at most 120 characters');
  const phoneText = form.phone.trim();
  const phone = phoneText === '' ? '' : normalisePhone(phoneText, ctx.country);
  if (phone === null) throw invalid('phone', `Not a phone number: "${phoneText}"`);
  const email = form.email.trim().toLowerCase();
  if (email !== '' && (!EMAIL.test(email) || email.length > 254))
    throw invalid('email', `Not an e-mail address: "${email}"`);
  const card = form.cardNumber.trim();
  if (!/^[0-9A-Z]{4,32}$/.test(card)) throw invalid('cardNumber', `Not a card number: "${card}"`);
  const r = enrolmentBodySchema.safeParse({
    type: 'enrol',
    storeId: ctx.storeId,
    cashierId: ctx.cashierId,
    cardNumber: card,
    cardSource: form.cardSource,
    name,
    phone,
    email,
    birthday: parseBirthday(form.birthday),
    consent: { marketing: form.marketing, at: ctx.at, textVersion: CONSENT_TEXT_VERSION },
    referrerId: form.referrerId,
  });
  if (!r.success) {
    const issue = r.error.issues[0]!;
    const field = (['cardNumber', 'name', 'phone', 'email', 'birthday'] as const).find((f) => issue.path[0] === f);
    throw invalid(field ?? 'name', `${issue.path.join('.')}: ${issue.message}`);
  }
  return r.data;
}

/** The member's state the moment they are enrolled: nothing earned yet, their birthday and referrer known. */
export function enrolledState(body: EnrolmentBody): MemberState {
  const b = body.birthday;
  return {
    ...emptyMemberState(),
    birthday: b ? `${String(b.month).padStart(2, '0')}-${String(b.day).padStart(2, '0')}` : null,
    referredBy: body.referrerId,
  };
}

/**
 * The till's member record for a member it enrolled, until the server's arrives: seq 0 (any server version
 * replaces it) and mark 0 (every journal document of this database about the member is counted on top).
 */
export function provisionalRecord(memberId: string, body: EnrolmentBody, at: string, phoneHash: string): MemberRecord {
  return {
    id: memberId,
    cardNumber: body.cardNumber,
    name: body.name,
    phoneHash,
    storeId: body.storeId,
    enrolledAt: at,
    state: enrolledState(body),
    tillMark: 0,
    seq: 0,
  };
}

function parsed(doc: unknown): JournalDoc {
  const r = journalDocSchema.safeParse(doc);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    throw new KassaError(
      'DOCUMENT_INVALID',
      `This enrolment cannot be recorded: ${issue.path.join('.')}: ${issue.message}`,
    );
  }
  return r.data;
}

/**
 * The enrolment's documents: the member document, then the sign-up bonus entry when the program gives one.
 * `ids.entryId` and the second tillSeq are used only for the bonus.
 */
export function enrolmentDocuments(
  ctx: { tillId: string; at: string },
  body: EnrolmentBody,
  program: Program | null,
  ids: { memberId: string; entryId: string },
  seqs: readonly [number, number],
): { member: MemberDoc; bonus: EntryDoc | null } {
  const member = parsed({
    id: ids.memberId,
    tillId: ctx.tillId,
    tillSeq: seqs[0],
    at: ctx.at,
    memberId: ids.memberId,
    kind: 'member',
    body,
  }) as MemberDoc;
  const grant = program
    ? grantBonus({ program, memberId: ids.memberId, state: enrolledState(body), kind: 'signup' })
    : null;
  const bonus = grant
    ? (parsed({
        id: ids.entryId,
        tillId: ctx.tillId,
        tillSeq: seqs[1],
        at: ctx.at,
        memberId: ids.memberId,
        kind: 'entry',
        body: grant,
      }) as EntryDoc)
    : null;
  return { member, bonus };
}

/** A profile edit as the till's form gives it: empty fields stay as they are; consent `keep` leaves it. */
export type ProfileForm = { phone: string; email: string; marketing: 'keep' | 'yes' | 'no' };

/** The edit's body, every field checked like an enrolment's; PROFILE_UNCHANGED when nothing is to change. */
export function profileEditBody(
  form: ProfileForm,
  ctx: { storeId: string; cashierId: string; country: string | null; at: string },
): ProfileEditBody {
  const phoneText = form.phone.trim();
  const phone = phoneText === '' ? undefined : normalisePhone(phoneText, ctx.country);
  if (phone === null) throw invalid('phone', `Not a phone number: "${phoneText}"`);
  const emailText = form.email.trim().toLowerCase();
  if (emailText !== '' && (!EMAIL.test(emailText) || emailText.length > 254))
    throw invalid('email', `Not an e-mail address: "${emailText}"`);
  const body = {
    type: 'profile-edit' as const,
    storeId: ctx.storeId,
    cashierId: ctx.cashierId,
    ...(phone === undefined ? {} : { phone }),
    ...(emailText === '' ? {} : { email: emailText }),
    ...(form.marketing === 'keep'
      ? {}
      : { consent: { marketing: form.marketing === 'yes', at: ctx.at, textVersion: CONSENT_TEXT_VERSION } }),
  };
  if (body.phone === undefined && body.email === undefined && body.consent === undefined)
    throw new KassaError('PROFILE_UNCHANGED', 'Nothing to change: type a new phone or e-mail, or change the consent');
  return profileEditBodySchema.parse(body);
}
