/**
 * Gift cards on the sale screen (F5, or a gift card scanned): a card number scanned or typed (or "New card", which
 * draws a number with its check character from the browser's cryptographic source), then the card as this till
 * sees it — its balance and how long it is valid: the balance check — and an amount typed or picked to sell or
 * reload it as a line of the sale. No member is needed. Numbers, amounts and limits are checked by the shared
 * rules (shared/gift-cards.ts); a refusal shows its code and changes nothing. Enter with no amount leaves the
 * sale as it was (a card on the sale is taken off); Esc cancels.
 */
import { useEffect, useLayoutEffect, useRef, useState } from 'react';
import { checkedCode } from '../../../shared/check-code';
import type { Program } from '../../../shared/engine';
import { isKassaError } from '../../../shared/errors';
import { giftCardExpired, giftCardLoadRoom, giftCardNumberOf, giftCardSpendable } from '../../../shared/gift-cards';
import type { GiftCardState } from '../../../shared/gift-cards';
import { formatMoney, parseMoneyInput } from '../../../shared/money';
import type { GiftCardLoad } from '../../../shared/sale-journal';
import { giftCardLoadProblem, type GiftCardProblem } from '../features/sale/gift-card-tender';
import type { ScanChannel } from '../features/sale/scan-channel';
import { FormActions, FormCard, Modal } from './Modal';
import { money, storeDay } from './format';
import { t } from './strings';

/** Amounts offered as one-press buttons, where the card has room for them. */
const PRESETS_MINOR = [1_000, 2_500, 5_000] as const;

/** Draws before giving up on finding a number nobody holds (a clash is one in 34 billion). */
const NEW_CARD_DRAWS = 5;

/** A uniform whole number below `n` from the browser's cryptographic source (rejection sampling: no bias). */
function cryptoRandom(n: number): number {
  const limit = Math.floor(0x1_0000_0000 / n) * n;
  const word = new Uint32Array(1);
  for (;;) {
    crypto.getRandomValues(word);
    if (word[0]! < limit) return word[0]! % n;
  }
}

/** An amount as typed in the field: the currency's digits, without the code. */
function typedAmount(minor: number, currency: string): string {
  return formatMoney({ minor, currency }).split(' ')[0]!;
}

