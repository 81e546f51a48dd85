/**
 * The shift (F8): open it with the float in the drawer; while it is open, cash in or out with a reason, an X
 * report (the totals so far) and the close — the cash counted blind (the expected amount is not shown before the
 * count), then the Z report with the difference. Taking out 100.00 or more, or closing more than 5.00 off, asks a
 * cashier for a supervisor's PIN (shared/shift.ts); a signed-in supervisor approves their own. Every action is a
 * till event the server audits. Keyboard-first: the amount has the focus, Enter submits, Esc goes back.
 */
import { useRef, useState, type ReactNode, useLayoutEffect } from 'react';
import type { Staff } from '../../../shared/documents';
import { isKassaError } from '../../../shared/errors';
import { parseMoneyInput } from '../../../shared/money';
import {
  shiftNeedsSupervisor,
  type ClosedShiftReport,
  type Shift,
  type ShiftOverrideAction,
  type ShiftReport,
} from '../../../shared/shift';
import type { TillDatabase } from '../db/database';
import { closeShift, currentReport, openShift, recordCashMovement, takeXReport, type ShiftActor } from '../db/shifts';
import { checkPin, type TillContext } from '../db/staff';
import { Modal } from './Modal';
import { money } from './format';
import { PinDialog, type PinAnswer } from './PinDialog';
import { ShiftReportView } from './ShiftReportView';
import { t } from './strings';

type Step =
  | { kind: 'menu' }
  | { kind: 'cash'; direction: 'cash-in' | 'cash-out' }
  | { kind: 'close' }
  | { kind: 'report'; report: ShiftReport | ClosedShiftReport };

type Pending = { action: ShiftOverrideAction; what: string; run: (who: ShiftActor) => Promise<void> };

/** Typed money in minor units, or null when the text is not an amount. */
function typedMinor(text: string, currency: string): number | null {
  try {
    return parseMoneyInput(text, currency).minor;
  } catch {
    return null;
  }
}

