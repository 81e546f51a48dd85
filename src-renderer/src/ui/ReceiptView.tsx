/**
 * A sale's receipt on screen, as printed on 80 mm paper by the print stylesheet.
 *
 * Gift cards: the line of a card sold or reloaded prints the card's whole number (the buyer needs it to give the
 * card, reload it, or ask about it: the receipt is their proof of what was put on which card); a card that paid,
 * and the balance each card is left with, print only its last four characters, because the number is what spends
 * the card and a receipt of a purchase is left on counters and in bags.
 */
import type { PriceChange, Tender } from '../features/sale/session';
import type { SayCode, SayParams } from '../../../shared/engine';
import { vatByRate } from '../../../shared/vat';
import { kilograms, money, receiptLabel, storeDay, storeTime } from './format';
import { ReceiptBarcode } from './ReceiptBarcode';
import { say, t } from './strings';

/** A gift card the sale moved, once the sale is booked: its balance and the last day it may be spent. */
export type ReceiptGiftCard = { number: string; balanceMinor: number; validUntil: string | null };

export type Receipt = {
  saleId: string;
  receiptNo: number;
  at: string;
  cashier: string;
  tenders: Tender[];
  changeMinor: number;
  lines: Array<{
    lineId: string;
    name: string;
    quantity: number;
    grams: number | null;
    totalMinor: number;
    /** VAT included, in basis points; absent for goods sold without VAT. */
    taxRateBp?: number | undefined;
    /** A discount or price override at the till: the price it replaced and why. */
    priceChange?: PriceChange | undefined;
  }>;
  /** What the customer paid: the goods and any eWallet top-up. */
  totalMinor: number;
  /** Money put on the member's eWallet by this sale (0: none). */
  topUpMinor: number;
  /** Gift cards sold or reloaded by this sale, in its order. */
  giftCardLoads: Array<{ giftCard: string; amountMinor: number }>;
  /** Every gift card the sale moved (loaded or paid with), after the sale. */
  giftCardsAfter: ReceiptGiftCard[];
  /** The member's eWallet balance once the sale is booked; null where the program has no eWallet. */
  walletAfter: number | null;
  /** What the program took off (promotions, member prices, stamps, rewards…), as the engine said it. */
  discounts: Array<{ code: SayCode; params: SayParams; amountMinor: number }>;
  /** Coupons the sale gave the member for a later visit, as the engine said them. */
  coupons: Array<{ code: SayCode; params: SayParams }>;
  currency: string;
  pointsEarned: number;
  pointsRedeemed: number;
  /** Points given to a cause from the reward catalog: what the store gives, and to whom (the program's words). */
  donation: { cause: string; amountMinor: number } | null;
  balanceAfter: number | null;
  /** Points that will expire soon once this sale is booked, soonest first (store-local days). */
  expiring: Array<{ points: number; expiresAt: string }>;
};

function tenderText(x: Tender, currency: string): string {
  const kind = t.tenderKind(x.kind, x.giftCard);
  return x.tenderedMinor !== undefined
    ? t.tenderedLine(kind, money(x.amountMinor, currency), money(x.tenderedMinor, currency))
    : t.tenderLine(kind, money(x.amountMinor, currency));
}

/** A VAT rate as printed: `9 %`, `5.5 %`. */
function percent(rateBp: number): string {
  return `${rateBp / 100} %`;
}

