/**
 * Member names as the till searches them: a name typed at the till finds a
 * member by the start of any word of their name, whatever the accents and
 * case, in Latin or Cyrillic script.
 *
 * Normal form (`normaliseName`): NFKD, combining marks removed, lower case,
 * a few letters that do not decompose folded by hand (ß → ss, ø → o, ł → l,
 * đ → d, æ → ae, œ → oe), apostrophes dropped, every other run of
 * characters that are neither letters nor digits one space. So "Zoë" and
 * "zoe" are one, "Çelik" is "celik", ё is е and й is и (the query is folded
 * the same way, so "Йор" finds "Йордан"). Cyrillic stays Cyrillic: there is
 * no transliteration, a cashier types the script the name is in.
 *
 * Search keys (`nameKeys`): for a name of words w1 … wn, the n word suffixes
 * "w1 … wn", "w2 … wn", …, "wn", each followed by NUL and the member's card.
 * A query is normalised and is a prefix of the keys of the members it finds:
 * "pet" finds "Ivan Petrov" by "petrov", "ivan pe" by "ivan petrov". NUL
 * sorts below every character, so a member's keys sort by name and the keys
 * of one name stay together. Keys are capped at NAME_KEY_MAX characters
 * before the card, and names at NAME_WORDS_MAX words.
 *
 * Pure: used by the till's member store and its tests alike.
 */

/** Characters of a name key before its card. */
export const NAME_KEY_MAX = 48;
/** Words of a name that get a key of their own. */
export const NAME_WORDS_MAX = 6;
/** Between a key's name part and its card. */
export const NAME_KEY_SEPARATOR = '\u0000';

const FOLDED: Readonly<Record<string, string>> = {
  ß: 'ss',
  ø: 'o',
  ł: 'l',
  đ: 'd',
  æ: 'ae',
  œ: 'oe',
  ı: 'i',
  þ: 'th',
};

/** The normal form of a name or a query (see the header); '' when it has no letters or digits. */
export function normaliseName(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/[ßøłđæœıþ]/g, (c) => FOLDED[c] ?? c)
    .replace(/['’ʼ`]/g, '')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

/** The words of a normalised name, at most NAME_WORDS_MAX. */
function words(normal: string): string[] {
  return normal === '' ? [] : normal.split(' ').slice(0, NAME_WORDS_MAX);
}

/** The name part of each key of a name (word suffixes, capped), without duplicates, in the order they sort. */
export function nameKeyParts(name: string): string[] {
  const w = words(normaliseName(name));
  const parts = new Set<string>();
  for (let i = 0; i < w.length; i++) parts.add(w.slice(i).join(' ').slice(0, NAME_KEY_MAX).trimEnd());
  return [...parts].sort();
}

/** The search keys of a member's name at a card (see the header), sorted. */
export function nameKeys(name: string, card: string): string[] {
  return nameKeyParts(name).map((part) => `${part}${NAME_KEY_SEPARATOR}${card}`);
}

/** The key prefix a typed query matches, or '' when the text has nothing to search by. */
export function nameQuery(text: string): string {
  return normaliseName(text).slice(0, NAME_KEY_MAX).trimEnd();
}

/**
 * Whether `text` reads as a name rather than a card or phone number: it has a letter and no digit (a Code 128
 * card such as `KM000000093` is a card, never a name).
 */
export function looksLikeName(text: string): boolean {
  return /\p{L}/u.test(text) && !/\d/.test(text);
}
