/**
 * A lost card replaced (from the member panel): the next number of this till's
 * ranges for a new card, or a new plastic card's number typed or scanned;
 * Enter, then a supervisor's PIN (a signed-in supervisor approves their own).
 * The member keeps their points and history; the old card finds no one from
 * then on. Esc cancels; nothing is written until it is approved. Offline too.
 */
import { useEffect, useLayoutEffect, useRef, useState } from 'react';
import type { Staff } from '../../../shared/documents';
import { isKassaError } from '../../../shared/errors';
import type { MemberRecord } from '../../../shared/member-snapshot';
import { needsSupervisor } from '../../../shared/staff/till-events';
import { replaceCard } from '../db/card-replace';
import type { TillDatabase } from '../db/database';
import type { TillRef } from '../../../shared/member-card';
import { cardSupply, readTillRef, type CardSupply, type EnrolContext } from '../db/enrolment';
import { checkPin } from '../db/staff';
import { CardChoice } from './CardChoice';
import { FormActions, FormCard, Modal } from './Modal';
import { PinDialog, type PinAnswer } from './PinDialog';
import { t } from './strings';

export function CardReplaceDialog(props: {
  db: TillDatabase;
  ctx: Pick<EnrolContext, 'tillId' | 'storeId' | 'members'>;
  cashier: Staff;
  staff: readonly Staff[];
  member: MemberRecord;
  pinAnswer: (e: unknown) => PinAnswer;
  onDone: (card: string) => void;
  onCancel: () => void;
}) {
  const { db, ctx, cashier, member } = props;
  const [supply, setSupply] = useState<CardSupply | null>(null);
  const [ref, setRef] = useState<TillRef | null>(null);
  const [printed, setPrinted] = useState(false);
  const [card, setCard] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [approving, setApproving] = useState(false);
  const firstRef = useRef<HTMLInputElement>(null);
  useEffect(() => {
    void (async () => {
      const r = await readTillRef(db, ctx.tillId);
      setRef(r);
      const s = await cardSupply(db, r);
      setSupply(s);
      if (s.next === null) setPrinted(true);
    })();
  }, [db, ctx.tillId]);
  useLayoutEffect(() => firstRef.current?.focus(), []);

  const write = async (supervisor: Staff): Promise<PinAnswer> => {
    try {
      const next = await replaceCard(
        db,
        { ...ctx, ref },
        {
          member,
          source: printed ? 'card' : 'range',
          typed: card,
          cashierId: cashier.id,
          supervisorId: supervisor.id,
        },
      );
      props.onDone(next);
      return { ok: true };
    } catch (e) {
      if (!isKassaError(e)) throw e;
      setApproving(false);
      setError(t.enrolProblem(e.code, card.trim()));
      return { ok: false, message: t.enrolProblem(e.code, card.trim()) };
    }
  };

  if (approving)
    return (
      <PinDialog
        title={t.supervisorNeeded(t.cardReplaceWhat(member.name, member.cardNumber))}
        staff={props.staff.filter((s) => s.role === 'supervisor')}
        testId="supervisor"
        onSubmit={async (supervisor, pin): Promise<PinAnswer> => {
          try {
            await checkPin(db, ctx, supervisor, pin, 'card-replace');
          } catch (e) {
            return props.pinAnswer(e);
          }
          return write(supervisor);
        }}
        onCancel={() => setApproving(false)}
      />
    );

  const submit = () => {
    if (printed && card.trim() === '') {
      setError(t.enrolFieldProblem('cardNumber', ''));
      return;
    }
    if (needsSupervisor(cashier.role, 'card-replace', 0)) setApproving(true);
    else void write(cashier);
  };

  return (
    <Modal testId="card-replace-dialog" labelledBy="card-replace-title" onEscape={props.onCancel}>
      <FormCard onSubmit={submit}>
        <h2 id="card-replace-title">{t.cardReplaceTitle(member.name, member.cardNumber)}</h2>
        <CardChoice
          testId="card-replace"
          supply={supply}
          printed={printed}
          onPrinted={setPrinted}
          card={card}
          onCard={setCard}
          firstRef={firstRef}
        />
        <p className="muted">{t.cardReplaceKeeps}</p>
        <FormActions testId="card-replace" error={error} onCancel={props.onCancel} confirmText={t.cardReplaceConfirm} />
      </FormCard>
    </Modal>
  );
}