export function GiftCardDialog(props: {
  program: Program;
  timeZone: string;
  offline: boolean;
  /** The gift cards already on the sale. */
  loads: readonly GiftCardLoad[];
  /** The till's view of a card (db/gift-cards.ts). */
  read: (number: string) => Promise<GiftCardState>;
  /** Gift cards scanned while the dialog is open (and the one whose scan opened it). */
  scans: ScanChannel;
  onSet: (giftCard: string, amountMinor: number) => void;
  onCancel: () => void;
}) {
  const { program, loads } = props;
  const rules = program.giftCards;
  const currency = program.currency;
  const [text, setText] = useState('');
  const [card, setCard] = useState<GiftCardState | null>(null);
  const [amount, setAmount] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const numberRef = useRef<HTMLInputElement>(null);
  const amountRef = useRef<HTMLInputElement>(null);
  useLayoutEffect(() => numberRef.current?.focus(), []);
  // Reads finish out of order: only the newest lookup may show its card.
  const latest = useRef(0);
  // The field to give the focus (its text selected) once the render that shows it is on screen.
  // (A new object each time: the same field asked for again is focused again.)
  const [focus, setFocus] = useState<{ field: 'number' | 'amount' } | null>(null);
  const focusOn = (field: 'number' | 'amount') => setFocus({ field });
  useLayoutEffect(() => {
    if (!focus) return;
    const el = (focus.field === 'number' ? numberRef : amountRef).current;
    el?.focus();
    el?.select();
  }, [focus]);

  const problem = (p: GiftCardProblem, field: 'number' | 'amount') => {
    setError(t.giftCardProblem(p, currency, text.trim()));
    focusOn(field);
  };

  const show = (view: GiftCardState) => {
    setCard(view);
    setText(view.number);
    const onSale = loads.find((l) => l.giftCard === view.number);
    setAmount(onSale ? typedAmount(onSale.amountMinor, currency) : '');
    setError(null);
    focusOn('amount');
  };

  const lookUp = async (typed: string) => {
    setText(typed);
    if (!rules) return problem({ code: 'GIFT_CARD_NOT_OFFERED' }, 'number');
    const number = giftCardNumberOf(typed, rules.prefix);
    const n = ++latest.current;
    if (!number) {
      setCard(null);
      setError(t.giftCardProblem({ code: 'GIFT_CARD_BAD_NUMBER' }, currency, typed.trim().slice(0, 40)));
      focusOn('number');
      return;
    }
    setBusy(true);
    try {
      const view = await props.read(number);
      if (n === latest.current) show(view);
    } catch (e) {
      // The till's own database did not answer: said as it is, nothing changed.
      setError(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  };

  const newCard = async () => {
    if (!rules) return problem({ code: 'GIFT_CARD_NOT_OFFERED' }, 'number');
    const n = ++latest.current;
    setBusy(true);
    try {
      for (let i = 0; i < NEW_CARD_DRAWS; i++) {
        const view = await props.read(checkedCode(rules.prefix, cryptoRandom));
        if (view.issuedAt !== null || loads.some((l) => l.giftCard === view.number)) continue;
        if (n === latest.current) show(view);
        return;
      }
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  };

  // A scan is looked up by the newest handler, read through a ref (it changes at every render).
  const lookUpRef = useRef(lookUp);
  useLayoutEffect(() => {
    lookUpRef.current = lookUp;
  });
  useEffect(() => props.scans.listen((text) => void lookUpRef.current(text)), [props.scans]);

  const take = (minor: number) => {
    if (!card) return;
    if (minor > 0) {
      const refused = giftCardLoadProblem(program, card, minor);
      if (refused) return problem(refused, 'amount');
    }
    props.onSet(card.number, minor);
  };

  const submit = () => {
    if (busy) return;
    // Enter in the number field (or a number changed since it was looked up) looks the card up.
    const typedNumber = rules ? giftCardNumberOf(text, rules.prefix) : null;
    if (!card || document.activeElement === numberRef.current || typedNumber !== card.number) return void lookUp(text);
    try {
      take(amount.trim() === '' ? 0 : parseMoneyInput(amount, currency).minor);
    } catch (e) {
      if (isKassaError(e) && e.code === 'MONEY_BAD_INPUT') {
        setError(t.giftCardBadInput);
        return focusOn('amount');
      }
      throw e;
    }
  };

  const now = new Date().toISOString();
  const room = card ? giftCardLoadRoom(program, card) : 0;
  const min = rules?.minLoadMinor ?? 0;
  const onSale = card ? loads.find((l) => l.giftCard === card.number) : undefined;
  return (
    <Modal testId="gift-card-dialog" labelledBy="gift-card-title" onEscape={props.onCancel}>
      <FormCard onSubmit={submit}>
        <h2 id="gift-card-title">{t.giftCardTitle}</h2>
        <label htmlFor="gift-card-number-input">{t.giftCardNumber}</label>
        <input
          id="gift-card-number-input"
          ref={numberRef}
          data-testid="gift-card-number-input"
          autoComplete="off"
          spellCheck={false}
          maxLength={40}
          value={text}
          onChange={(e) => setText(e.target.value)}
        />
        <div className="row">
          <button type="button" data-testid="gift-card-check" disabled={busy} onClick={() => void lookUp(text)}>
            {t.giftCardCheck}
          </button>
          <button type="button" data-testid="gift-card-new" disabled={busy} onClick={() => void newCard()}>
            {t.giftCardNew}
          </button>
        </div>
        {card && (
          <div data-testid="gift-card-info">
            <div className="row">
              <strong data-testid="gift-card-number">{card.number}</strong>
              <span data-testid="gift-card-balance" data-minor={card.balanceMinor}>
                {t.giftCardBalance(money(card.balanceMinor, currency))}
              </span>
            </div>
            <p className="muted" data-testid="gift-card-valid-until">
              {card.issuedAt === null
                ? t.giftCardNotSold
                : card.validUntil === null
                  ? t.giftCardNoExpiry
                  : giftCardExpired(card, now, props.timeZone)
                    ? t.giftCardExpiredOn(storeDay(card.validUntil))
                    : t.giftCardValidUntil(storeDay(card.validUntil))}
            </p>
            {props.offline && card.issuedAt !== null && (
              <p className="muted" data-testid="gift-card-offline">
                {t.giftCardOfflineToday(
                  money(
                    giftCardSpendable(program, card, { offline: true, at: now, timeZone: props.timeZone }),
                    currency,
                  ),
                )}
              </p>
            )}
            <label htmlFor="gift-card-amount">{t.giftCardAmount}</label>
            <input
              id="gift-card-amount"
              ref={amountRef}
              data-testid="gift-card-amount"
              inputMode="decimal"
              autoComplete="off"
              maxLength={12}
              value={amount}
              onChange={(e) => setAmount(e.target.value)}
            />
            <p className="muted" data-testid="gift-card-limits">
              {t.giftCardLimits(money(min, currency), money(room, currency))}
            </p>
            <div className="row">
              {PRESETS_MINOR.filter((p) => p >= min && p <= room).map((p) => (
                <button key={p} type="button" data-testid="gift-card-preset" onClick={() => take(p)}>
                  {money(p, currency)}
                </button>
              ))}
              {onSale && (
                <button type="button" data-testid="gift-card-remove" onClick={() => props.onSet(card.number, 0)}>
                  {t.giftCardRemove}
                </button>
              )}
            </div>
          </div>
        )}
        <FormActions
          testId="gift-card"
          error={error}
          onCancel={props.onCancel}
          busy={busy}
          confirmText={card ? t.giftCardAdd : t.giftCardCheck}
        />
      </FormCard>
    </Modal>
  );
}
