/**
 * A manual points adjustment for the member on the sale (goodwill, points
 * missing from a purchase, a wrong card scanned): the points (− takes them
 * away) and a reason, then a supervisor's PIN — unless a supervisor is signed
 * in, who approves it as themselves. The approval and the entry are written
 * together and reach head office's audit log; the member panel shows the new
 * balance at once. Esc cancels; nothing is written until it is approved.
 */
import { useRef, useState, useLayoutEffect } from 'react';
import type { Staff } from '../../../shared/documents';
import { isKassaError } from '../../../shared/errors';
import { checkPointsAdjust, POINTS_ADJUST_ACTION } from '../../../shared/staff/points-adjust';
import { needsSupervisor } from '../../../shared/staff/till-events';
import type { TillDatabase } from '../db/database';
import { checkPin, recordPointsAdjust, type TillContext } from '../db/staff';
import { FormActions, FormCard, Modal, ReasonField } from './Modal';
import { parsePoints, signedPoints } from './format';
import { PinDialog, type PinAnswer } from './PinDialog';
import { t } from './strings';

type Problem = Parameters<typeof t.adjustProblem>[0];

export function PointsAdjustDialog(props: {
  db: TillDatabase;
  till: TillContext;
  cashier: Staff;
  staff: readonly Staff[];
  /** The account whose points move (a household's account for its members), its balance, and whose name to show. */
  accountId: string;
  balance: number;
  memberName: string;
  pinAnswer: (e: unknown) => PinAnswer;
  onDone: (points: number) => void;
  onCancel: () => void;
}) {
  const { db, till, cashier, balance } = props;
  const [amount, setAmount] = useState('');
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [approving, setApproving] = useState<{ points: number; reason: string } | null>(null);
  const amountRef = useRef<HTMLInputElement>(null);
  useLayoutEffect(() => amountRef.current?.focus(), []);
  const points = parsePoints(amount);

  const write = async (supervisor: Staff, p: { points: number; reason: string }) => {
    await recordPointsAdjust(db, till, {
      memberId: props.accountId,
      points: p.points,
      reason: p.reason,
      cashierId: cashier.id,
      supervisorId: supervisor.id,
    });
    props.onDone(p.points);
  };

  if (approving)
    return (
      <PinDialog
        title={t.supervisorNeeded(t.adjustPointsWhat(signedPoints(approving.points), props.memberName))}
        staff={props.staff.filter((s) => s.role === 'supervisor')}
        testId="supervisor"
        onSubmit={async (supervisor, pin): Promise<PinAnswer> => {
          try {
            await checkPin(db, till, supervisor, pin, POINTS_ADJUST_ACTION);
          } catch (e) {
            return props.pinAnswer(e);
          }
          await write(supervisor, approving);
          return { ok: true };
        }}
        onCancel={() => setApproving(null)}
      />
    );

  const submit = () => {
    const why = reason.trim();
    try {
      checkPointsAdjust(balance, points, why);
    } catch (e) {
      if (!isKassaError(e)) throw e;
      setError(t.adjustProblem(e.code as Problem, { ...(e.details as Record<string, number>) }));
      (e.code === 'ADJUST_REASON_MISSING'
        ? document.getElementById('adjust-points-reason')
        : amountRef.current
      )?.focus();
      return;
    }
    const p = { points, reason: why };
    if (needsSupervisor(cashier.role, 'points-adjust', 0)) setApproving(p);
    else void write(cashier, p);
  };

  return (
    <Modal testId="adjust-points-dialog" labelledBy="adjust-points-title" onEscape={props.onCancel}>
      <FormCard onSubmit={submit}>
        <h2 id="adjust-points-title">{t.adjustPointsTitle(props.memberName)}</h2>
        <label htmlFor="adjust-points-amount">{t.adjustPointsAmount}</label>
        <input
          id="adjust-points-amount"
          ref={amountRef}
          data-testid="adjust-points-amount"
          inputMode="numeric"
          autoComplete="off"
          maxLength={12}
          value={amount}
          onChange={(e) => setAmount(e.target.value)}
        />
        <p className="muted" data-testid="adjust-points-preview">
          {t.adjustPointsBalance(balance, Number.isNaN(points) ? balance : balance + points)}
        </p>
        <ReasonField id="adjust-points-reason" value={reason} onChange={setReason} suggestions={t.adjustReasons} />
        <FormActions testId="adjust-points" error={error} onCancel={props.onCancel} />
      </FormCard>
    </Modal>
  );
}
