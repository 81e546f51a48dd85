/**
 * An X or a Z report as printed on 80 mm paper (the print stylesheet prints `.receipt` alone): the shift, when it
 * opened (and closed), sales (and the stored value sold), returns and discounts, cash in and out, totals by tender, the points moved, and at
 * close the cash expected against the cash counted.
 */
import type { Ref } from 'react';
import type { ClosedShiftReport, ShiftReport } from '../../../shared/shift';
import { money, storeTime } from './format';
import { t } from './strings';

type MoneyRow = Parameters<typeof t.shiftRow>[0];

function isClosed(r: ShiftReport): r is ClosedShiftReport {
  return 'countedCashMinor' in r;
}

export function ShiftReportView(props: {
  report: ShiftReport;
  tillId: string;
  storeName: string | null;
  timeZone: string | undefined;
  /** The print button, for the dialog to give it the focus. */
  printRef?: Ref<HTMLButtonElement>;
  onPrint: () => void;
  onClose: () => void;
}) {
  const { report: r, timeZone } = props;
  const closed = isClosed(r);
  const cash = (minor: number) => money(minor, r.currency);
  const rows: Array<[MoneyRow, string]> = [
    ['floatMinor', cash(r.floatMinor)],
    ['salesCount', String(r.salesCount)],
    ['salesMinor', cash(r.salesMinor)],
    ['storedValueSoldMinor', cash(r.storedValueSoldMinor)],
    ['discountMinor', cash(r.discountMinor)],
    ['returnsCount', String(r.returnsCount)],
    ['returnsMinor', cash(r.returnsMinor)],
    ['cashTakenMinor', cash(r.cashTakenMinor)],
    ['changeMinor', cash(r.changeMinor)],
    ['cardMinor', cash(r.cardMinor)],
    ['pointsTenderMinor', cash(r.pointsTenderMinor)],
    ['walletMinor', cash(r.walletMinor)],
    ['giftCardMinor', cash(r.giftCardMinor)],
    ['cashRefundMinor', cash(r.cashRefundMinor)],
    ['cardRefundMinor', cash(r.cardRefundMinor)],
    ['walletRefundMinor', cash(r.walletRefundMinor)],
    ['giftCardRefundMinor', cash(r.giftCardRefundMinor)],
    ['cashInMinor', cash(r.cashInMinor)],
    ['cashOutMinor', cash(r.cashOutMinor)],
  ];
  const tenders: Array<[MoneyRow, string]> = [
    ['byCash', cash(r.byTender.cashMinor)],
    ['byCard', cash(r.byTender.cardMinor)],
    ['byPoints', cash(r.byTender.pointsMinor)],
    ['byWallet', cash(r.byTender.walletMinor)],
    ['byGiftCard', cash(r.byTender.giftCardMinor)],
  ];
  const points: Array<[MoneyRow, string]> = [
    ['pointsIssued', String(r.pointsIssued)],
    ['pointsRedeemed', String(r.pointsRedeemed)],
    ['pointsReversed', String(r.pointsReversed)],
    ['pointsRestored', String(r.pointsRestored)],
  ];
  const drawer: Array<[MoneyRow, string]> = [['expectedCashMinor', cash(r.expectedCashMinor)]];
  if (closed) drawer.push(['countedCashMinor', cash(r.countedCashMinor)], ['differenceMinor', cash(r.differenceMinor)]);
  const table = (testId: string, items: Array<[MoneyRow, string]>) => (
    <table className="vat" data-testid={testId}>
      <tbody>
        {items.map(([key, value]) => (
          <tr key={key} data-testid={`shift-row-${key}`}>
            <th scope="row">{t.shiftRow(key)}</th>
            <td className="num">{value}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
  return (
    <div className="receipt" data-testid="shift-report" data-kind={closed ? 'z' : 'x'}>
      <h2>{closed ? t.shiftZTitle(r.shiftNo) : t.shiftXTitle(r.shiftNo)}</h2>
      <p>
        {props.storeName ?? ''} · {props.tillId}
      </p>
      <p>{t.shiftOpenedAt(storeTime(r.openedAt, timeZone))}</p>
      {closed && <p>{t.shiftClosedAt(storeTime(r.closedAt, timeZone))}</p>}
      {table('shift-report-totals', rows)}
      <h3>{t.shiftByTender}</h3>
      {table('shift-report-tenders', tenders)}
      <h3>{t.shiftPoints}</h3>
      {table('shift-report-points', points)}
      {r.movements.length > 0 && (
        <>
          <h3>{t.shiftMovements}</h3>
          <ul data-testid="shift-report-movements">
            {r.movements.map((m) => (
              <li key={`${m.at}-${m.kind}`}>{t.shiftMovement(m.kind, cash(m.amountMinor), m.reason)}</li>
            ))}
          </ul>
        </>
      )}
      <h3>{t.shiftDrawer}</h3>
      {table('shift-report-drawer', drawer)}
      <div className="actions no-print">
        <button className="primary" ref={props.printRef} data-testid="shift-report-print" onClick={props.onPrint}>
          {t.print}
        </button>
        <button data-testid="shift-report-close" onClick={props.onClose}>
          {t.close} (Esc)
        </button>
      </div>
    </div>
  );
}
