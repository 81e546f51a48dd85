/**
 * The members a typed name found (db/members.ts searchMembersByName), for
 * the cashier to pick one: name, the card's last digits and the tier.
 * Keyboard-first: the list takes focus when it opens, ↑/↓ (Home/End) move,
 * Enter takes the member, Esc closes it without one; a tap takes one too
 * (rows are at least 44 px high). It never picks a member by itself.
 */
import { useRef, useState, type KeyboardEvent, useLayoutEffect } from 'react';
import { currentTier, type Program } from '../../../shared/engine';
import type { MemberRecord } from '../../../shared/member-snapshot';
import { t } from './strings';

/** Digits of a card shown in the list: enough to tell members apart, not the whole number. */
const CARD_DIGITS = 4;

export function MemberSearch(props: {
  /** What the cashier typed. */
  text: string;
  members: readonly MemberRecord[];
  /** More members match than are shown. */
  more: boolean;
  program: Program | null;
  onPick: (member: MemberRecord) => void;
  onClose: () => void;
}) {
  const { members, onPick, onClose } = props;
  const [active, setActive] = useState(0);
  const list = useRef<HTMLUListElement>(null);
  useLayoutEffect(() => list.current?.focus(), []);
  const at = Math.min(active, members.length - 1);

  const onKeyDown = (e: KeyboardEvent) => {
    const move: Record<string, number> = {
      ArrowDown: at + 1,
      ArrowUp: at - 1,
      Home: 0,
      End: members.length - 1,
    };
    if (e.key in move) {
      e.preventDefault();
      setActive(Math.max(0, Math.min(members.length - 1, move[e.key]!)));
    } else if (e.key === 'Enter') {
      e.preventDefault();
      const m = members[at];
      if (m) onPick(m);
    } else if (e.key === 'Escape') {
      e.preventDefault();
      onClose();
    }
  };

  return (
    <section className="member-search" data-testid="member-search" aria-labelledby="member-search-title">
      <h2 id="member-search-title">{t.memberSearchTitle(props.text.trim())}</h2>
      <ul
        ref={list}
        role="listbox"
        tabIndex={0}
        aria-labelledby="member-search-title"
        aria-activedescendant={members[at] ? `member-option-${members[at].id}` : undefined}
        data-testid="member-results"
        onKeyDown={onKeyDown}
      >
        {members.map((m, i) => {
          const tier = props.program ? currentTier(props.program, m.state)?.name : undefined;
          return (
            <li
              key={m.id}
              id={`member-option-${m.id}`}
              role="option"
              aria-selected={i === at}
              data-testid="member-result"
              onClick={() => onPick(m)}
            >
              <span>{m.name}</span>
              <span className="muted">
                {t.memberSearchCard(m.cardNumber.slice(-CARD_DIGITS))}
                {tier ? ` · ${tier}` : ''}
              </span>
            </li>
          );
        })}
      </ul>
      {props.more && <p className="muted">{t.memberSearchMore}</p>}
      <p className="muted">{t.memberSearchKeys}</p>
      <button type="button" onClick={onClose}>
        {t.memberSearchClose}
      </button>
    </section>
  );
}
