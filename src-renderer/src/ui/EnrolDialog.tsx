/**
 * Enrolling a new member at the till (F6), online or not: a new card from
 * this till's own numbers, or a printed card scanned (or typed) into the
 * form; the name, and what the member wants to give — phone, e-mail,
 * birthday (day and month, the year only if they like) — the marketing
 * consent read out to them (unticked until they say yes), and who referred
 * them. Every field is checked before anything is written; a refusal names
 * the field and leaves the cursor in it. The new member is on the sale at
 * once, with the sign-up bonus.
 */
import { useEffect, useRef, useState, useLayoutEffect } from 'react';
import type { EnrolField, EnrolmentForm } from '../../../shared/enrolment';
import { isKassaError } from '../../../shared/errors';
import type { TillDatabase } from '../db/database';
import type { TillRef } from '../../../shared/member-card';
import {
  cardSupply,
  enrolMember,
  readTillRef,
  type CardSupply,
  type EnrolContext,
  type Enrolled,
} from '../db/enrolment';
import type { MemberLookup } from '../db/members';
import { CardChoice } from './CardChoice';
import { FormActions, FormCard, Modal } from './Modal';
import { t } from './strings';

const FIELD_INPUT: Record<EnrolField | 'referrerId', string> = {
  cardNumber: 'enrol-card',
  name: 'enrol-name',
  phone: 'enrol-phone',
  email: 'enrol-email',
  birthday: 'enrol-birthday',
  referrerId: 'enrol-referrer',
};

