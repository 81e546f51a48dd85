/**
 * The member on this sale (name, card, balance, tier) with the overview the engine reads from their state
 * (progress to the next tier, points expiring soon, stamp cards, personal offers, birthday, paid membership,
 * a shared household account, perks) as badges; or the field to find a member by card or phone.
 */
import { useState } from 'react';
import { currentTier, type MemberOverview, type Program } from '../../../shared/engine';
import type { MemberState } from '../../../shared/engine/member-state';
import type { MemberRecord } from '../../../shared/member-snapshot';
import { money, monthDay, storeDay } from './format';
import { t } from './strings';

function badges(o: MemberOverview, currency: string, sharedWith: string | null): Array<{ key: string; text: string }> {
  const out: Array<{ key: string; text: string }> = [];
  if (o.next)
    out.push({
      key: 'next-tier',
      text:
        o.next.metric === 'points'
          ? t.nextTierPoints(o.next.remaining, o.next.name)
          : t.nextTierSpend(money(o.next.remaining, currency), o.next.name),
    });
  for (const x of o.expiring)
    out.push({ key: `expiring-${x.expiresAt}`, text: t.expiringSoon(x.points, storeDay(x.expiresAt)) });
  for (const c of o.stampCards)
    out.push({
      key: `stamps-${c.id}`,
      text: c.freeNext ? t.stampsFree(c.name) : t.stampsOn(c.name, c.stamps, c.every),
    });
  for (const x of o.offers) out.push({ key: `offer-${x.id}`, text: t.offerBadge(x.name) });
  if (o.birthday)
    out.push({
      key: 'birthday',
      text: o.birthday.today ? t.birthdayToday : t.birthdayOn(monthDay(o.birthday.monthDay)),
    });
  if (o.membership)
    out.push({
      key: 'membership',
      text:
        o.membership.daysLeft > 0
          ? t.membershipLeft(o.membership.name, o.membership.daysLeft)
          : t.membershipLapsed(o.membership.name, storeDay(o.membership.until)),
    });
  if (sharedWith) out.push({ key: 'shared', text: t.sharedAccount(sharedWith) });
  for (const p of o.perks) out.push({ key: `perk-${p.id}`, text: `${t.perkKind(p.kind)}: ${p.name}` });
  return out;
}

export function MemberPanel(props: {
  member: MemberRecord | null;
  state: MemberState | null;
  /** The tier the quote found, before the sale; else the program's reading of the member's state. */
  tierName: string | null;
  program: Program | null;
  /** The engine's overview of the member (null until their view is read). */
  overview: MemberOverview | null;
  /** The household account holder's name, when the member shops on a shared account. */
  sharedWith: string | null;
  onClear: () => void;
  /** A typed card, phone or product code; true when it was taken (the field is then emptied). */
  onLookup: (text: string) => Promise<boolean>;
  /** Opens the points adjustment (a supervisor's); null while it may not be opened. */
  onAdjust: (() => void) | null;
  /** Opens the member's history; null while it may not be opened. */
  onHistory: (() => void) | null;
  /** Opens the edit of the member's contact details and consent; null while it may not be opened. */
  onEditProfile?: (() => void) | null;
  /** Opens the replacement of a lost card (a supervisor's); null while it may not be opened. */
  onReplaceCard?: (() => void) | null;
  /** Opens the household join (a supervisor's); null while it may not be opened. */
  onHousehold?: (() => void) | null;
  /** Opens the eWallet top-up (where the program has an eWallet); null while it may not be opened. */
  onTopUp?: (() => void) | null;
  /** Opens the enrolment of a new member; null while it may not be opened. */
  onEnrol: (() => void) | null;
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
            <div className="muted" data-testid="member-card">
              {member.cardNumber}
            </div>
          </div>
          <div className="balance">
            <span data-testid="member-balance">{state.balance}</span> {t.pointsUnit(state.balance)}
          </div>
          {program?.wallet && (
            <div className="row">
              <span data-testid="member-wallet">
                {t.walletBalance(money(state.wallet.balanceMinor, program.currency))}
              </span>
              <button data-testid="open-top-up" disabled={!props.onTopUp} onClick={() => props.onTopUp?.()}>
                {t.topUpButton} <kbd>⇧F12</kbd>
              </button>
            </div>
          )}
          <div data-testid="member-tier">
            {t.tier}: {props.tierName ?? (program ? currentTier(program, state)?.name : null) ?? '—'}
          </div>
          {props.overview && program && (
            <ul className="member-badges" aria-label={t.memberExtras} data-testid="member-badges">
              {badges(props.overview, program.currency, props.sharedWith).map((b) => (
                <li key={b.key} data-badge={b.key}>
                  {b.text}
                </li>
              ))}
            </ul>
          )}
          <button data-testid="adjust-points" disabled={!props.onAdjust} onClick={() => props.onAdjust?.()}>
            {t.adjustPoints} <kbd>F7</kbd>
          </button>
          <button data-testid="open-history" disabled={!props.onHistory} onClick={() => props.onHistory?.()}>
            {t.historyButton} <kbd>F10</kbd>
          </button>
          {!props.sharedWith && (
            <button data-testid="open-household" disabled={!props.onHousehold} onClick={() => props.onHousehold?.()}>
              {t.householdButton} <kbd>F11</kbd>
            </button>
          )}
          <button data-testid="open-profile" disabled={!props.onEditProfile} onClick={() => props.onEditProfile?.()}>
            {t.profileButton}
          </button>
          <button
            data-testid="open-card-replace"
            disabled={!props.onReplaceCard}
            onClick={() => props.onReplaceCard?.()}
          >
            {t.cardReplaceButton}
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
          <button type="button" data-testid="open-enrol" disabled={!props.onEnrol} onClick={() => props.onEnrol?.()}>
            {t.enrolButton} <kbd>F6</kbd>
          </button>
        </form>
      )}
    </section>
  );
}
