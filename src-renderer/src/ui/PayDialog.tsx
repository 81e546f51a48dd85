/**
 * Taking payment: cash with the amount handed over and the change, card, or
 * several tenders until the total is covered. Keyboard-first: the amount
 * field has the focus, Enter takes cash, F2 card, F3 the member's eWallet
 * (when the program has one), F5 a gift card (when the program sells them:
 * the card scanned or its number typed, then what it may pay now, offered up
 * to what is due; several cards may pay one sale), Esc goes back to the
 * basket (from the gift card, back to the payment); Tab stays inside the
 * dialog. What a tender may be is decided by `takeTender`
 * (features/sale/session.ts) and `takeGiftCardTender`
 * (features/sale/gift-card-tender.ts); the caller commits the sale once the
 * tenders cover it. (Function keys, not letters: the keyboard wedge holds
 * back printable keys to tell a scanner from a person, so a letter never
 * reaches a dialog as a key press.)
 */
import { useEffect, useRef, useState, useLayoutEffect } from 'react';
import { isKassaError } from '../../../shared/errors';
import { giftCardNumberOf, type GiftCardState } from '../../../shared/gift-cards';
import { formatMoney as formatAmount, parseMoneyInput } from '../../../shared/money';
import type { Program } from '../../../shared/engine';
import type { GiftCardLoad } from '../../../shared/sale-journal';
import { money as formatMoney } from './format';
import { tenderSummary, takeTender, type Tender, type TenderKind } from '../features/sale/session';
import {
  giftCardTenderRoom,
  takeGiftCardTender,
  type GiftCardProblem,
  type GiftCardSale,
} from '../features/sale/gift-card-tender';
import type { ScanChannel } from '../features/sale/scan-channel';
import { Modal } from './Modal';
import { t } from './strings';

/** What the pay dialog needs for gift card tenders. */
export type PayGiftCards = {
  program: Program;
  /** The goods as quoted: what gift cards (with the eWallet) may pay at most. */
  goodsMinor: number;
  /** The gift cards the sale sells: none of them pays on it. */
  loads: readonly GiftCardLoad[];
  offline: boolean;
  timeZone: string;
  /** The till's view of a card (db/gift-cards.ts). */
  read: (number: string) => Promise<GiftCardState>;
  /** Gift cards scanned while the dialog is open. */
  scans: ScanChannel;
};

