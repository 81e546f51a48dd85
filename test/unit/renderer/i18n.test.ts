/**
 * The till's three languages: every text exists in each, with the same parameters; every code the engine says
 * has a text in each; plurals follow each language; switching language changes what the cashier reads.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { en } from '../../../src-renderer/src/i18n/en';
import { ru } from '../../../src-renderer/src/i18n/ru';
import { bg } from '../../../src-renderer/src/i18n/bg';
import { language, setLanguage, tr } from '../../../src-renderer/src/i18n';
import { say, t } from '../../../src-renderer/src/ui/strings';
import { sayCodes, sayParams } from '../../../shared/engine';

const locales = { en, ru, bg };
const PLURAL = /_(zero|one|two|few|many|other)$/;

function baseKeys(texts: Record<string, string>): Set<string> {
  return new Set(Object.keys(texts).map((k) => k.replace(PLURAL, '')));
}

function paramsOf(text: string): string[] {
  return [...text.matchAll(/\{\{(\w+)\}\}/g)].map((m) => m[1]!).sort();
}

/** A key's text, or for a plural key its `other` form. */
function textOf(texts: Record<string, string>, key: string): string | undefined {
  return texts[key] ?? texts[`${key}_other`];
}

afterEach(() => setLanguage('en'));

describe('locales', () => {
  it.each(['ru', 'bg'] as const)('%s has every English text, with the same parameters, and no others', (code) => {
    const texts = locales[code];
    expect([...baseKeys(texts)].sort()).toEqual([...baseKeys(en)].sort());
    for (const key of baseKeys(en)) expect(paramsOf(textOf(texts, key)!), key).toEqual(paramsOf(textOf(en, key)!));
    for (const [key, text] of Object.entries(texts)) expect(text.trim(), key).not.toBe('');
  });

  it('every code the engine says has a text in every language, using exactly its parameters', () => {
    for (const [code, texts] of Object.entries(locales))
      for (const said of sayCodes)
        expect(paramsOf(texts[`say.${said}`] ?? ''), `${code} say.${said}`).toEqual([...sayParams(said)].sort());
  });

  it('every text the screen reads is a key of the locales', () => {
    // Reading every entry of `t` (getters and functions with sample arguments) finds no missing key.
    setLanguage('ru');
    for (const [name, entry] of Object.entries(Object.getOwnPropertyDescriptors(t))) {
      const value: unknown = entry.get ? entry.get.call(t) : entry.value;
      if (typeof value === 'string') expect(value, name).not.toBe(name);
    }
  });
});

describe('switching language', () => {
  it('the same call reads English, Russian or Bulgarian', () => {
    expect(t.pay).toBe('Pay');
    setLanguage('ru');
    expect(language()).toBe('ru');
    expect(t.pay).toBe('Оплата');
    expect(t.cardNotFound('123')).toBe('Карта не найдена: 123');
    setLanguage('bg');
    expect(t.pay).toBe('Плащане');
  });

  it('plurals follow each language', () => {
    expect(t.waiting(1)).toBe('1 waiting to sync');
    expect(t.waiting(3)).toBe('3 waiting to sync');
    setLanguage('ru');
    expect(t.waiting(1)).toBe('Ждёт синхронизации: 1');
    expect(t.waiting(3)).toBe('Ждут синхронизации: 3');
    expect(t.waiting(21)).toBe('Ждёт синхронизации: 21');
    setLanguage('bg');
    expect(t.waiting(1)).toBe('1 чака синхронизация');
    expect(t.waiting(2)).toBe('2 чакат синхронизация');
  });

  it('engine explanations are translated from their codes, money written the language’s way', () => {
    const params = { amountMinor: 125, product: 'Milk' };
    expect(say('member-price', params, 'EUR')).toBe('-1.25 EUR: member price on Milk');
    setLanguage('ru');
    expect(say('member-price', params, 'EUR')).toBe('-1,25 EUR: цена для участников на Milk');
    expect(tr('say.points-not-enough', { balance: 12_500 })).toBe('Недостаточно баллов: доступно 12\u00a0500');
  });
});
