/**
 * The parts every till dialog shares: the modal frame (Esc leaves it, Tab
 * stays inside it), a reason field with the store's usual reasons offered,
 * and the footer of a form dialog (its error, Confirm and Cancel). A dialog
 * keeps its own content and logic; these keep the frame the same everywhere,
 * so a screen reader and a keyboard meet every dialog alike.
 */
import type { KeyboardEvent, ReactNode, Ref } from 'react';
import { dialogKeys } from './focus-trap';
import { t } from './strings';

export function Modal({
  rootRef,
  ...props
}: {
  testId: string;
  /** The id of the dialog's heading; else `label` names it. */
  labelledBy?: string;
  label?: string;
  /** Esc: leave the dialog; undefined while it may not be left. */
  onEscape: (() => void) | undefined;
  /** A key of the dialog's own (e.g. F2 for card): true when it was taken. */
  onKey?: (e: KeyboardEvent<HTMLDivElement>) => boolean;
  /** Keys are not the dialog's while a dialog above it (a supervisor's PIN) has them. */
  keysElsewhere?: boolean;
  rootRef?: Ref<HTMLDivElement>;
  focusable?: boolean;
  children: ReactNode;
}) {
  const keys = dialogKeys(props.onEscape);
  return (
    <div
      className="dialog"
      role="dialog"
      aria-modal="true"
      aria-labelledby={props.labelledBy}
      aria-label={props.labelledBy ? undefined : props.label}
      data-testid={props.testId}
      ref={rootRef}
      tabIndex={props.focusable ? -1 : undefined}
      onKeyDown={(e) => {
        if (props.keysElsewhere) return;
        if (props.onKey?.(e)) {
          e.preventDefault();
          return;
        }
        keys(e);
      }}
    >
      {props.children}
    </div>
  );
}

/** A card-shaped form whose submit (Enter) runs `onSubmit`, never a page navigation. */
export function FormCard(props: { onSubmit: () => void; wide?: boolean; children: ReactNode }) {
  return (
    <form
      className={props.wide ? 'card wide' : 'card'}
      onSubmit={(e) => {
        e.preventDefault();
        props.onSubmit();
      }}
    >
      {props.children}
    </form>
  );
}

/** A free-text reason, with the usual ones offered as suggestions. */
export function ReasonField({
  inputRef,
  ...props
}: {
  id: string;
  value: string;
  onChange: (value: string) => void;
  suggestions?: readonly string[];
  inputRef?: Ref<HTMLInputElement>;
}) {
  return (
    <>
      <label htmlFor={props.id}>{t.reason}</label>
      <input
        id={props.id}
        ref={inputRef}
        data-testid={props.id}
        list={props.suggestions ? `${props.id}s` : undefined}
        maxLength={200}
        value={props.value}
        onChange={(e) => props.onChange(e.target.value)}
      />
      {props.suggestions && (
        <datalist id={`${props.id}s`}>
          {props.suggestions.map((r) => (
            <option key={r} value={r} />
          ))}
        </datalist>
      )}
    </>
  );
}

/** A form dialog's footer: its error (announced), Confirm (Enter) and Cancel (Esc). */
export function FormActions(props: {
  testId: string;
  error: string | null;
  /** Undefined where the dialog may not be left (a sign-in): no Cancel then. */
  onCancel: (() => void) | undefined;
  busy?: boolean;
  confirmText?: string;
}) {
  return (
    <>
      {props.error && (
        <div className="message error" role="alert" data-testid={`${props.testId}-error`}>
          {props.error}
        </div>
      )}
      <button className="primary" type="submit" data-testid={`${props.testId}-submit`} disabled={props.busy}>
        {props.confirmText ?? t.confirm}
      </button>
      {props.onCancel && (
        <button type="button" onClick={props.onCancel}>
          {t.cancel} (Esc)
        </button>
      )}
    </>
  );
}