export function ReceiptView(props: {
  receipt: Receipt;
  tillId: string;
  storeName: string | null;
  timeZone: string | undefined;
  /** What the receipt's barcode holds: the till's receipt prefix and the sale id. */
  barcode: string;
  onPrint: () => void;
  onClose: () => void;
}) {
  const { receipt, tillId } = props;
  const currency = receipt.currency;
  const vat = vatByRate(receipt.lines);
  return (
    <div className="receipt" data-testid="receipt">
      <h3 data-testid="receipt-number" data-receipt-no={receipt.receiptNo}>
        {t.receiptNumber(receiptLabel(tillId, receipt.receiptNo))}
      </h3>
      <div className="muted" data-testid="receipt-header">
        {props.storeName} · {t.tillName(tillId)} · {t.cashierName(receipt.cashier)} ·{' '}
        {storeTime(receipt.at, props.timeZone)}
      </div>
      <table>
        <tbody>
          {receipt.lines.map((l) => (
            <tr key={l.lineId}>
              <td>
                {l.name}
                {l.priceChange && (
                  <div className="muted" data-testid="receipt-price-change">
                    {t.priceWas(money(l.priceChange.fromMinor, currency), l.priceChange.reason)}
                  </div>
                )}
              </td>
              <td>{l.grams !== null ? kilograms(l.grams) : `× ${l.quantity}`}</td>
              <td className="num">{money(l.totalMinor, currency)}</td>
            </tr>
          ))}
          {receipt.topUpMinor > 0 && (
            <tr data-testid="receipt-top-up">
              <td>{t.topUpLine}</td>
              <td />
              <td className="num">{money(receipt.topUpMinor, currency)}</td>
            </tr>
          )}
          {receipt.giftCardLoads.map((g) => (
            <tr key={g.giftCard} data-testid="receipt-gift-card">
              <td>{t.giftCardLine(g.giftCard)}</td>
              <td />
              <td className="num">{money(g.amountMinor, currency)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {receipt.discounts.length > 0 && (
        <ul className="receipt-discounts" data-testid="receipt-discounts">
          {receipt.discounts.map((d, i) => (
            <li key={i}>{say(d.code, d.params, currency)}</li>
          ))}
          <li data-testid="receipt-saved">
            {t.youSaved(
              money(
                receipt.discounts.reduce((s, d) => s + d.amountMinor, 0),
                currency,
              ),
            )}
          </li>
        </ul>
      )}
      <div className="row total">
        <span>{t.total}</span>
        <span data-testid="receipt-total">{money(receipt.totalMinor, currency)}</span>
      </div>
      {vat.length > 0 && (
        <table className="vat" data-testid="receipt-vat">
          <thead>
            <tr>
              <th scope="col">{t.vatRate}</th>
              <th scope="col" className="num">
                {t.vatNet}
              </th>
              <th scope="col" className="num">
                {t.vat}
              </th>
              <th scope="col" className="num">
                {t.vatGross}
              </th>
            </tr>
          </thead>
          <tbody>
            {vat.map((r) => (
              <tr key={r.rateBp} data-testid="receipt-vat-row" data-rate-bp={r.rateBp} data-vat-minor={r.vatMinor}>
                <td>{percent(r.rateBp)}</td>
                <td className="num">{money(r.netMinor, currency)}</td>
                <td className="num">{money(r.vatMinor, currency)}</td>
                <td className="num">{money(r.grossMinor, currency)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <div data-testid="receipt-tenders">
        {t.paidWith} {receipt.tenders.map((x) => tenderText(x, currency)).join(', ')}
      </div>
      {receipt.changeMinor > 0 && (
        <div className="row total" data-testid="receipt-change">
          {t.changeGiven(money(receipt.changeMinor, currency))}
        </div>
      )}
      {receipt.pointsEarned > 0 && <div>{t.earned(receipt.pointsEarned)}</div>}
      {receipt.pointsRedeemed > 0 && <div>{t.redeemed(receipt.pointsRedeemed)}</div>}
      {receipt.donation && (
        <div data-testid="receipt-donation">
          {t.donated(money(receipt.donation.amountMinor, receipt.currency), receipt.donation.cause)}
        </div>
      )}
      {receipt.coupons.map((c, i) => (
        <div key={i} data-testid="receipt-coupon">
          {say(c.code, c.params, currency)}
        </div>
      ))}
      {receipt.balanceAfter !== null && <div data-testid="receipt-balance">{t.newBalance(receipt.balanceAfter)}</div>}
      {receipt.walletAfter !== null && (
        <div data-testid="receipt-wallet">{t.walletAfter(money(receipt.walletAfter, currency))}</div>
      )}
      {receipt.giftCardsAfter.map((g) => (
        <div key={g.number} data-testid="receipt-gift-card-balance" data-minor={g.balanceMinor}>
          {t.giftCardAfter(g.number, money(g.balanceMinor, currency), g.validUntil ? storeDay(g.validUntil) : null)}
        </div>
      ))}
      {receipt.expiring.map((x) => (
        <div key={x.expiresAt} data-testid="receipt-expiring" data-points={x.points} data-day={x.expiresAt}>
          {t.expiringOn(x.points, storeDay(x.expiresAt))}
        </div>
      ))}
      <ReceiptBarcode code={props.barcode} />
      <div className="actions no-print">
        <button data-testid="print-receipt" onClick={props.onPrint}>
          {t.print}
        </button>
        <button onClick={props.onClose}>{t.newSale}</button>
      </div>
    </div>
  );
}
