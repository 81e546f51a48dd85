/**
 * The member's history (F10): their last purchases and returns, and the last
 * movements of their points with the reason in words. Online it is the
 * server's, just asked; offline the copy kept from the last time this till
 * asked, with its time; this till's own newest sales are always in it.
 *
 * Where the program takes returns without a receipt (a service card), a
 * purchase is picked with the arrow keys and Enter returns from it: the
 * return dialog opens on that sale, as if its receipt had been scanned.
 */
import { useEffect, useRef, useState, useLayoutEffect } from 'react';
import { historyReason } from '../../../shared/history';
import type { TillDatabase } from '../db/database';
import { memberHistory, type ServerHistory, type ShownHistory } from '../db/history';
import { money, receiptLabel, signedPoints, storeTime } from './format';
import { Modal } from './Modal';
import { t } from './strings';

export function HistoryDialog(props: {
  db: TillDatabase;
  server: ServerHistory | null;
  memberId: string;
  accountId: string;
  memberName: string;
  timeZone: string;
  /** Set where the program takes receipt-free returns from the history: returns from the sale picked. */
  onReturn: ((saleId: string) => void) | null;
  onClose: () => void;
}) {
  const { db, server, memberId, accountId } = props;
  const [history, setHistory] = useState<ShownHistory | null>(null);
  const [picked, setPicked] = useState(0);
  const listRef = useRef<HTMLOListElement>(null);
  const rootRef = useRef<HTMLDivElement>(null);
  useEffect(() => {
    let live = true;
    void memberHistory(db, server, memberId, accountId).then((h) => live && setHistory(h));
    return () => {
      live = false;
    };
  }, [db, server, memberId, accountId]);
  useLayoutEffect(() => rootRef.current?.focus(), []);

  const purchases = history?.sales.filter((s) => s.refundOf === null) ?? [];
  const returnable = props.onReturn !== null && purchases.length > 0;
  const when = (iso: string) => storeTime(iso, props.timeZone);

  return (
    <Modal
      testId="history-dialog"
      labelledBy="history-title"
      onEscape={props.onClose}
      rootRef={rootRef}
      focusable
      onKey={(e) => {
        if (!returnable) return false;
        if (e.key === 'ArrowDown') setPicked((i) => Math.min(i + 1, purchases.length - 1));
        else if (e.key === 'ArrowUp') setPicked((i) => Math.max(i - 1, 0));
        else if (e.key === 'Enter') props.onReturn!(purchases[picked]!.id);
        else return false;
        return true;
      }}
    >
      <div className="card wide">
        <h2 id="history-title">{t.historyTitle(props.memberName)}</h2>
        <p className="muted" data-testid="history-source" data-source={history?.source ?? 'loading'}>
          {history === null
            ? t.historyLoading
            : history.source === 'server'
              ? t.historyFromServer
              : history.source === 'cache'
                ? t.historyFromCache(when(history.asOf!))
                : t.historyOwnOnly}
        </p>
        <h3>{t.historyPurchases}</h3>
        {history && history.sales.length === 0 && <p className="muted">{t.historyNoPurchases}</p>}
        <ol
          className="history-list"
          ref={listRef}
          data-testid="history-sales"
          tabIndex={0}
          aria-label={t.historyPurchases}
        >
          {history?.sales.map((s) => {
            const index = purchases.indexOf(s);
            const current = returnable && index === picked;
            return (
              <li
                key={s.id}
                data-testid="history-sale"
                data-sale-id={s.id}
                aria-current={current ? 'true' : undefined}
                className={current ? 'picked' : undefined}
              >
                <span>{when(s.at)}</span>{' '}
                <span>{s.receiptNo === null ? '—' : receiptLabel(s.tillId, s.receiptNo)}</span>{' '}
                <strong>{money(s.totalMinor, s.currency)}</strong>
                {s.refundOf !== null && <em> {t.historyReturnMark}</em>}
                <div className="muted">
                  {s.lines.map((l) => (l.quantity === 1 ? l.name : `${l.quantity} × ${l.name}`)).join(', ')}
                </div>
              </li>
            );
          })}
        </ol>
        {returnable && <p className="muted">{t.historyReturnHint}</p>}
        <h3>{t.historyPoints}</h3>
        {history && history.entries.length === 0 && <p className="muted">{t.historyNoPoints}</p>}
        <ol className="history-list" data-testid="history-entries" tabIndex={0} aria-label={t.historyPoints}>
          {history?.entries.map((e) => {
            const { reason, note } = historyReason(e);
            return (
              <li key={e.id} data-testid="history-entry" data-reason={reason}>
                <span>{when(e.at)}</span> <strong>{signedPoints(e.points)}</strong>{' '}
                <span>{t.historyReason(reason)}</span>
                {note && <span>: {note}</span>}
              </li>
            );
          })}
        </ol>
        <button type="button" onClick={props.onClose}>
          {t.close} (Esc)
        </button>
      </div>
    </Modal>
  );
}
