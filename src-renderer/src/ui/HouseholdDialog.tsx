/**
 * Joining the member on the sale to a household (F11): find a member of the
 * household by card, phone or name, read what will happen (whose account,
 * how many points move), confirm, then a supervisor's PIN — unless a
 * supervisor is signed in, who approves it as themselves. The join and the
 * transfer of the member's points are written together (db/household.ts) and
 * the member panel shows the shared account at once. Esc cancels; nothing is
 * written until it is approved. Works offline.
 */
import { useRef, useState, useLayoutEffect } from 'react';
import type { Staff } from '../../../shared/documents';
import { isKassaError } from '../../../shared/errors';
import { checkHouseholdJoin, HOUSEHOLD_JOIN_ACTION } from '../../../shared/household';
import type { MemberState } from '../../../shared/engine/member-state';
import { needsSupervisor } from '../../../shared/staff/till-events';
import type { TillDatabase } from '../db/database';
import { recordHouseholdJoin } from '../db/household';
import { checkPin, type TillContext } from '../db/staff';
import { FormActions, FormCard, Modal } from './Modal';
import { PinDialog, type PinAnswer } from './PinDialog';
import { t } from './strings';

/** The household's account holder found for the typed text, with the account's balance; or why there is none. */
export type HouseholdFound = { ok: true; id: string; name: string; balance: number } | { ok: false; message: string };

type Problem = Parameters<typeof t.householdProblem>[0];

export function HouseholdDialog(props: {
  db: TillDatabase;
  till: TillContext;
  cashier: Staff;
  staff: readonly Staff[];
  member: { id: string; name: string };
  /** The member's view: their own state (their points, and any household they share already). */
  state: MemberState;
  find: (text: string) => Promise<HouseholdFound>;
  pinAnswer: (e: unknown) => PinAnswer;
  onDone: (message: string) => void;
  onCancel: () => void;
}) {
  const { db, till, cashier, member, state } = props;
  const [text, setText] = useState('');
  const [holder, setHolder] = useState<Extract<HouseholdFound, { ok: true }> | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [approving, setApproving] = useState(false);
  const [busy, setBusy] = useState(false);
  const findRef = useRef<HTMLInputElement>(null);
  useLayoutEffect(() => findRef.current?.focus(), []);
  const points = Math.max(0, state.balance);

  const write = async (supervisor: Staff, h: { id: string; name: string; balance: number }) => {
    await recordHouseholdJoin(db, till, {
      memberId: member.id,
      householdId: h.id,
      points,
      cashierId: cashier.id,
      supervisorId: supervisor.id,
    });
    props.onDone(t.householdDone(member.name, h.name, h.balance + points));
  };

  if (approving && holder)
    return (
      <PinDialog
        title={t.supervisorNeeded(t.householdWhat(member.name, holder.name))}
        staff={props.staff.filter((s) => s.role === 'supervisor')}
        testId="supervisor"
        onSubmit={async (supervisor, pin): Promise<PinAnswer> => {
          try {
            await checkPin(db, till, supervisor, pin, HOUSEHOLD_JOIN_ACTION);
          } catch (e) {
            return props.pinAnswer(e);
          }
          await write(supervisor, holder);
          return { ok: true };
        }}
        onCancel={() => setApproving(false)}
      />
    );

  const submit = async () => {
    if (busy) return;
    if (holder) {
      if (needsSupervisor(cashier.role, 'household-join', 0)) setApproving(true);
      else await write(cashier, holder);
      return;
    }
    setBusy(true);
    const found = await props.find(text.trim());
    setBusy(false);
    if (!found.ok) {
      setError(found.message);
      findRef.current?.focus();
      return;
    }
    try {
      checkHouseholdJoin({ id: member.id, state }, found.id);
    } catch (e) {
      if (!isKassaError(e)) throw e;
      setError(t.householdProblem(e.code as Problem));
      findRef.current?.focus();
      return;
    }
    setError(null);
    setHolder(found);
  };

  return (
    <Modal testId="household-dialog" labelledBy="household-title" onEscape={props.onCancel}>
      <FormCard onSubmit={() => void submit()}>
        <h2 id="household-title">{t.householdTitle(member.name)}</h2>
        <label htmlFor="household-find">{t.householdFind}</label>
        <input
          id="household-find"
          ref={findRef}
          data-testid="household-find"
          autoComplete="off"
          maxLength={120}
          value={text}
          readOnly={holder !== null}
          onChange={(e) => {
            setText(e.target.value);
            setHolder(null);
          }}
        />
        {holder && (
          <p data-testid="household-preview">
            {t.householdPreview({ name: member.name, holder: holder.name, points, total: holder.balance + points })}
          </p>
        )}
        <FormActions
          testId="household"
          error={error}
          busy={busy}
          onCancel={props.onCancel}
          confirmText={holder ? t.householdConfirm : t.householdFindButton}
        />
      </FormCard>
    </Modal>
  );
}
