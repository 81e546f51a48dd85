/**
 * The receipt's barcode: Code 128 of the receipt prefix and the sale id (`KR01J…`), the code a return scans
 * (shared/scan.ts reads it back). Drawn as SVG by JsBarcode, so it prints sharp on a thermal printer.
 */
import { useEffect, useRef } from 'react';
import JsBarcode from 'jsbarcode';

export function ReceiptBarcode({ code }: { code: string }) {
  const ref = useRef<SVGSVGElement>(null);
  useEffect(() => {
    if (ref.current)
      JsBarcode(ref.current, code, { format: 'CODE128', width: 1.4, height: 48, margin: 0, displayValue: false });
  }, [code]);
  return (
    <figure className="receipt-barcode" data-testid="receipt-barcode" data-code={code}>
      <svg ref={ref} role="img" aria-label={code} />
      <figcaption>{code}</figcaption>
    </figure>
  );
}
