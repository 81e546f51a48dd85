/**
 * A discount or price override asked for at the keypad, as the line's new
 * price and the record kept with it. Pure: tested without a DOM.
 *
 * Invariants: a discount is a whole percentage of the line's price before any
 * change, rounded half up to a minor unit; a second change starts from the
 * line's first price (so two 10 % discounts are not 19 %); an override
 * always names its supervisor.
 */
import type { StaffRole } from '../../../../shared/documents';
import { needsSupervisor, type OverrideAction } from '../../../../shared/staff/till-events';
import type { KeypadCommand } from './keypad';
import { discountedPrice, type PriceChange, type SessionLine } from './session';

export type PriceCommand = Extract<KeypadCommand, { kind: 'price' | 'discount' }>;

/** The audit action a price command is, and what its supervisor threshold is measured in. */
export function priceAction(command: PriceCommand): { action: OverrideAction; amount: number } {
  return command.kind === 'price'
    ? { action: 'price-override', amount: command.unitPriceMinor }
    : { action: 'line-discount', amount: command.percent };
}

/** Whether someone of `role` needs a supervisor's PIN for this command. */
export function priceNeedsSupervisor(role: StaffRole, command: PriceCommand): boolean {
  const { action, amount } = priceAction(command);
  return needsSupervisor(role, action, amount);
}

/** The line's new unit price and the change recorded with it. */
export function priceChange(
  line: SessionLine,
  command: PriceCommand,
  reason: string,
  supervisorId: string | null,
): { unitPriceMinor: number; change: PriceChange } {
  const fromMinor = line.priceChange?.fromMinor ?? line.unitPriceMinor;
  if (command.kind === 'price')
    return {
      unitPriceMinor: command.unitPriceMinor,
      change: { kind: 'override', fromMinor, reason, supervisorId },
    };
  return {
    unitPriceMinor: discountedPrice(fromMinor, command.percent),
    change: { kind: 'discount', fromMinor, percent: command.percent, reason, supervisorId },
  };
}
