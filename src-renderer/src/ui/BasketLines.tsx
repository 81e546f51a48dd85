/** The basket's lines, priced by the engine's quote; the line the last scan changed is highlighted. */
import type { Quote } from '../../../shared/engine';
import type { SessionAction, SessionLine } from '../features/sale/session';
import { kilograms, money } from './format';
import { t } from './strings';

export function BasketLines(props: {
  lines: readonly SessionLine[];
  lastLineId: string | null;
  quote: Quote | null;
  currency: string;
  dispatch: (action: SessionAction) => void;
}) {
  const { quote, currency, dispatch } = props;
  return (
    <table>
      <tbody>
        {props.lines.map((l) => {
          const priced = quote?.lines.find((x) => x.lineId === l.lineId);
          const last = l.lineId === props.lastLineId;
          return (
            <tr
              key={l.lineId}
              data-testid="basket-line"
              className={last ? 'last' : undefined}
              aria-current={last ? 'true' : undefined}
              onClick={() => dispatch({ type: 'select-line', lineId: l.lineId })}
            >
              <td>
                {l.name}
                {l.priceChange && (
                  <div className="muted small" data-testid="line-price-change">
                    {t.priceWas(money(l.priceChange.fromMinor, currency), l.priceChange.reason)}
                  </div>
                )}
              </td>
              <td className="qty">
                {l.grams !== null ? (
                  kilograms(l.grams)
                ) : (
                  <>
                    <button
                      aria-label={t.decrease(l.name)}
                      disabled={l.quantity <= 1}
                      onClick={() => dispatch({ type: 'change-quantity', lineId: l.lineId, delta: -1 })}
                    >
                      −
                    </button>
                    <span data-testid="line-quantity">{l.quantity}</span>
                    <button
                      aria-label={t.increase(l.name)}
                      onClick={() => dispatch({ type: 'change-quantity', lineId: l.lineId, delta: 1 })}
                    >
                      +
                    </button>
                  </>
                )}
              </td>
              <td className="num">{priced ? money(priced.totalMinor, currency) : ''}</td>
              <td className="num muted">{priced && priced.points > 0 ? `+${priced.points}` : ''}</td>
              <td>
                <button
                  aria-label={`${t.remove} ${l.name}`}
                  onClick={() => dispatch({ type: 'remove-line', lineId: l.lineId })}
                >
                  ×
                </button>
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
