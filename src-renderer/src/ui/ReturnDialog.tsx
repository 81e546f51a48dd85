/**
 * A return at the till: the receipt scanned or its number typed, the lines
 * with what is left to return of each, the quantities picked, the refund the
 * engine gives (money to the original tenders, earned points reversed,
 * redeemed points restored), a supervisor's PIN above the threshold, then
 * the return receipt. Keyboard-first: the receipt field and then the first
 * quantity have the focus, Enter goes on, Esc closes; Tab stays inside.
 * Finding, planning and writing are db/returns.ts's; this shows their answers.
 */
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { Staff } from '../../../shared/documents';
import { isKassaError } from '../../../shared/errors';
import { money as formatMoney } from './format';
import { receiptLabel, returnableLines, returnedQuantities, type PickedLine } from '../../../shared/returns';
import { needsSupervisor } from '../../../shared/staff/till-events';
import type { TillDatabase } from '../db/database';
import {
  findSaleForReturn,
  previewReturn,
  recordReturn,
  typedReceipt,
  type FoundSale,
  type ReceiptKey,
  type RecordedReturn,
  type ServerSaleLookup,
} from '../db/returns';
import { checkPin, recordEvent } from '../db/staff';
import type { ReturnPlan } from '../features/returns/return-plan';
import { PinDialog, type PinAnswer } from './PinDialog';
import { Modal } from './Modal';
import { t } from './strings';

type Props = {
  db: TillDatabase;
  till: { tillId: string; storeId: string };
  cashier: Staff;
  staff: readonly Staff[];
  /** The server to ask (online), or null (offline: only this till's own sales). */
  lookup: ServerSaleLookup | null;
  /** A receipt barcode scanned: looked up at once. */
  scanned: ReceiptKey | null;
  storeName: string;
  timeZone: string | undefined;
  onPrint: () => void;
  onClose: (done: RecordedReturn | null) => void;
};

function errorText(e: unknown): string {
  return isKassaError(e) ? t.returnError(e.code, e.message) : e instanceof Error ? e.message : String(e);
}

