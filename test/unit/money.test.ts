import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { addMoney, divideRounded, formatMoney, money, parseMoneyInput, scaleMinor } from '../../shared/money';

describe('money', () => {
  it('adds in one currency and refuses to mix', () => {
    expect(addMoney(money(150, 'EUR'), money(275, 'EUR'))).toEqual({ minor: 425, currency: 'EUR' });
    expect(() => addMoney(money(1, 'EUR'), money(1, 'USD'))).toThrow(/Cannot combine EUR and USD/);
  });

  it('refuses fractional minor units', () => {
    expect(() => money(1.5, 'EUR')).toThrow(expect.objectContaining({ code: 'MONEY_NOT_INTEGER' }));
  });

  it('rounds each way as stated', () => {
    expect(divideRounded(7, 2, 'down')).toBe(3);
    expect(divideRounded(7, 2, 'up')).toBe(4);
    expect(divideRounded(7, 2, 'half-up')).toBe(4);
    expect(divideRounded(5, 2, 'half-even')).toBe(2);
    expect(divideRounded(7, 2, 'half-even')).toBe(4);
    expect(divideRounded(-7, 2, 'down')).toBe(-4);
    expect(scaleMinor(1999, 15, 100, 'down')).toBe(299);
  });

  it('formats without floats', () => {
    expect(formatMoney(money(12345, 'EUR'))).toBe('123.45 EUR');
    expect(formatMoney(money(-5, 'EUR'))).toBe('-0.05 EUR');
    expect(formatMoney(money(500, 'JPY'))).toBe('500 JPY');
  });

  it('floor division brackets the exact quotient (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: -1e9, max: 1e9 }), fc.integer({ min: 1, max: 1e6 }), (n, d) => {
        const q = divideRounded(n, d, 'down');
        expect(q * d).toBeLessThanOrEqual(n);
        expect((q + 1) * d).toBeGreaterThan(n);
        const up = divideRounded(n, d, 'up');
        expect(up - q).toBe(n % d === 0 ? 0 : 1);
      }),
    );
  });
});

describe('parseMoneyInput', () => {
  it('reads what a cashier types as minor units, with a dot or a comma', () => {
    expect(parseMoneyInput('20', 'EUR')).toEqual({ minor: 2000, currency: 'EUR' });
    expect(parseMoneyInput(' 20.5 ', 'EUR').minor).toBe(2050);
    expect(parseMoneyInput('20,05', 'EUR').minor).toBe(2005);
    expect(parseMoneyInput('0.01', 'EUR').minor).toBe(1);
    expect(parseMoneyInput('1500', 'JPY').minor).toBe(1500);
    expect(parseMoneyInput('1.234', 'KWD').minor).toBe(1234);
  });

  it('refuses what is not an amount, with a code', () => {
    for (const bad of ['', '-5', '1.234', '1e3', '12a', '1.2.3', '١٢', '0x10', '1 000'])
      expect(() => parseMoneyInput(bad, 'EUR')).toThrow(expect.objectContaining({ code: 'MONEY_BAD_INPUT' }));
    expect(() => parseMoneyInput('10.5', 'JPY')).toThrow(expect.objectContaining({ code: 'MONEY_BAD_INPUT' }));
    // Up to 10^12 minor units, whatever the currency's decimals.
    expect(parseMoneyInput('1000000000000', 'JPY').minor).toBe(10 ** 12);
    expect(parseMoneyInput('10000000000.00', 'EUR').minor).toBe(10 ** 12);
    for (const [big, currency] of [
      ['10000000000.01', 'EUR'],
      ['1000000000001', 'JPY'],
      ['99999999999999', 'JPY'],
    ])
      expect(() => parseMoneyInput(big!, currency!)).toThrow(expect.objectContaining({ code: 'MONEY_BAD_INPUT' }));
  });

  it('gives back what formatMoney printed, for any amount', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10 ** 12 }), fc.constantFrom('EUR', 'JPY', 'KWD'), (minor, currency) => {
        const printed = formatMoney(money(minor, currency)).split(' ')[0]!;
        expect(parseMoneyInput(printed, currency)).toEqual({ minor, currency });
      }),
    );
  });
});