export function ShiftDialog(props: {
  db: TillDatabase;
  till: TillContext;
  cashier: Staff;
  staff: readonly Staff[];
  shift: Shift | null;
  lastZ: ClosedShiftReport | null;
  currency: string;
  storeName: string | null;
  timeZone: string | undefined;
  pinAnswer: (e: unknown) => PinAnswer;
  onPrint: () => void;
  /** After any action: the screen reloads the shift. */
  onChanged: () => Promise<void>;
  onClose: () => void;
}) {
  const { db, till, cashier, shift, currency } = props;
  const [step, setStep] = useState<Step>({ kind: 'menu' });
  const [amount, setAmount] = useState('');
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState<Pending | null>(null);
  const [busy, setBusy] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  const firstRef = useRef<HTMLInputElement & HTMLButtonElement>(null);
  useLayoutEffect(() => firstRef.current?.focus(), [step, shift, pending]);

  const self: ShiftActor = { cashierId: cashier.id, role: cashier.role };
  const go = (next: Step) => {
    setAmount('');
    setReason('');
    setError(null);
    setNotice(null);
    setStep(next);
  };
  const fail = (e: unknown) => {
    if (!isKassaError(e)) throw e;
    const details = (e.details ?? {}) as Record<string, unknown>;
    const expected = typeof details.expectedCashMinor === 'number' ? money(details.expectedCashMinor, currency) : '';
    setError(t.shiftProblem(e.code, expected));
    firstRef.current?.focus();
  };
  /** Runs an action as the cashier, or after a supervisor's PIN where the action needs one. */
  const act = async (action: ShiftOverrideAction | null, amountMinor: number, what: string, run: Pending['run']) => {
    if (action && shiftNeedsSupervisor(cashier.role, action, amountMinor)) {
      setPending({ action, what, run });
      return;
    }
    await run(self);
  };
  const guarded = async (work: () => Promise<void>) => {
    if (busy) return;
    setBusy(true);
    try {
      await work();
    } catch (e) {
      fail(e);
    } finally {
      setBusy(false);
    }
  };

  const submitOpen = () =>
    guarded(async () => {
      const floatMinor = typedMinor(amount, currency);
      if (floatMinor === null) return setError(t.shiftProblem('SHIFT_BAD_AMOUNT', ''));
      await openShift(db, till, { floatMinor, currency, who: self });
      await props.onChanged();
      props.onClose();
    });

  const submitCash = (direction: 'cash-in' | 'cash-out') =>
    guarded(async () => {
      const amountMinor = typedMinor(amount, currency);
      if (amountMinor === null) return setError(t.shiftProblem('SHIFT_BAD_AMOUNT', ''));
      const why = reason;
      await act(
        direction === 'cash-out' ? 'cash-out' : null,
        amountMinor,
        t.shiftCashOutWhat(money(amountMinor, currency)),
        async (who) => {
          await recordCashMovement(db, till, { kind: direction, amountMinor, reason: why, who });
          await props.onChanged();
          go({ kind: 'menu' });
          setError(null);
          setNotice(t.shiftCashDone(direction, money(amountMinor, currency)));
        },
      );
    });

  const submitClose = () =>
    guarded(async () => {
      const countedCashMinor = typedMinor(amount, currency);
      if (countedCashMinor === null) return setError(t.shiftProblem('SHIFT_BAD_AMOUNT', ''));
      const expected = (await currentReport(db, till.tillId)).expectedCashMinor;
      const difference = countedCashMinor - expected;
      const why = reason;
      await act('close-difference', difference, t.shiftCloseWhat(money(difference, currency)), async (who) => {
        const z = await closeShift(db, till, { countedCashMinor, reason: why, who });
        await props.onChanged();
        go({ kind: 'report', report: z });
      });
    });

  const xReport = () =>
    guarded(async () => {
      const report = await takeXReport(db, till, self);
      go({ kind: 'report', report });
    });

  if (pending)
    return (
      <PinDialog
        title={t.supervisorNeeded(pending.what)}
        staff={props.staff.filter((s) => s.role === 'supervisor')}
        testId="supervisor"
        onSubmit={async (supervisor, pin): Promise<PinAnswer> => {
          try {
            await checkPin(db, till, supervisor, pin, pending.action);
          } catch (e) {
            return props.pinAnswer(e);
          }
          try {
            await pending.run({ ...self, supervisorId: supervisor.id });
          } catch (e) {
            fail(e);
          }
          setPending(null);
          return { ok: true };
        }}
        onCancel={() => setPending(null)}
      />
    );

  const back = step.kind === 'menu' || !shift ? props.onClose : () => go({ kind: 'menu' });
  const errorBox = error && (
    <div className="message error" role="alert" data-testid="shift-error">
      {error}
    </div>
  );
  const amountField = (label: string) => (
    <>
      <label htmlFor="shift-amount">{label}</label>
      <input
        id="shift-amount"
        ref={firstRef}
        data-testid="shift-amount"
        inputMode="decimal"
        autoComplete="off"
        maxLength={12}
        value={amount}
        onChange={(e) => setAmount(e.target.value)}
      />
    </>
  );
  const reasonField = (label: string) => (
    <>
      <label htmlFor="shift-reason">{label}</label>
      <input
        id="shift-reason"
        data-testid="shift-reason"
        maxLength={200}
        value={reason}
        onChange={(e) => setReason(e.target.value)}
      />
    </>
  );
  const form = (title: string, submit: () => Promise<void>, body: ReactNode, submitLabel: string) => (
    <form
      className="card"
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
    >
      <h2 id="shift-title">{title}</h2>
      {body}
      {errorBox}
      <button className="primary" type="submit" data-testid="shift-submit" disabled={busy}>
        {submitLabel}
      </button>
      <button type="button" onClick={back}>
        {t.cancel} (Esc)
      </button>
    </form>
  );

  let content: ReactNode;
  if (step.kind === 'report')
    content = (
      <ShiftReportView
        report={step.report}
        tillId={till.tillId}
        storeName={props.storeName}
        timeZone={props.timeZone}
        printRef={firstRef}
        onPrint={props.onPrint}
        onClose={back}
      />
    );
  else if (!shift)
    content = form(
      t.shiftOpenTitle,
      submitOpen,
      <>
        {amountField(t.shiftFloat)}
        {props.lastZ && (
          <button type="button" data-testid="shift-last-z" onClick={() => go({ kind: 'report', report: props.lastZ! })}>
            {t.shiftLastZ(props.lastZ.shiftNo)}
          </button>
        )}
      </>,
      t.shiftOpen,
    );
  else if (step.kind === 'cash')
    content = form(
      step.direction === 'cash-in' ? t.shiftCashIn : t.shiftCashOut,
      () => submitCash(step.direction),
      <>
        {amountField(t.shiftAmount)}
        {reasonField(t.reason)}
      </>,
      t.confirm,
    );
  else if (step.kind === 'close')
    content = form(
      t.shiftCloseTitle(shift.shiftNo),
      submitClose,
      <>
        {amountField(t.shiftCounted)}
        {reasonField(t.shiftDifferenceReason)}
      </>,
      t.shiftClose,
    );
  else
    content = (
      <div className="card">
        <h2 id="shift-title">{t.shiftTitle(shift.shiftNo)}</h2>
        <p className="muted" data-testid="shift-float">
          {t.shiftFloatWas(money(shift.floatMinor, shift.currency))}
        </p>
        {notice && (
          <div className="message info" role="status" data-testid="shift-notice">
            {notice}
          </div>
        )}
        {errorBox}
        <button ref={firstRef} data-testid="shift-cash-in" onClick={() => go({ kind: 'cash', direction: 'cash-in' })}>
          {t.shiftCashIn}
        </button>
        <button data-testid="shift-cash-out" onClick={() => go({ kind: 'cash', direction: 'cash-out' })}>
          {t.shiftCashOut}
        </button>
        <button data-testid="shift-x-report" onClick={() => void xReport()}>
          {t.shiftXReport}
        </button>
        <button data-testid="shift-close" onClick={() => go({ kind: 'close' })}>
          {t.shiftClose}
        </button>
        <button onClick={props.onClose}>{t.close} (Esc)</button>
      </div>
    );

  return (
    <Modal
      testId="shift-dialog"
      labelledBy={step.kind === 'report' ? undefined : 'shift-title'}
      label={t.shiftMenu}
      onEscape={back}
    >
      {content}
    </Modal>
  );
}
