/**
 * A discount or a new price for one basket line, with its reason. Within a
 * cashier's limit (or when a supervisor is signed in) the reason is enough;
 * beyond it a supervisor's PIN allows it (the PIN dialog, with the reason),
 * and the approval is an audited `override` event naming them. Esc cancels;
 * nothing changes until it is confirmed.
 */
import { useRef, useState, useLayoutEffect } from 'react';
import type { Staff } from '../../../shared/documents';
import { checkPin, recordEvent } from '../db/staff';
import type { TillDatabase } from '../db/database';
import type { TillContext } from '../db/staff';
import { priceAction, priceChange, priceNeedsSupervisor, type PriceCommand } from '../features/sale/price-change';
import type { PriceChange, SessionLine } from '../features/sale/session';
import { FormActions, FormCard, Modal, ReasonField } from './Modal';
import { money } from './format';
import { PinDialog, type PinAnswer } from './PinDialog';
import { t } from './strings';

export function PriceChangeDialog(props: {
  db: TillDatabase;
  till: TillContext;
  cashier: Staff;
  staff: readonly Staff[];
  line: SessionLine;
  command: PriceCommand;
  currency: string;
  /** A PIN check's refusal as the PIN dialog shows it. */
  pinAnswer: (e: unknown) => PinAnswer;
  onDone: (unitPriceMinor: number, change: PriceChange) => void;
  onCancel: () => void;
}) {
  const { db, till, cashier, line, command, currency } = props;
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string | null>(null);
  const reasonRef = useRef<HTMLInputElement>(null);
  useLayoutEffect(() => reasonRef.current?.focus(), []);
  const asksSupervisor = priceNeedsSupervisor(cashier.role, command);
  const fromMinor = line.priceChange?.fromMinor ?? line.unitPriceMinor;
  const what =
    command.kind === 'price'
      ? t.priceOverrideWhat(line.name, money(command.unitPriceMinor, currency), money(fromMinor, currency))
      : t.discountWhat(line.name, command.percent);

  /** Applies the change; a supervisor's approval (theirs, or the signed-in supervisor's own) is audited. */
  const apply = async (supervisor: Staff | null, why: string) => {
    const { unitPriceMinor, change } = priceChange(line, command, why, supervisor?.id ?? null);
    if (supervisor)
      await recordEvent(db, till, {
        type: 'override',
        cashierId: cashier.id,
        supervisorId: supervisor.id,
        action: priceAction(command).action,
        reason: why,
        details: {
          lineId: line.lineId,
          productId: line.productId,
          fromMinor,
          toMinor: unitPriceMinor,
          ...(change.percent === undefined ? {} : { percent: change.percent }),
        },
      });
    props.onDone(unitPriceMinor, change);
  };

  if (asksSupervisor)
    return (
      <PinDialog
        title={t.supervisorNeeded(what)}
        staff={props.staff.filter((s) => s.role === 'supervisor')}
        askReason
        testId="supervisor"
        onSubmit={async (supervisor, pin, why): Promise<PinAnswer> => {
          if (!why) return { ok: false, message: t.reasonNeeded };
          try {
            await checkPin(db, till, supervisor, pin, priceAction(command).action);
          } catch (e) {
            return props.pinAnswer(e);
          }
          await apply(supervisor, why);
          return { ok: true };
        }}
        onCancel={props.onCancel}
      />
    );

  const submit = () => {
    const why = reason.trim();
    if (!why) {
      setError(t.reasonNeeded);
      reasonRef.current?.focus();
      return;
    }
    void apply(cashier.role === 'supervisor' ? cashier : null, why);
  };
  return (
    <Modal testId="price-change" labelledBy="price-change-title" onEscape={props.onCancel}>
      <FormCard onSubmit={submit}>
        <h2 id="price-change-title">{what}</h2>
        <ReasonField
          id="price-change-reason"
          inputRef={reasonRef}
          value={reason}
          onChange={setReason}
          suggestions={t.discountReasons}
        />
        <FormActions testId="price-change" error={error} onCancel={props.onCancel} />
      </FormCard>
    </Modal>
  );
}
