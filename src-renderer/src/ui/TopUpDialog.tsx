/**
 * Putting money on the member's eWallet (Shift+F12 on the sale screen): an
 * amount typed or picked, checked against the program's minimum top-up and
 * the room the wallet has left (shared/engine/wallet.ts), then added to the
 * sale as its top-up line: the customer pays it with the goods, and the
 * wallet moves only once the sale is written. Zero or "Remove" takes the
 * top-up off the sale. Esc cancels.
 */
import { useLayoutEffect, useRef, useState } from 'react';
import { checkWalletMoves, walletTopUpRoom, type MemberState, type Program } from '../../../shared/engine';
import { isKassaError } from '../../../shared/errors';
import { formatMoney, parseMoneyInput } from '../../../shared/money';
import { FormActions, FormCard, Modal } from './Modal';
import { money } from './format';
import { t, type TopUpProblem } from './strings';

/** Amounts offered as one-press buttons, where the wallet has room for them. */
const PRESETS_MINOR = [1_000, 2_000, 5_000] as const;

export function TopUpDialog(props: {
  program: Program;
  state: MemberState;
  memberName: string;
  /** The top-up already on the sale (0: none). */
  topUpMinor: number;
  timeZone: string;
  onSet: (amountMinor: number) => void;
  onCancel: () => void;
}) {
  const { program, state } = props;
  const currency = program.currency;
  // The amount as typed: the top-up already on the sale, without its currency code.
  const [amount, setAmount] = useState(
    props.topUpMinor > 0 ? formatMoney({ minor: props.topUpMinor, currency }).split(' ')[0]! : '',
  );
  const [error, setError] = useState<string | null>(null);
  const amountRef = useRef<HTMLInputElement>(null);
  useLayoutEffect(() => amountRef.current?.select(), []);
  const room = walletTopUpRoom(program, state);
  const min = program.wallet?.minTopUpMinor ?? 0;

  const problem = (code: TopUpProblem) => {
    setError(t.topUpProblem(code, { min: money(min, currency), room: money(room, currency) }));
    amountRef.current?.focus();
  };

  const typed = () => {
    try {
      take(amount.trim() === '' ? 0 : parseMoneyInput(amount, currency).minor);
    } catch (e) {
      if (isKassaError(e) && e.code === 'MONEY_BAD_INPUT') return problem('MONEY_BAD_INPUT');
      throw e;
    }
  };

  const take = (minor: number) => {
    if (minor > 0) {
      try {
        checkWalletMoves(
          program,
          state,
          { topUpMinor: minor, paidMinor: 0, goodsMinor: 0 },
          { offline: false, at: new Date().toISOString(), timeZone: props.timeZone },
        );
      } catch (e) {
        if (isKassaError(e) && (e.code === 'WALLET_BAD_AMOUNT' || e.code === 'WALLET_OVER_LIMIT'))
          return problem(e.code);
        throw e;
      }
    }
    props.onSet(minor);
  };

  return (
    <Modal testId="top-up-dialog" labelledBy="top-up-title" onEscape={props.onCancel}>
      <FormCard onSubmit={typed}>
        <h2 id="top-up-title">{t.topUpTitle(props.memberName)}</h2>
        <p className="muted" data-testid="top-up-limits">
          {t.topUpLimits(money(state.wallet.balanceMinor, currency), money(min, currency), money(room, currency))}
        </p>
        <label htmlFor="top-up-amount">{t.topUpAmount}</label>
        <input
          id="top-up-amount"
          ref={amountRef}
          data-testid="top-up-amount"
          inputMode="decimal"
          autoComplete="off"
          maxLength={12}
          value={amount}
          onChange={(e) => setAmount(e.target.value)}
        />
        <div className="row">
          {PRESETS_MINOR.filter((p) => p >= min && p <= room).map((p) => (
            <button key={p} type="button" data-testid="top-up-preset" onClick={() => take(p)}>
              {money(p, currency)}
            </button>
          ))}
          {props.topUpMinor > 0 && (
            <button type="button" data-testid="top-up-remove" onClick={() => props.onSet(0)}>
              {t.topUpRemove}
            </button>
          )}
        </div>
        <FormActions testId="top-up" error={error} onCancel={props.onCancel} />
      </FormCard>
    </Modal>
  );
}