export function ReturnDialog(props: Props) {
  const { db, till, cashier, lookup } = props;
  const [typed, setTyped] = useState('');
  const [found, setFound] = useState<{ key: ReceiptKey; sale: FoundSale } | null>(null);
  const [picked, setPicked] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [asking, setAsking] = useState(false);
  const [done, setDone] = useState<RecordedReturn | null>(null);
  const receiptRef = useRef<HTMLInputElement>(null);
  const firstQtyRef = useRef<HTMLInputElement>(null);

  const find = useCallback(
    async (key: ReceiptKey) => {
      setBusy(true);
      setError(null);
      try {
        const sale = await findSaleForReturn(db, key, till.tillId, lookup);
        setFound({ key, sale });
        setPicked({});
      } catch (e) {
        setError(errorText(e));
        receiptRef.current?.focus();
      } finally {
        setBusy(false);
      }
    },
    [db, till.tillId, lookup],
  );

  // Once, when the dialog opens (a new scan opens a new dialog): not again when the till goes on- or offline.
  const findRef = useRef(find);
  useEffect(() => {
    findRef.current = find;
  });
  const scannedKey = props.scanned;
  useEffect(() => {
    if (scannedKey) void findRef.current(scannedKey);
    else receiptRef.current?.focus();
  }, [scannedKey]);
  useEffect(() => {
    if (found) firstQtyRef.current?.focus();
  }, [found]);

  const lines = useMemo(
    () =>
      found ? returnableLines(found.sale.sale.body, returnedQuantities(found.sale.returns.map((r) => r.body))) : [],
    [found],
  );
  const picks: PickedLine[] = useMemo(
    () =>
      lines
        .map((l) => ({ lineId: l.lineId, quantity: Number(picked[l.lineId] ?? '0') }))
        .filter((p) => p.quantity !== 0),
    [lines, picked],
  );
  const preview = useMemo((): { plan: ReturnPlan } | { error: string } | null => {
    if (!found || picks.length === 0) return null;
    try {
      return { plan: previewReturn(found.sale, picks, cashier.role) };
    } catch (e) {
      return { error: errorText(e) };
    }
  }, [found, picks, cashier.role]);

  const currency = found?.sale.sale.body.currency ?? 'EUR';
  const money = (minor: number) => formatMoney(minor, currency);

  /** Writes the return; `supervisor` approved it above the threshold (or the signed-in supervisor did). */
  const commit = async (supervisor: Staff | null, reason: string): Promise<PinAnswer> => {
    if (!found || !preview || !('plan' in preview)) return { ok: false, message: t.returnPickFirst };
    setBusy(true);
    try {
      const recorded = await recordReturn(db, {
        key: found.key,
        picked: picks,
        ctx: { ...till, cashierId: cashier.id, role: cashier.role, offline: lookup === null },
        lookup,
        supervisorApproved: supervisor !== null,
      });
      const refundMinor = recorded.plan.refund.refundMinor;
      if (needsSupervisor('cashier', 'return', refundMinor)) {
        await recordEvent(db, till, {
          type: 'override',
          cashierId: cashier.id,
          supervisorId: supervisor?.id ?? cashier.id,
          action: 'return',
          reason,
          saleId: recorded.plan.returnId,
          details: { refundMinor, refundOf: recorded.plan.original.id },
        });
      }
      setDone(recorded);
      setAsking(false);
      return { ok: true };
    } catch (e) {
      const message = errorText(e);
      setError(message);
      return { ok: false, message };
    } finally {
      setBusy(false);
    }
  };

  const submit = () => {
    if (!preview || !('plan' in preview)) {
      setError(preview && 'error' in preview ? preview.error : t.returnPickFirst);
      return;
    }
    if (preview.plan.needsSupervisor) setAsking(true);
    else void commit(cashier.role === 'supervisor' ? cashier : null, '');
  };

  const approve = async (supervisor: Staff, pin: string, reason: string): Promise<PinAnswer> => {
    if (!reason) return { ok: false, message: t.reasonNeeded };
    try {
      await checkPin(db, till, supervisor, pin, 'return');
    } catch (e) {
      if (isKassaError(e) && e.code === 'PIN_WRONG') return { ok: false, message: t.pinWrong };
      return { ok: false, message: errorText(e) };
    }
    return commit(supervisor, reason);
  };

  const close = () => props.onClose(done);

  return (
    <Modal testId="return-dialog" labelledBy="return-title" onEscape={close} keysElsewhere={asking}>
      <div className="card wide">
        <h2 id="return-title">{t.returnTitle}</h2>
        {done ? (
          <div className="receipt" data-testid="return-receipt">
            <h3 data-testid="return-receipt-number">{t.returnReceipt(receiptLabel(till.tillId, done.receiptNo))}</h3>
            <div className="muted">
              {props.storeName} · {t.tillName(till.tillId)} · {t.cashierName(cashier.name)} ·{' '}
              {new Intl.DateTimeFormat(undefined, {
                dateStyle: 'medium',
                timeStyle: 'short',
                timeZone: props.timeZone,
              }).format(new Date(done.at))}
            </div>
            <div className="muted">
              {t.returnOf(
                saleLabel(done.plan.original.tillId, done.plan.original.body.receiptNo, done.plan.original.id),
              )}
            </div>
            <table>
              <tbody>
                {done.plan.lines.map((l) => (
                  <tr key={l.lineId}>
                    <td>{l.name}</td>
                    <td>× {l.quantity}</td>
                    <td className="num">{money(l.amountMinor)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            <div className="row total">
              <span>{t.returnRefund}</span>
              <span data-testid="return-refund">{money(done.plan.refund.refundMinor)}</span>
            </div>
            <div data-testid="return-tenders">
              {t.returnRefundedTo(
                done.plan.tenders
                  .map((x) => t.tenderLine(t.tenderKind(x.kind, x.giftCard), money(x.amountMinor)))
                  .join(', '),
              )}
            </div>
            {done.plan.refund.pointsReversed > 0 && (
              <div data-testid="return-points-reversed">{t.returnPointsReversed(done.plan.refund.pointsReversed)}</div>
            )}
            {done.plan.refund.pointsRestored > 0 && (
              <div data-testid="return-points-restored">{t.returnPointsRestored(done.plan.refund.pointsRestored)}</div>
            )}
            <div className="actions no-print">
              <button data-testid="print-return" onClick={props.onPrint}>
                {t.print}
              </button>
              <button className="primary" data-testid="return-close" autoFocus onClick={close}>
                {t.returnDone} (Esc)
              </button>
            </div>
          </div>
        ) : (
          <>
            <form
              onSubmit={(e) => {
                e.preventDefault();
                const key = typedReceipt(typed, till.tillId);
                if (!key) setError(t.returnNotAReceipt(typed.trim()));
                else void find(key);
              }}
            >
              <label htmlFor="return-receipt-input">{t.returnReceiptField}</label>
              <input
                id="return-receipt-input"
                ref={receiptRef}
                data-testid="return-receipt-input"
                autoComplete="off"
                placeholder={receiptLabel(till.tillId, 42)}
                value={typed}
                onChange={(e) => setTyped(e.target.value)}
              />
              <button type="submit" disabled={busy} data-testid="return-find">
                {t.returnFind} (Enter)
              </button>
            </form>
            {found && (
              <form
                onSubmit={(e) => {
                  e.preventDefault();
                  submit();
                }}
              >
                <p data-testid="return-sale" className="muted">
                  {t.returnSaleFound(
                    saleLabel(found.sale.sale.tillId, found.sale.sale.body.receiptNo, found.sale.sale.id),
                    found.sale.from === 'server',
                  )}
                </p>
                <table>
                  <thead>
                    <tr>
                      <th>{t.returnItem}</th>
                      <th>{t.returnSold}</th>
                      <th>{t.returnLeft}</th>
                      <th>{t.returnQty}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {lines.map((l, i) => (
                      <tr key={l.lineId} data-testid="return-line">
                        <td>
                          {l.name} <span className="muted">{money(l.netMinor)}</span>
                        </td>
                        <td>{l.quantity}</td>
                        <td data-testid="return-left">{l.remaining}</td>
                        <td>
                          <input
                            ref={i === 0 ? firstQtyRef : undefined}
                            data-testid="return-qty"
                            aria-label={t.returnQtyOf(l.name)}
                            inputMode="numeric"
                            autoComplete="off"
                            disabled={l.remaining === 0}
                            value={picked[l.lineId] ?? ''}
                            placeholder="0"
                            onChange={(e) => setPicked({ ...picked, [l.lineId]: e.target.value.replace(/\D/g, '') })}
                          />
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
                {preview && 'plan' in preview && (
                  <div data-testid="return-preview">
                    <div className="row total">
                      <span>{t.returnRefund}</span>
                      <span data-testid="return-preview-refund">{money(preview.plan.refund.refundMinor)}</span>
                    </div>
                    <div>
                      {t.returnRefundedTo(
                        preview.plan.tenders
                          .map((x) => t.tenderLine(t.tenderKind(x.kind, x.giftCard), money(x.amountMinor)))
                          .join(', '),
                      )}
                    </div>
                    {preview.plan.refund.pointsReversed > 0 && (
                      <div>{t.returnPointsReversed(preview.plan.refund.pointsReversed)}</div>
                    )}
                    {preview.plan.refund.pointsRestored > 0 && (
                      <div>{t.returnPointsRestored(preview.plan.refund.pointsRestored)}</div>
                    )}
                    {preview.plan.needsSupervisor && <div className="muted">{t.returnNeedsSupervisor}</div>}
                  </div>
                )}
                {preview && 'error' in preview && (
                  <div className="message error" role="alert" data-testid="return-pick-error">
                    {preview.error}
                  </div>
                )}
                <button className="primary" type="submit" disabled={busy} data-testid="return-confirm">
                  {t.returnConfirm} (Enter)
                </button>
              </form>
            )}
            {error && (
              <div className="message error" role="alert" data-testid="return-error">
                {error}
              </div>
            )}
            <button type="button" onClick={close} data-testid="return-cancel">
              {t.cancel} (Esc)
            </button>
          </>
        )}
      </div>
      {asking && preview && 'plan' in preview && (
        <PinDialog
          title={t.supervisorNeeded(t.returnWhat(money(preview.plan.refund.refundMinor)))}
          staff={props.staff.filter((s) => s.role === 'supervisor')}
          askReason
          testId="return-supervisor"
          onSubmit={approve}
          onCancel={() => setAsking(false)}
        />
      )}
    </Modal>
  );
}

function saleLabel(tillId: string, receiptNo: number | null, saleId: string): string {
  return receiptNo === null ? saleId : receiptLabel(tillId, receiptNo);
}
