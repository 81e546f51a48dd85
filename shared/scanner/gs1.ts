/**
 * GS1 element strings (GS1-128, GS1 DataMatrix, GS1 QR): application
 * identifiers → values the till can use. Pure.
 *
 * GS1 General Specifications §3 (application identifiers) and §7.8 (FNC1 and
 * the group separator): fixed-length AIs run straight into the next AI;
 * variable-length AIs end at a GS (0x1D) or at the end of the data. The
 * scanner transmits FNC1 in first position as the AIM symbology modifier
 * (]C1, ]d2, ]Q3), so the element string itself starts with the first AI.
 */
export type Gs1Element = { ai: string; value: string };

export type Gs1Data = {
  elements: Gs1Element[];
  gtin: string | null;
  /** AI 310n: net weight in kg with n decimals, as grams. */
  grams: number | null;
  /** AI 392n: price in the currency's minor units (n decimals must match the currency's). */
  priceMinor: number | null;
  /** AI 17: expiry date, ISO yyyy-mm-dd (day 00 means the end of the month). */
  expiry: string | null;
  batch: string | null;
  serial: string | null;
};

const GS = '\u001d';

// [ai prefix, length of the AI itself, fixed data length or null for variable (max)]
type AiSpec = { aiLength: number; fixed: number | null; max: number };
const spec = (ai: string): AiSpec | null => {
  const two = ai.slice(0, 2);
  const three = ai.slice(0, 3);
  if (two === '00') return { aiLength: 2, fixed: 18, max: 18 };
  if (two === '01' || two === '02') return { aiLength: 2, fixed: 14, max: 14 };
  if (['11', '12', '13', '15', '16', '17'].includes(two)) return { aiLength: 2, fixed: 6, max: 6 };
  if (two === '10' || two === '21' || two === '22') return { aiLength: 2, fixed: null, max: 20 };
  if (two === '20') return { aiLength: 2, fixed: 2, max: 2 };
  if (two === '30' || two === '37') return { aiLength: 2, fixed: null, max: 8 };
  if (/^3[1-6]\d$/.test(three)) return { aiLength: 4, fixed: 6, max: 6 };
  if (three === '390' || three === '392') return { aiLength: 4, fixed: null, max: 15 };
  if (three === '391' || three === '393') return { aiLength: 4, fixed: null, max: 18 };
  if (two === '24' || two === '25') return { aiLength: 3, fixed: null, max: 30 };
  if (two === '41') return { aiLength: 3, fixed: 13, max: 13 };
  if (three === '420') return { aiLength: 3, fixed: null, max: 20 };
  if (three === '421') return { aiLength: 3, fixed: null, max: 12 };
  if (three === '422' || three === '424' || three === '426') return { aiLength: 3, fixed: 3, max: 3 };
  if (three === '423' || three === '425') return { aiLength: 3, fixed: null, max: 15 };
  if (two === '90') return { aiLength: 2, fixed: null, max: 30 };
  if (/^9[1-9]$/.test(two)) return { aiLength: 2, fixed: null, max: 90 };
  return null;
};

/**
 * GS1 dates are YYMMDD; day 00 means the last day of the month. Years are
 * read as 2000–2099 (GS1 picks the century nearest today, which is this one
 * for goods on sale now). An impossible date makes the code unreadable.
 */
const dateOf = (yymmdd: string): string | null => {
  const year = 2000 + Number(yymmdd.slice(0, 2));
  const month = Number(yymmdd.slice(2, 4));
  let day = Number(yymmdd.slice(4, 6));
  if (month < 1 || month > 12) return null;
  const last = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (day === 0) day = last;
  if (day > last) return null;
  return `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
};

export type Gs1Result = { ok: true; data: Gs1Data } | { ok: false; reason: string };

export const parseGs1 = (raw: string): Gs1Result => {
  const s = raw.startsWith(GS) ? raw.slice(1) : raw;
  const elements: Gs1Element[] = [];
  let i = 0;
  while (i < s.length) {
    if (s[i] === GS) {
      i++;
      continue;
    }
    const sp = spec(s.slice(i, i + 4));
    if (!sp) return { ok: false, reason: `unknown application identifier at "${s.slice(i, i + 4)}"` };
    const ai = s.slice(i, i + sp.aiLength);
    i += sp.aiLength;
    let value: string;
    if (sp.fixed !== null) {
      value = s.slice(i, i + sp.fixed);
      if (value.length !== sp.fixed || value.includes(GS))
        return { ok: false, reason: `AI ${ai} needs ${sp.fixed} characters` };
      i += sp.fixed;
    } else {
      const end = s.indexOf(GS, i);
      value = s.slice(i, end === -1 ? s.length : end);
      if (value.length === 0 || value.length > sp.max)
        return { ok: false, reason: `AI ${ai} has ${value.length} characters (1–${sp.max})` };
      i += value.length;
    }
    if (/^(0[0-2]|1[1-7]|20|3[1-9]\d|41|42[2246])/.test(ai) && !/^\d+$/.test(value))
      return { ok: false, reason: `AI ${ai} must be digits` };
    if (/^1[1-7]$/.test(ai) && dateOf(value) === null) return { ok: false, reason: `AI ${ai} is not a date: ${value}` };
    elements.push({ ai, value });
  }
  if (elements.length === 0) return { ok: false, reason: 'no application identifiers' };

  const find = (pred: (ai: string) => boolean) => elements.find((e) => pred(e.ai)) ?? null;
  const weight = find((ai) => /^310\d$/.test(ai));
  const price = find((ai) => /^392\d$/.test(ai));
  const expiry = find((ai) => ai === '17');
  const scale = (e: Gs1Element, target: number) => {
    const decimals = Number(e.ai[3]);
    const n = Number(e.value);
    return decimals <= target ? n * 10 ** (target - decimals) : Math.round(n / 10 ** (decimals - target));
  };
  return {
    ok: true,
    data: {
      elements,
      gtin: find((ai) => ai === '01')?.value ?? null,
      grams: weight ? scale(weight, 3) : null,
      priceMinor: price ? scale(price, 2) : null,
      expiry: expiry ? dateOf(expiry.value) : null,
      batch: find((ai) => ai === '10')?.value ?? null,
      serial: find((ai) => ai === '21')?.value ?? null,
    },
  };
};

/** True when the data looks like a GS1 element string (starts with AI 01 or 02 plus 14 digits, or with a GS). */
export const looksLikeGs1 = (raw: string): boolean => raw.startsWith(GS) || /^0[12]\d{14}/.test(raw);
