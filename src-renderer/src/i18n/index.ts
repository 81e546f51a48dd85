/**
 * The till's languages through i18next: English, Russian and Bulgarian, bundled (a till offline from its first
 * start still speaks its language). The choice is the till's, kept in its browser storage; a till with none
 * takes the system's language when it is one of these, else English. Texts are looked up by key with named
 * parameters; plurals follow each language's rules (Intl.PluralRules).
 */
import i18next, { type i18n } from 'i18next';
import { en } from './en';
import { ru } from './ru';
import { bg } from './bg';

export const languages = [
  { code: 'en', name: 'English' },
  { code: 'ru', name: 'Русский' },
  { code: 'bg', name: 'Български' },
] as const;
export type Language = (typeof languages)[number]['code'];

const STORAGE_KEY = 'kassa.language';

function isLanguage(code: unknown): code is Language {
  return languages.some((l) => l.code === code);
}

/** The page's globals this module uses (typed here: the module is also loaded by tests outside a page). */
type PageGlobals = {
  localStorage?: { getItem(key: string): string | null; setItem(key: string, value: string): void };
  navigator?: { language: string };
  document?: { documentElement: { lang: string } };
};
const page = globalThis as PageGlobals;

function storage(): PageGlobals['localStorage'] | null {
  try {
    return page.localStorage ?? null;
  } catch {
    return null;
  }
}

function initialLanguage(): Language {
  const saved = storage()?.getItem(STORAGE_KEY);
  if (isLanguage(saved)) return saved;
  const system = page.navigator?.language.slice(0, 2);
  return isLanguage(system) ? system : 'en';
}

const instance: i18n = i18next.createInstance();
void instance.init({
  resources: { en: { translation: en }, ru: { translation: ru }, bg: { translation: bg } },
  lng: initialLanguage(),
  fallbackLng: 'en',
  supportedLngs: languages.map((l) => l.code),
  // Keys are flat (`say.member-price`) and texts may hold colons and dots.
  keySeparator: false,
  nsSeparator: false,
  // React escapes what it renders; the texts are not HTML.
  interpolation: { escapeValue: false },
  initAsync: false,
  returnNull: false,
});

if (page.document) page.document.documentElement.lang = instance.language;

export function language(): Language {
  const code = instance.language;
  return isLanguage(code) ? code : 'en';
}

/** Switches the till's language and remembers it across restarts. */
export function setLanguage(code: Language): void {
  void instance.changeLanguage(code);
  storage()?.setItem(STORAGE_KEY, code);
  if (page.document) page.document.documentElement.lang = code;
}

/** Whether a key has a text in English (every key does in every language: the i18n test checks it). */
export function hasText(key: string): boolean {
  return key in en;
}

const numberFormats = new Map<Language, Intl.NumberFormat>();

/** One number format per language, made once (texts are read at every render). */
function numberFormat(code: Language): Intl.NumberFormat {
  let format = numberFormats.get(code);
  if (!format) numberFormats.set(code, (format = new Intl.NumberFormat(code)));
  return format;
}

/** The text of `key` in the till's language, with its parameters; numbers are written the language's way. */
export function tr(key: string, params: Record<string, string | number> = {}): string {
  const numbers = numberFormat(language());
  const values: Record<string, string | number> = {};
  for (const [name, value] of Object.entries(params))
    values[name] = typeof value === 'number' && name !== 'count' ? numbers.format(value) : value;
  if ('count' in params) values.count = params.count!;
  return instance.t(key, values);
}
