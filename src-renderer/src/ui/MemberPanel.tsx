/** The member on this sale (name, card, balance, tier), or the field to find one by card or phone. */
import { useState } from 'react';
import { currentTier, type Program } from '../../../shared/engine';
import type { MemberState } from '../../../shared/engine/member-state';
import type { MemberRecord } from '../../../shared/member-snapshot';
import { t } from './strings';

export function MemberPanel(props: {
  member: MemberRecord | null;
  state: MemberState | null;
  /** The tier the quote found, before the sale; else the program's reading of the member's state. */
  tierName: string | null;
  program: Program | null;
  onClear: () => void;
  /** A typed card, phone or product code; true when it was taken (the field is then emptied). */
  onLookup: (text: string) => Promise<boolean>;
  /** Opens the points adjustment (a supervisor's); null while it may not be opened. */
  onAdjust: (() => void) | null;
}) {
  const { member, state, program } = props;
  const [lookup, setLookup] = useState('');
  return (
    <section className="member" data-testid="member-panel">
      {member && state ? (
        <>
          <div>
            <div className="name" data-testid="member-name">
              {member.name}
            </div>
            <div className="muted">{member.cardNumber}</div>
          </div>
          <div className="balance">
            <span data-testid="member-balance">{state.balance}</span> {t.pointsUnit(state.balance)}
          </div>
          <div data-testid="member-tier">
            {t.tier}: {props.tierName ?? (program ? currentTier(program, state)?.name : null) ?? '—'}
          </div>
          <button data-testid="adjust-points" disabled={!props.onAdjust} onClick={() => props.onAdjust?.()}>
            {t.adjustPoints} <kbd>F7</kbd>
          </button>
          <button onClick={props.onClear}>{t.clearMember}</button>
        </>
      ) : (
        <form
          className="lookup"
          onSubmit={(e) => {
            e.preventDefault();
            void props.onLookup(lookup).then((ok) => ok && setLookup(''));
          }}
        >
          <label htmlFor="lookup">
            {t.scanCard} <kbd>F3</kbd>
          </label>
          <input
            id="lookup"
            data-testid="lookup-input"
            value={lookup}
            onChange={(e) => setLookup(e.target.value)}
            autoComplete="off"
          />
          <button type="submit">{t.lookup}</button>
        </form>
      )}
    </section>
  );
}