/** The gift card being taken: the number as typed, and the card once looked up. */
type GiftStep = { text: string; card: GiftCardState | null; amount: string };

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
  /** Gift card tenders; null where the program sells no gift cards. */
  giftCards: PayGiftCards | null;
}) {
  const { totalMinor, currency, tenders, onTender, onCancel } = props;
  const [amount, setAmount] = useState('');
  const [error, setError] = useState<string | null>(null);
  const amountRef = useRef<HTMLInputElement>(null);
  useLayoutEffect(() => amountRef.current?.focus(), []);
  const money = (minor: number) => formatMoney(minor, currency);
  const summary = tenderSummary(totalMinor, tenders);
  const [gift, setGift] = useState<GiftStep | null>(null);
  const giftNumberRef = useRef<HTMLInputElement>(null);
  const giftAmountRef = useRef<HTMLInputElement>(null);
  // Gift card reads finish out of order: only the newest may show its card.
  const giftRead = useRef(0);
  const gc = props.giftCards;
  // The field to give the focus (its text selected) once the render that shows it is on screen.
  // (A new object each time: the same field asked for again is focused again.)
  const [focus, setFocus] = useState<{ field: 'amount' | 'gift-number' | 'gift-amount' } | null>(null);
  const focusOn = (field: 'amount' | 'gift-number' | 'gift-amount') => setFocus({ field });
  useLayoutEffect(() => {
    if (!focus) return;
    const el = { amount: amountRef, 'gift-number': giftNumberRef, 'gift-amount': giftAmountRef }[focus.field].current;
    el?.focus();
    el?.select();
  }, [focus]);

  const giftSale = (): GiftCardSale | null =>
    gc && {
      program: gc.program,
      totalMinor,
      goodsMinor: gc.goodsMinor,
      tenders,
      loads: gc.loads,
      ctx: { offline: gc.offline, at: new Date().toISOString(), timeZone: gc.timeZone },
    };
  const giftProblem = (p: GiftCardProblem, card: string) => setError(t.giftCardProblem(p, currency, card));

  const openGift = (text = '') => {
    if (props.busy || !gc) return;
    setError(null);
    setGift({ text, card: null, amount: '' });
    focusOn('gift-number');
  };
  const closeGift = () => {
    setGift(null);
    setError(null);
    focusOn('amount');
  };

  const lookUpGift = async (text: string) => {
    const sale = giftSale();
    if (!gc || !sale || props.busy) return;
    const n = ++giftRead.current;
    // A card scanned from the payment opens the gift card step with it.
    setGift({ text, card: null, amount: '' });
    const number = giftCardNumberOf(text, gc.program.giftCards?.prefix ?? '');
    if (!number) {
      giftProblem({ code: 'GIFT_CARD_BAD_NUMBER' }, text.trim().slice(0, 40));
      focusOn('gift-number');
      return;
    }
    let card: GiftCardState;
    try {
      card = await gc.read(number);
    } catch (e) {
      // The till's own database did not answer: said as it is, no tender taken.
      if (n === giftRead.current) setError(e instanceof Error ? e.message : String(e));
      return;
    }
    if (n !== giftRead.current) return;
    const room = giftCardTenderRoom(sale, card);
    if (!room.ok) {
      setGift({ text: number, card: null, amount: '' });
      giftProblem(room.problem, number);
      focusOn('gift-number');
      return;
    }
    setError(null);
    setGift({ text: number, card, amount: formatAmount({ minor: room.maxMinor, currency }).split(' ')[0]! });
    focusOn('gift-amount');
  };
  // A scan reaches the dialog through the scan channel; the newest handler is read through a ref (it changes at every
  // render).
  const lookUpRef = useRef(lookUpGift);
  useLayoutEffect(() => {
    lookUpRef.current = lookUpGift;
  });
  const scans = gc?.scans ?? null;
  useEffect(() => scans?.listen((text) => void lookUpRef.current(text)), [scans]);

  const takeGift = () => {
    const sale = giftSale();
    if (props.busy || !gift || !sale || !gc) return;
    const typed = giftCardNumberOf(gift.text, gc.program.giftCards?.prefix ?? '');
    if (!gift.card || document.activeElement === giftNumberRef.current || typed !== gift.card.number)
      return void lookUpGift(gift.text);
    let given: number | null = null;
    if (gift.amount.trim() !== '') {
      try {
        given = parseMoneyInput(gift.amount, currency).minor;
      } catch (e) {
        if (isKassaError(e) && e.code === 'MONEY_BAD_INPUT') return setError(t.tenderProblem('MONEY_BAD_INPUT'));
        throw e;
      }
    }
    const r = takeGiftCardTender(sale, gift.card, given);
    if (!r.ok) {
      giftProblem(r.problem, gift.card.number);
      focusOn('gift-amount');
      return;
    }
    closeGift();
    onTender(r.tender);
  };

  const giftNow = giftSale();
  const giftRoom = gift?.card && giftNow ? giftCardTenderRoom(giftNow, gift.card) : null;

  const take = (kind: Exclude<TenderKind, 'giftcard'>) => {
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
      onEscape={gift ? closeGift : onCancel}
      onKey={(e) => {
        // F5 is the browser's reload elsewhere: taken here whatever the step, so it never reloads the till.
        if (e.key === 'F5') {
          if (!gift) openGift();
          return true;
        }
        if (gift) return false;
        if (e.key === 'F2') take('card');
        else if (e.key === 'F3' && props.walletMinor !== null) take('wallet');
        else return false;
        return true;
      }}
    >
      {gift && gc ? (
        <form
          className="card"
          data-testid="pay-gift-card-step"
          onSubmit={(e) => {
            e.preventDefault();
            takeGift();
          }}
        >
          <h2 id="pay-title">{t.payGiftCardTitle}</h2>
          <div className="row total">
            <span>{t.due}</span>
            <span data-testid="pay-due">{money(summary.dueMinor)}</span>
          </div>
          <label htmlFor="pay-gift-card-input">{t.giftCardNumber}</label>
          <input
            id="pay-gift-card-input"
            ref={giftNumberRef}
            data-testid="pay-gift-card-input"
            autoComplete="off"
            spellCheck={false}
            maxLength={40}
            value={gift.text}
            onChange={(e) => setGift({ ...gift, text: e.target.value })}
          />
          {gift.card && (
            <>
              <p className="muted" data-testid="pay-gift-card-may">
                {t.payGiftCardMay(money(giftRoom?.ok ? giftRoom.spendableMinor : 0), money(gift.card.balanceMinor))}
              </p>
              <label htmlFor="pay-gift-card-amount">{t.payGiftCardAmount}</label>
              <input
                id="pay-gift-card-amount"
                ref={giftAmountRef}
                data-testid="pay-gift-card-amount"
                inputMode="decimal"
                autoComplete="off"
                maxLength={12}
                value={gift.amount}
                onChange={(e) => setGift({ ...gift, amount: e.target.value })}
              />
            </>
          )}
          {error && (
            <div className="message error" role="alert" data-testid="pay-error">
              {error}
            </div>
          )}
          <button className="primary" type="submit" data-testid="pay-gift-card-take" disabled={props.busy}>
            {gift.card ? `${t.payGiftCard} (Enter)` : `${t.giftCardCheck} (Enter)`}
          </button>
          <button type="button" data-testid="pay-gift-card-back" disabled={props.busy} onClick={closeGift}>
            {t.cancel} (Esc)
          </button>
        </form>
      ) : (
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
                const kind = t.tenderKind(tender.kind, tender.giftCard);
                const text =
                  tender.tenderedMinor !== undefined
                    ? t.tenderedLine(kind, money(tender.amountMinor), money(tender.tenderedMinor))
                    : t.tenderLine(kind, money(tender.amountMinor));
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
          {gc && (
            <button
              className="primary"
              type="button"
              data-testid="pay-gift-card"
              disabled={props.busy}
              onClick={() => openGift()}
            >
              {t.payGiftCard} (F5)
            </button>
          )}
          <button type="button" data-testid="pay-cancel" disabled={props.busy} onClick={onCancel}>
            {t.cancel} (Esc)
          </button>
        </form>
      )}
    </Modal>
  );
}
