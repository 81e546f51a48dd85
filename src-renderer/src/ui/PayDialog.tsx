/**
 * Taking payment: cash with the amount handed over and the change, card, or
 * several tenders until the total is covered. Keyboard-first: the amount
 * field has the focus, Enter takes cash, F2 card, F3 the member's eWallet
 * (when the program has one), Esc goes back to the
 * basket; Tab stays inside the dialog. What a tender may be is decided by
 * `takeTender` (features/sale/session.ts); the caller commits the sale once
 * the tenders cover it.
 */
import { useRef, useState, useLayoutEffect } from 'react';
import { isKassaError } from '../../../shared/errors';
import { parseMoneyInput } from '../../../shared/money';
import { money as formatMoney } from './format';
import { tenderSummary, takeTender, type Tender, type TenderKind } from '../features/sale/session';
import { Modal } from './Modal';
import { t } from './strings';

export function PayDialog(props: {
  totalMinor: number;
  currency: string;
  tenders: readonly Tender[];
  /** A message for the cashier while the dialog is open (a refused scan, a failed commit). */
  notice: string | null;
  busy: boolean;
  onTender: (tender: Tender) => void;
  onRemoveTender: (index: number) => void;
  onCancel: () => void;
  /** What the member's eWallet may pay of this sale (its goods, its spendable balance); null: no eWallet here. */
  walletMinor: number | null;
}) {
  const { totalMinor, currency, tenders, onTender, onCancel } = props;
  const [amount, setAmount] = useState('');
  const [error, setError] = useState<string | null>(null);
  const amountRef = useRef<HTMLInputElement>(null);
  useLayoutEffect(() => amountRef.current?.focus(), []);
  const money = (minor: number) => formatMoney(minor, currency);
  const summary = tenderSummary(totalMinor, tenders);

  const take = (kind: TenderKind) => {
    if (props.busy) return;
    let given: number | null = null;
    if (amount.trim() !== '') {
      try {
        given = parseMoneyInput(amount, currency).minor;
      } catch (e) {
        if (isKassaError(e) && e.code === 'MONEY_BAD_INPUT') return setError(t.tenderProblem('MONEY_BAD_INPUT'));
        throw e;
      }
    }
    const r = takeTender(totalMinor, tenders, kind, given, props.walletMinor ?? 0);
    if (!r.ok) return setError(t.tenderProblem(r.code));
    setError(null);
    setAmount('');
    onTender(r.tender);
    amountRef.current?.focus();
  };

  return (
    <Modal
      testId="pay-dialog"
      labelledBy="pay-title"
      onEscape={onCancel}
      onKey={(e) => {
        if (e.key === 'F2') take('card');
        else if (e.key === 'F3' && props.walletMinor !== null) take('wallet');
        else return false;
        return true;
      }}
    >
      <form
        className="card"
        onSubmit={(e) => {
          e.preventDefault();
          take('cash');
        }}
      >
        <h2 id="pay-title">
          {t.pay} <span data-testid="pay-total">{money(totalMinor)}</span>
        </h2>
        {tenders.length > 0 && (
          <ul className="tenders" data-testid="tenders">
            {tenders.map((tender, i) => {
              const text =
                tender.tenderedMinor !== undefined
                  ? t.tenderedLine(t.tenderKind(tender.kind), money(tender.amountMinor), money(tender.tenderedMinor))
                  : t.tenderLine(t.tenderKind(tender.kind), money(tender.amountMinor));
              return (
                <li key={i} data-testid="tender">
                  <span>{text}</span>
                  <button
                    type="button"
                    aria-label={t.removeTender(text)}
                    disabled={props.busy}
                    onClick={() => props.onRemoveTender(i)}
                  >
                    ×
                  </button>
                </li>
              );
            })}
          </ul>
        )}
        <div className="row">
          <span>{t.paid}</span>
          <span data-testid="pay-paid">{money(summary.paidMinor)}</span>
        </div>
        <div className="row total">
          <span>{t.due}</span>
          <span data-testid="pay-due">{money(summary.dueMinor)}</span>
        </div>
        {summary.changeMinor > 0 && (
          <div className="row total" data-testid="pay-change">
            <span>{t.change}</span>
            <span>{money(summary.changeMinor)}</span>
          </div>
        )}
        <label htmlFor="pay-amount">{t.amountGiven}</label>
        <input
          id="pay-amount"
          ref={amountRef}
          data-testid="pay-amount"
          inputMode="decimal"
          autoComplete="off"
          placeholder={money(summary.dueMinor)}
          aria-describedby="pay-hint"
          value={amount}
          onChange={(e) => setAmount(e.target.value)}
        />
        <p id="pay-hint" className="muted">
          {t.amountHint}
        </p>
        {(error ?? props.notice) && (
          <div className="message error" role="alert" data-testid="pay-error">
            {error ?? props.notice}
          </div>
        )}
        <button className="primary" type="submit" data-testid="pay-cash" disabled={props.busy}>
          {t.cash} (Enter)
        </button>
        <button
          className="primary"
          type="button"
          data-testid="pay-card"
          disabled={props.busy}
          onClick={() => take('card')}
        >
          {t.card} (F2)
        </button>
        {props.walletMinor !== null && (
          <button
            className="primary"
            type="button"
            data-testid="pay-wallet"
            disabled={props.busy}
            onClick={() => take('wallet')}
          >
            {t.wallet} {money(props.walletMinor)} (F3)
          </button>
        )}
        <button type="button" data-testid="pay-cancel" disabled={props.busy} onClick={onCancel}>
          {t.cancel} (Esc)
        </button>
      </form>
    </Modal>
  );
}