export function EnrolDialog(props: {
  db: TillDatabase;
  /** The till's card ranges are read when the dialog opens. */
  ctx: Omit<EnrolContext, 'ref'>;
  /** A member card scanned while the dialog is open: taken as the printed card. */
  scannedCard: string | null;
  findMember: (text: string) => Promise<MemberLookup>;
  onDone: (enrolled: Enrolled) => void;
  onCancel: () => void;
}) {
  const [supply, setSupply] = useState<CardSupply | null>(null);
  const [ref, setRef] = useState<TillRef | null>(null);
  const [printed, setPrinted] = useState(props.scannedCard !== null);
  const [card, setCard] = useState(props.scannedCard ?? '');
  const [name, setName] = useState('');
  const [phone, setPhone] = useState('');
  const [email, setEmail] = useState('');
  const [birthday, setBirthday] = useState('');
  const [referrer, setReferrer] = useState('');
  const [marketing, setMarketing] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const nameRef = useRef<HTMLInputElement>(null);
  const { db, ctx } = props;

  useEffect(() => {
    void (async () => {
      const r = await readTillRef(db, ctx.tillId);
      setRef(r);
      setSupply(await cardSupply(db, r));
    })();
  }, [db, ctx.tillId]);
  useLayoutEffect(() => nameRef.current?.focus(), []);
  // A card scanned while the form is open is the printed card; the cursor stays where it was.
  const [seenScan, setSeenScan] = useState(props.scannedCard);
  if (props.scannedCard !== seenScan) {
    setSeenScan(props.scannedCard);
    if (props.scannedCard !== null) {
      setPrinted(true);
      setCard(props.scannedCard);
    }
  }

  function refuse(text: string, field: keyof typeof FIELD_INPUT) {
    setError(text);
    document.getElementById(FIELD_INPUT[field])?.focus();
  }

  /** The referrer typed (their card or phone), found; else 'refused', with the reason shown. */
  async function findReferrer(): Promise<{ id: string | null } | 'refused'> {
    const text = referrer.trim();
    if (text === '') return { id: null };
    const found = await props.findMember(text);
    if (found.kind === 'found') return { id: found.member.id };
    refuse(
      found.kind === 'ambiguous' ? t.phoneAmbiguous(text) : t.enrolProblem('REFERRER_NOT_FOUND', text),
      'referrerId',
    );
    return 'refused';
  }

  async function submit() {
    if (busy) return;
    setBusy(true);
    try {
      const referredBy = await findReferrer();
      if (referredBy === 'refused') return;
      const form: EnrolmentForm = {
        cardNumber: printed ? card.trim().toUpperCase() : '',
        cardSource: printed ? 'card' : 'range',
        name,
        phone,
        email,
        birthday,
        marketing,
        referrerId: referredBy.id,
      };
      const started = performance.now();
      const enrolled = await enrolMember(db, form, { ...ctx, ref });
      // For the benchmarks: the member, their card and sign-up bonus committed to the journal.
      performance.measure('kassa:enrol-commit', { start: started, detail: enrolled.member.id });
      props.onDone(enrolled);
    } catch (e) {
      if (!isKassaError(e)) throw e;
      const field = (e.details as { field?: EnrolField } | undefined)?.field ?? 'cardNumber';
      const values: Record<EnrolField, string> = { cardNumber: card, name, phone, email, birthday };
      refuse(
        e.code === 'ENROL_FIELD_INVALID'
          ? t.enrolFieldProblem(field, values[field])
          : t.enrolProblem(e.code, printed ? card : ''),
        e.code === 'CARD_RANGE_EXHAUSTED' ? 'cardNumber' : field,
      );
    } finally {
      setBusy(false);
    }
  }

  const country = ctx.config?.country ?? null;
  return (
    <Modal testId="enrol-dialog" labelledBy="enrol-title" onEscape={props.onCancel}>
      <FormCard onSubmit={() => void submit()} wide>
        <h2 id="enrol-title">{t.enrolTitle}</h2>
        <CardChoice
          testId="enrol"
          supply={supply}
          printed={printed}
          onPrinted={setPrinted}
          card={card}
          onCard={setCard}
        >
          {supply?.low && supply.next !== null && (
            <p className="muted" data-testid="enrol-cards-low">
              {t.enrolCardsLow(supply.left)}
            </p>
          )}
        </CardChoice>
        <label htmlFor="enrol-name">{t.enrolName}</label>
        <input
          id="enrol-name"
          ref={nameRef}
          data-testid="enrol-name"
          autoComplete="off"
          maxLength={120}
          value={name}
          onChange={(e) => setName(e.target.value)}
        />
        <label htmlFor="enrol-phone">{t.enrolPhone(country)}</label>
        <input
          id="enrol-phone"
          data-testid="enrol-phone"
          type="tel"
          autoComplete="off"
          maxLength={32}
          value={phone}
          onChange={(e) => setPhone(e.target.value)}
        />
        <label htmlFor="enrol-email">{t.enrolEmail}</label>
        <input
          id="enrol-email"
          data-testid="enrol-email"
          type="text"
          inputMode="email"
          autoComplete="off"
          maxLength={254}
          value={email}
          onChange={(e) => setEmail(e.target.value)}
        />
        <label htmlFor="enrol-birthday">{t.enrolBirthday}</label>
        <input
          id="enrol-birthday"
          data-testid="enrol-birthday"
          autoComplete="off"
          placeholder={t.enrolBirthdayExample}
          maxLength={10}
          value={birthday}
          onChange={(e) => setBirthday(e.target.value)}
        />
        <label htmlFor="enrol-referrer">{t.enrolReferrer}</label>
        <input
          id="enrol-referrer"
          data-testid="enrol-referrer"
          autoComplete="off"
          maxLength={32}
          value={referrer}
          onChange={(e) => setReferrer(e.target.value)}
        />
        <label className="consent">
          <input
            type="checkbox"
            data-testid="enrol-marketing"
            checked={marketing}
            onChange={(e) => setMarketing(e.target.checked)}
          />
          {t.enrolConsent}
        </label>
        <FormActions testId="enrol" error={error} onCancel={props.onCancel} busy={busy} confirmText={t.enrolSubmit} />
      </FormCard>
    </Modal>
  );
}
