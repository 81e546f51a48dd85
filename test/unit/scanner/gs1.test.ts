import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseGs1 } from '../../../shared/scanner/gs1';
import { classifyScan } from '../../../shared/scan';

const GS = '\u001d';

describe('GS1 element strings', () => {
  it('reads GTIN, net weight, expiry, batch and price', () => {
    const r = parseGs1(`0109506000134352172612313103001250` + `10LOT42${GS}3922000349`);
    expect(r).toEqual({
      ok: true,
      data: expect.objectContaining({
        gtin: '09506000134352',
        expiry: '2026-12-31',
        grams: 1250,
        batch: 'LOT42',
        priceMinor: 349,
      }),
    });
  });

  it('converts weights of any precision to grams', () => {
    const w = (ai: string, v: string) =>
      (parseGs1(`0109506000134352${ai}${v}`) as { ok: true; data: { grams: number } }).data.grams;
    expect(w('3100', '000002')).toBe(2000);
    expect(w('3102', '000125')).toBe(1250);
    expect(w('3105', '001234')).toBe(12);
  });

  it('reads expiry day 00 as the end of the month, and refuses impossible dates', () => {
    const expiry = (v: string) => parseGs1(`010950600013435217${v}`);
    expect(expiry('260200')).toMatchObject({ ok: true, data: { expiry: '2026-02-28' } });
    expect(expiry('280200')).toMatchObject({ ok: true, data: { expiry: '2028-02-29' } });
    expect(expiry('261300')).toMatchObject({ ok: false, reason: 'AI 17 is not a date: 261300' });
    expect(expiry('260231')).toMatchObject({ ok: false });
  });

  it('walks past country and company-internal AIs to the ones the till uses', () => {
    const r = parseGs1(`01095060001343524222763103000750${GS}91INTERNAL-7${GS}10B1`);
    expect(r).toMatchObject({
      ok: true,
      data: {
        gtin: '09506000134352',
        grams: 750,
        batch: 'B1',
        elements: [
          { ai: '01', value: '09506000134352' },
          { ai: '422', value: '276' },
          { ai: '3103', value: '000750' },
          { ai: '91', value: 'INTERNAL-7' },
          { ai: '10', value: 'B1' },
        ],
      },
    });
  });

  it('gives a reason for broken strings', () => {
    expect(parseGs1('01123')).toMatchObject({ ok: false });
    expect(parseGs1('05ABC')).toMatchObject({
      ok: false,
      reason: expect.stringContaining('unknown application identifier'),
    });
    expect(parseGs1(`010950600013435210${'x'.repeat(25)}`)).toMatchObject({ ok: false });
  });

  it('classifies a GS1 DataMatrix of a weighed product as a product with grams', () => {
    expect(classifyScan(`${GS}0104006381333931310300125017261231`)).toEqual({
      kind: 'product',
      gtin: '4006381333931',
      grams: 1250,
      expiry: '2026-12-31',
    });
    expect(classifyScan(`${GS}0104006381333932310300125017261231`)).toMatchObject({
      kind: 'unknown',
      code: 'SCAN_BAD_CHECK_DIGIT',
    });
  });

  it('a GS1-128 carrying only AI 01 is the product itself; plain codes keep their meaning', () => {
    expect(classifyScan('0104006381333931')).toEqual({ kind: 'product', gtin: '4006381333931' });
    expect(classifyScan('0104006381333931\r\n')).toEqual({ kind: 'product', gtin: '4006381333931' });
    expect(classifyScan('4006381333931')).toEqual({ kind: 'product', gtin: '4006381333931' });
    expect(classifyScan('2200012015001')).toMatchObject({ kind: 'weighed-product', grams: 1500 });
  });

  it('never throws (property)', () => {
    fc.assert(fc.property(fc.string({ maxLength: 80 }), (s) => void parseGs1(s)));
    // GS (0x1D) is part of GS1 data.
    // eslint-disable-next-line no-control-regex
    fc.assert(fc.property(fc.stringMatching(/^01\d{14}[\d\u001d]{0,40}$/), (s) => void classifyScan(s)));
  });
});
