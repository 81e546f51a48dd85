/**
 * The name normaliser and search keys (shared/member-name.ts): accents and
 * case folded, Cyrillic kept, every word a key, a query a prefix.
 */
import { describe, expect, it } from 'vitest';
import { looksLikeName, nameKeyParts, nameKeys, nameQuery, normaliseName } from '../../shared/member-name';

describe('normalising a name', () => {
  it('folds diacritics and case in Latin script', () => {
    expect(normaliseName('Zoë')).toBe('zoe');
    expect(normaliseName('Çelik')).toBe('celik');
    expect(normaliseName('JOSÉ Müller-Łukasz')).toBe('jose muller lukasz');
    expect(normaliseName('Straße Øster')).toBe('strasse oster');
    expect(normaliseName('ﬁonn')).toBe('fionn');
  });

  it('keeps Cyrillic Cyrillic, folds its case, ё to е and й to и', () => {
    expect(normaliseName('Иван ПЕТРОВ')).toBe('иван петров');
    expect(normaliseName('Ёлка')).toBe('елка');
    expect(normaliseName('Йордан')).toBe('иордан');
    // No transliteration: a Latin query does not find a Cyrillic name.
    expect(normaliseName('Ivan')).not.toBe(normaliseName('Иван'));
  });

  it('makes words of runs of letters and digits; apostrophes join', () => {
    expect(normaliseName("  O'Brien,  Mary-Ann  ")).toBe('obrien mary ann');
    expect(normaliseName('...')).toBe('');
  });
});

describe('name search keys', () => {
  it('are the word suffixes of the name, each with the card, sorted', () => {
    expect(nameKeyParts('Ivan Petrov Ivanov')).toEqual(['ivan petrov ivanov', 'ivanov', 'petrov ivanov']);
    expect(nameKeys('Zoë Çelik', '2990000000001')).toEqual([
      'celik\u00002990000000001',
      'zoe celik\u00002990000000001',
    ]);
    expect(nameKeys('', '1')).toEqual([]);
  });

  it('are found by a typed prefix of any word, and by several words', () => {
    const keys = nameKeys('Йордан Ёлкин', '2990000000001');
    const finds = (typed: string) => keys.some((k) => k.startsWith(nameQuery(typed)));
    for (const typed of ['йор', 'ЙОРДАН', 'елк', 'Ёлкин', 'йордан ел', 'Йордан Ёлкин'])
      expect(finds(typed), typed).toBe(true);
    for (const typed of ['ордан', 'елкин йордан', 'jor']) expect(finds(typed), typed).toBe(false);
    expect(nameKeys('Zoë', '1').some((k) => k.startsWith(nameQuery('ZOE')))).toBe(true);
  });

  it('sorts one name below a longer name with the same start', () => {
    const [short] = nameKeys('Ana', '9');
    const [long] = nameKeys('Ana Maria', '1');
    expect(short! < long!).toBe(true);
  });

  it('tells a name from a card or phone number', () => {
    expect(looksLikeName('Ив')).toBe(true);
    expect(looksLikeName('zo')).toBe(true);
    expect(looksLikeName('+359 88 123 4567')).toBe(false);
    expect(looksLikeName('2990000000001')).toBe(false);
    expect(looksLikeName('KM000000093')).toBe(false);
  });
});
