/**
 * Which card a member gets (enrolment, a lost card's replacement): the next number of this till's range, or a
 * printed card scanned or typed into the field that opens under it. `testId` names its parts:
 * `<testId>-card-new`, `<testId>-card-printed`, and the card field `<testId>-card` (also its id).
 */
import type { ReactNode, Ref } from 'react';
import type { CardSupply } from '../db/enrolment';
import { t } from './strings';

export function CardChoice({
  testId,
  supply,
  printed,
  onPrinted,
  card,
  onCard,
  firstRef,
  children,
}: {
  testId: string;
  supply: CardSupply | null;
  printed: boolean;
  onPrinted: (printed: boolean) => void;
  card: string;
  onCard: (card: string) => void;
  /** The first radio button, for a dialog that opens on it. */
  firstRef?: Ref<HTMLInputElement>;
  /** Said under the choice (e.g. that the range runs low). */
  children?: ReactNode;
}) {
  return (
    <fieldset className="choice">
      <legend>{t.enrolCard}</legend>
      <label>
        <input
          ref={firstRef}
          type="radio"
          name={`${testId}-card-source`}
          data-testid={`${testId}-card-new`}
          checked={!printed}
          disabled={supply?.next === null}
          onChange={() => onPrinted(false)}
        />
        {supply === null ? '…' : supply.next === null ? t.enrolCardNone : t.enrolCardNew(supply.next)}
      </label>
      <label>
        <input
          type="radio"
          name={`${testId}-card-source`}
          data-testid={`${testId}-card-printed`}
          checked={printed}
          onChange={() => onPrinted(true)}
        />
        {t.enrolCardPrinted}
      </label>
      {printed && (
        <input
          id={`${testId}-card`}
          data-testid={`${testId}-card`}
          aria-label={t.enrolCardPrinted}
          autoComplete="off"
          maxLength={32}
          value={card}
          onChange={(e) => onCard(e.target.value)}
        />
      )}
      {children}
    </fieldset>
  );
}
