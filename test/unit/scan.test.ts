import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { priceCheckDigit, withCheckDigit } from '../../shared/barcode';
import { classifyScan, defaultScanConfig, scanConfigSchema } from '../../shared/scan';

describe('classifyScan', () => {
  it('tells member cards from products', () => {
    const card = withCheckDigit('299000000001');
    expect(classifyScan(card)).toEqual({ kind: 'member-card', cardNumber: card });
    expect(classifyScan('4006381333931')).toEqual({ kind: 'product', gtin: '4006381333931' });
    expect(classifyScan('036000291452')).toEqual({ kind: 'product', gtin: '0036000291452' });
    expect(classifyScan('96385074')).toEqual({ kind: 'product', gtin: '96385074' });
  });

  it('honours the configured member-card prefix range', () => {
    const config = scanConfigSchema.parse({ memberCardPrefixes: ['400638'] });
    expect(classifyScan('4006381333931', config).kind).toBe('member-card');
  });

  it('reads Code 128 cards with a check digit, receipts and signed QR cards', () => {
    const digits = withCheckDigit('123456789');
    expect(classifyScan(`KM${digits}`)).toEqual({ kind: 'member-card', cardNumber: `KM${digits}` });
    expect(classifyScan('KM1234567890').kind).toBe('unknown');
    expect(classifyScan('KR01J9ZQ6V4B8M3N2P5R7S9T0W1X')).toEqual({
      kind: 'receipt',
      saleId: '01J9ZQ6V4B8M3N2P5R7S9T0W1X',
    });
    // A digital card is handed on whole, to be verified (test/unit/digital-card.test.ts).
    expect(classifyScan('KC1.01J9ZQ6V4B8M3N2P5R7S9T0W1X.1790000000.abc\r\n')).toEqual({
      kind: 'member-qr',
      code: 'KC1.01J9ZQ6V4B8M3N2P5R7S9T0W1X.1790000000.abc',
    });
  });

  it('classifies weighed and priced goods', () => {
    expect(classifyScan(withCheckDigit('220001201500'))).toEqual({
      kind: 'weighed-product',
      plu: '00012',
      grams: 1500,
    });
    expect(classifyScan(withCheckDigit('200001200250'))).toEqual({
      kind: 'priced-product',
      plu: '00012',
      priceMinor: 250,
    });
  });

  it('classifies the price-embedded label 2000031003504 as item 00031 at 3.50', () => {
    expect(classifyScan('2000031003504')).toEqual({ kind: 'priced-product', plu: '00031', priceMinor: 350 });
  });

  it('reads the label layouts a store configured, price check digit included', () => {
    const config = scanConfigSchema.parse({
      variableMeasure: [
        { prefixes: ['20-22'], kind: 'price', itemDigits: 4, valueDigits: 5, valueCheckDigit: true },
        { prefixes: ['23-28'], kind: 'weight', itemDigits: 5, valueDigits: 5 },
      ],
    });
    // 21 0031 Q 00350 C, Q = price check digit of 00350.
    const label = withCheckDigit(`210031${priceCheckDigit('00350')}00350`);
    expect(classifyScan(label, config)).toEqual({ kind: 'priced-product', plu: '00031', priceMinor: 350 });
    expect(classifyScan(withCheckDigit('250003101250'), config)).toEqual({
      kind: 'weighed-product',
      plu: '00031',
      grams: 1250,
    });
    const misread = withCheckDigit(`210031${(priceCheckDigit('00350') + 5) % 10}00350`);
    expect(classifyScan(misread, config)).toMatchObject({
      kind: 'unknown',
      code: 'SCAN_BAD_CHECK_DIGIT',
      reason: `Price/weight check digit is wrong in ${misread}`,
    });
    // Layouts replace the simple prefix lists: 29 is no longer a price prefix here.
    expect(classifyScan(withCheckDigit('290003100350'), config)).toMatchObject({ kind: 'product' });
  });

  it('refuses label layouts whose digits do not add up, with the reason', () => {
    const bad = (layout: unknown) => scanConfigSchema.safeParse({ variableMeasure: [layout] });
    expect(
      bad({ prefixes: ['20'], kind: 'price', itemDigits: 5, valueDigits: 5, valueCheckDigit: true }).error?.issues[0]
        ?.message,
    ).toBe('item digits + value digits (+ 1 for a value check digit) must be 10');
    expect(
      bad({ prefixes: ['20'], kind: 'price', itemDigits: 4, valueDigits: 6, valueCheckDigit: false }).success,
    ).toBe(true);
    expect(bad({ prefixes: ['19'], kind: 'price', itemDigits: 5, valueDigits: 5 }).success).toBe(false);
    expect(bad({ prefixes: ['28-21'], kind: 'price', itemDigits: 5, valueDigits: 5 }).success).toBe(false);
    expect(bad({ prefixes: ['20'], kind: 'weight', itemDigits: 6, valueDigits: 4 }).success).toBe(false);
  });

  it('gives a coded reason for garbled scans and bad check digits', () => {
    expect(classifyScan('')).toMatchObject({ kind: 'unknown', code: 'SCAN_EMPTY' });
    expect(classifyScan('\r\n')).toMatchObject({ kind: 'unknown', code: 'SCAN_EMPTY' });
    expect(classifyScan('4006381333932')).toMatchObject({ kind: 'unknown', code: 'SCAN_BAD_CHECK_DIGIT' });
    expect(classifyScan('hello world')).toMatchObject({ kind: 'unknown', code: 'SCAN_GARBLED' });
    expect(classifyScan('4006381333931\r')).toEqual({ kind: 'product', gtin: '4006381333931' });
  });

  it('never throws and always classifies (property)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 60 }), (raw) => {
        const result = classifyScan(raw, defaultScanConfig);
        expect([
          'member-card',
          'member-qr',
          'product',
          'weighed-product',
          'priced-product',
          'receipt',
          'unknown',
        ]).toContain(result.kind);
      }),
    );
  });
});
