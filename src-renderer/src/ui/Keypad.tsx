/**
 * The keypad row above the basket: a number typed (F2 puts the cursor
 * there), then the numeric-pad key for what it is — `*` quantity, `/` weight,
 * `+` price, `-` discount % — for the highlighted line; and the quick keys
 * for goods without a barcode, where a number typed first is the quantity
 * (or, for goods sold by weight, the weight in kg). Every key is a button as
 * well, with its key shown. Arrow up and down pick the line.
 */
import { useState } from 'react';
import type { ProductRow } from '../db/schemas';
import { isKeypadKey, keypadCommand, type KeypadCommand, type KeypadKey } from '../features/sale/keypad';
import { parseKilograms } from '../features/sale/scanned-line';
import { validQuantity, type SessionLine } from '../features/sale/session';
import { t } from './strings';

export type QuickPick = { product: ProductRow; quantity: number; grams: number | null };

export function Keypad(props: {
  line: SessionLine | null;
  currency: string;
  quickKeys: readonly ProductRow[];
  onCommand: (line: SessionLine, command: KeypadCommand) => void;
  onQuickKey: (pick: QuickPick) => void;
  /** Arrow up or down: the keypad's line becomes the one before or after. */
  onMove: (delta: -1 | 1) => void;
  onError: (text: string) => void;
}) {
  const { line, currency, onCommand, onError } = props;
  const [text, setText] = useState('');

  const press = (key: KeypadKey, typed: string = text) => {
    const r = keypadCommand(key, typed, line, currency);
    if (!r.ok) {
      setText(typed);
      return onError(t.keypadProblem(r.code));
    }
    setText('');
    onCommand(line!, r.command);
  };

  const quick = (product: ProductRow) => {
    const typed = text.trim();
    if (product.unit === 'kg') {
      const grams = parseKilograms(typed);
      if (grams === null) return onError(t.quickKeyNeedsWeight(product.name));
      setText('');
      return props.onQuickKey({ product, quantity: 1, grams });
    }
    const quantity = typed === '' ? 1 : /^\d{1,5}$/.test(typed) ? Number(typed) : NaN;
    if (!validQuantity(quantity)) return onError(t.keypadProblem('KEYPAD_BAD_QUANTITY'));
    setText('');
    props.onQuickKey({ product, quantity, grams: null });
  };

  const keys: Array<[KeypadKey, string, string]> = [
    ['*', 'quantity', t.keyQuantity],
    ['/', 'weight', t.keyWeight],
    ['+', 'price', t.keyPrice],
    ['-', 'discount', t.keyDiscount],
  ];
  return (
    <div className="keypad" data-testid="keypad">
      <label htmlFor="keypad-input">
        {t.keypad} <kbd>F2</kbd>
      </label>
      <input
        id="keypad-input"
        data-testid="keypad-input"
        inputMode="decimal"
        autoComplete="off"
        maxLength={12}
        value={text}
        onChange={(e) => {
          // The keyboard wedge holds keys back and gives them to the field as text: an operator can arrive here.
          const value = e.target.value;
          const key = [...value].find(isKeypadKey);
          const digits = value.replace(/[^\d.,]/g, '');
          if (key) press(key, digits);
          else setText(digits);
        }}
        onKeyDown={(e) => {
          if (isKeypadKey(e.key)) {
            e.preventDefault();
            press(e.key);
          } else if (e.key === 'ArrowUp' || e.key === 'ArrowDown') {
            e.preventDefault();
            props.onMove(e.key === 'ArrowUp' ? -1 : 1);
          } else if (e.key === 'Escape') setText('');
        }}
      />
      {keys.map(([key, id, name]) => (
        <button key={key} type="button" data-testid={`keypad-${id}`} onClick={() => press(key)}>
          {name} <kbd>{key}</kbd>
        </button>
      ))}
      {props.quickKeys.length > 0 && (
        <div className="quick-keys" role="group" aria-label={t.quickKeys} data-testid="quick-keys">
          {props.quickKeys.map((p) => (
            <button key={p.id} type="button" data-testid="quick-key" data-ean={p.ean} onClick={() => quick(p)}>
              {p.name}
            </button>
          ))}
        </div>
      )}
    </div>
  );
}
