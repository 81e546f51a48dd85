/**
 * Choosing a person and typing their PIN: the sign-in screen and the
 * supervisor's approval of an override. Keyboard-first: the PIN field has the
 * focus, the person is a select list (arrow keys), Enter submits, Esc cancels
 * where cancelling is possible; Tab stays inside the dialog. The check itself (attempt limits, lock-out)
 * is the caller's; this shows its answer.
 */
import { useRef, useState, type ReactNode, useLayoutEffect } from 'react';
import type { Staff } from '../../../shared/documents';
import { FormActions, FormCard, Modal, ReasonField } from './Modal';
import { t } from './strings';

export type PinAnswer = { ok: true } | { ok: false; message: string };

export function PinDialog(props: {
  title: string;
  staff: readonly Staff[];
  /** The person chosen first (the cashier who was signed in, for a locked screen). */
  preferredId?: string | null;
  askReason?: boolean;
  /** Shown above the title: the language choice on the sign-in dialog, so a cashier reads it in their own. */
  header?: ReactNode;
  testId: string;
  onSubmit: (staff: Staff, pin: string, reason: string) => Promise<PinAnswer>;
  onCancel?: () => void;
}) {
  const { staff, preferredId, onSubmit, onCancel } = props;
  const [staffId, setStaffId] = useState(preferredId ?? staff[0]?.id ?? '');
  const [pin, setPin] = useState('');
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const pinRef = useRef<HTMLInputElement>(null);
  useLayoutEffect(() => pinRef.current?.focus(), []);
  // The list can change under the dialog (replication): a choice that left it falls back to the first.
  const chosen = staff.find((s) => s.id === staffId) ?? staff[0] ?? null;
  const submit = async () => {
    if (!chosen || busy) return;
    setBusy(true);
    const answer = await onSubmit(chosen, pin, reason.trim());
    setBusy(false);
    setPin('');
    if (!answer.ok) {
      setError(answer.message);
      pinRef.current?.focus();
    }
  };

  return (
    <Modal testId={props.testId} labelledBy={`${props.testId}-title`} onEscape={onCancel}>
      <FormCard onSubmit={() => void submit()}>
        {props.header}
        <h2 id={`${props.testId}-title`}>{props.title}</h2>
        {staff.length === 0 ? (
          <p data-testid={`${props.testId}-nobody`}>{t.noStaff}</p>
        ) : (
          <>
            <label htmlFor={`${props.testId}-who`}>{t.who}</label>
            <select
              id={`${props.testId}-who`}
              data-testid={`${props.testId}-who`}
              value={chosen?.id ?? ''}
              onChange={(e) => setStaffId(e.target.value)}
            >
              {staff.map((s) => (
                <option key={s.id} value={s.id}>
                  {s.name} ({s.role === 'supervisor' ? t.roleSupervisor : t.roleCashier})
                </option>
              ))}
            </select>
            <label htmlFor={`${props.testId}-pin`}>{t.pin}</label>
            <input
              id={`${props.testId}-pin`}
              ref={pinRef}
              data-testid={`${props.testId}-pin`}
              type="password"
              inputMode="numeric"
              autoComplete="off"
              maxLength={8}
              value={pin}
              onChange={(e) => setPin(e.target.value.replace(/\D/g, ''))}
            />
            {props.askReason && <ReasonField id={`${props.testId}-reason`} value={reason} onChange={setReason} />}
          </>
        )}
        <FormActions testId={props.testId} error={error} onCancel={onCancel} busy={busy || !chosen} />
      </FormCard>
    </Modal>
  );
}
