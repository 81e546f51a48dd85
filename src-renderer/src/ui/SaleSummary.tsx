/**
 * Totals, points, the engine's explanation, rewards and pay-with-points, the stored value the sale puts on (the
 * eWallet top-up, each gift card, every one with its × to take it off), Pay and Void.
 */
import { useState } from 'react';
import { codesOf, type Program, type Quote } from '../../../shared/engine';
import { saleTotalMinor, storedValueMinor, type GiftCardLoad } from '../../../shared/sale-journal';
import type { SaleSession, SessionAction } from '../features/sale/session';
import { money } from './format';
import { quoteError, say, t } from './strings';

export function SaleSummary(props: {
  quote: Quote;
  currency: string;
  program: Program | null;
  hasMember: boolean;
  redeem: SaleSession['redeem'];
  codes: SaleSession['codes'];
  /** Whether a code is one of the program's single-use coupons (shared/coupons.ts). */
  isCoupon: (code: string) => boolean;
  /** The eWallet top-up on the sale (0: none): paid with the goods, outside the engine's total. */
  topUpMinor: number;
  /** The gift cards the sale sells or reloads: paid with the goods, outside the engine's total. */
  giftCardLoads: readonly GiftCardLoad[];
  dispatch: (action: SessionAction) => void;
  onPay: () => void;
  onVoid: () => void;
}) {
  const { quote: q, currency, program, hasMember, dispatch } = props;
  const [explain, setExplain] = useState(false);
  const [pointsInput, setPointsInput] = useState('');
  const [codeInput, setCodeInput] = useState('');
  const [codeError, setCodeError] = useState<string | null>(null);
  const hasCodes = program?.promotions.some((p) => p.code !== undefined || p.couponBatch !== undefined) ?? false;
  const totalMinor = saleTotalMinor(
    q,
    storedValueMinor({ topUpMinor: props.topUpMinor, giftCardLoads: props.giftCardLoads }),
  );
  return (
    <>
      <div className="row">
        <span>{t.subtotal}</span>
        <span>{money(q.subtotalMinor, currency)}</span>
      </div>
      {q.discountMinor > 0 && (
        <div className="row">
          <span>{t.discount}</span>
          <span>-{money(q.discountMinor, currency)}</span>
        </div>
      )}
      {q.explanation.some((e) => e.ruleId.startsWith('promotion:')) && (
        <ul className="explain" data-testid="promotions">
          {q.explanation
            .filter((e) => e.ruleId.startsWith('promotion:'))
            .map((e) => (
              <li key={e.ruleId}>{say(e.code, e.params, currency)}</li>
            ))}
        </ul>
      )}
      {props.topUpMinor > 0 && (
        <div className="row" data-testid="top-up-line">
          <span>{t.topUpLine}</span>
          <span>
            {money(props.topUpMinor, currency)}{' '}
            <button
              className="link"
              data-testid="remove-top-up"
              aria-label={t.topUpRemove}
              onClick={() => dispatch({ type: 'set-top-up', amountMinor: 0 })}
            >
              ×
            </button>
          </span>
        </div>
      )}
      {props.giftCardLoads.map((g) => (
        <div key={g.giftCard} className="row" data-testid="gift-card-line" data-gift-card={g.giftCard}>
          <span>{t.giftCardLine(g.giftCard)}</span>
          <span>
            {money(g.amountMinor, currency)}{' '}
            <button
              className="link"
              data-testid="remove-gift-card"
              aria-label={t.giftCardRemoveLine(g.giftCard)}
              onClick={() => dispatch({ type: 'set-gift-card', giftCard: g.giftCard, amountMinor: 0 })}
            >
              ×
            </button>
          </span>
        </div>
      ))}
      <div className="row total">
        <span>{t.total}</span>
        <span data-testid="total">{money(totalMinor, currency)}</span>
      </div>
      {hasMember && (
        <div className="earn" data-testid="points-to-earn" data-points={q.pointsEarned}>
          {t.earns(q.pointsEarned)}
        </div>
      )}
      {q.errors.map((e) => (
        <div key={e.code} className="message error" role="alert">
          {quoteError(e, currency)}
        </div>
      ))}
      {hasMember && (
        <button className="link" onClick={() => setExplain(!explain)}>
          {explain ? t.hideExplain : t.explain}
        </button>
      )}
      {explain && (
        <ul className="explain" data-testid="explanation">
          {q.explanation.map((e, i) => (
            <li key={i}>{say(e.code, e.params, currency)}</li>
          ))}
        </ul>
      )}
      {hasMember && (q.affordableRewards.length > 0 || program?.payWithPoints) && (
        <div className="redeem">
          <h3>{t.rewards}</h3>
          {q.affordableRewards.map((r) => {
            // Pressed again, a reward the program allows several of per order is taken once more.
            const taken =
              props.redeem?.kind === 'reward' && props.redeem.rewardId === r.rewardId ? (props.redeem.count ?? 1) : 0;
            const max = program?.rewards.find((x) => x.id === r.rewardId)?.maxPerOrder ?? 1;
            const next = Math.min(max, taken + 1);
            return (
              <button
                key={r.rewardId}
                data-testid="reward"
                data-count={taken}
                aria-pressed={taken > 0}
                onClick={() =>
                  dispatch({
                    type: 'redeem',
                    choice: { kind: 'reward', rewardId: r.rewardId, ...(next > 1 ? { count: next } : {}) },
                  })
                }
              >
                {r.name} ({r.cost}){taken > 1 ? ` × ${taken}` : ''}
              </button>
            );
          })}
          {program?.payWithPoints && (
            <form
              onSubmit={(e) => {
                e.preventDefault();
                const n = Number(pointsInput);
                if (Number.isSafeInteger(n) && n > 0)
                  dispatch({ type: 'redeem', choice: { kind: 'points', points: n } });
              }}
            >
              <input
                inputMode="numeric"
                aria-label={t.payWithPoints}
                placeholder={t.payWithPoints}
                value={pointsInput}
                onChange={(e) => setPointsInput(e.target.value)}
              />
              <button type="submit">{t.apply}</button>
            </form>
          )}
          {props.redeem && (
            <button
              onClick={() => {
                setPointsInput('');
                dispatch({ type: 'redeem', choice: null });
              }}
            >
              {t.clearRedeem}
            </button>
          )}
        </div>
      )}
      {hasCodes && (
        <div className="codes">
          <form
            onSubmit={(e) => {
              e.preventDefault();
              // A code the program does not have is refused here, before it reaches the basket.
              const code = codesOf([codeInput])[0];
              if (!code) return;
              if (!program?.promotions.some((p) => p.code === code) && !props.isCoupon(code)) {
                setCodeError(say('code-unknown', { code }, currency));
                return;
              }
              setCodeError(null);
              setCodeInput('');
              dispatch({ type: 'add-code', code });
            }}
          >
            <input
              data-testid="code-input"
              aria-label={t.promoCode}
              placeholder={t.promoCode}
              value={codeInput}
              onChange={(e) => setCodeInput(e.target.value)}
            />
            <button type="submit">{t.apply}</button>
          </form>
          {codeError && (
            <div className="message error" role="alert" data-testid="code-error">
              {codeError}
            </div>
          )}
          {props.codes.map((code) => (
            <button
              key={code}
              data-testid="code"
              aria-label={t.removeCode(code)}
              onClick={() => dispatch({ type: 'remove-code', code })}
            >
              {code} ×
            </button>
          ))}
        </div>
      )}
      <button className="primary" data-testid="pay" onClick={props.onPay}>
        {t.pay} {money(totalMinor, currency)} <kbd>F12</kbd>
      </button>
      <button data-testid="void-sale" onClick={props.onVoid}>
        {t.voidSale}
      </button>
    </>
  );
}
