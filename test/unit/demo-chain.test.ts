/**
 * The demo chain's generator (shared/demo-chain.ts) and its size settings
 * (src-server/seed-chain.ts): cards scan as member cards with valid check
 * digits, ids are deterministic ULIDs, nothing meets the demo members'
 * cards, ids or phones, and every state parses with its balance backed by
 * its lots.
 */
import { decodeTime } from 'ulid';
import { describe, expect, it } from 'vitest';
import { isValidGtin } from '../../shared/barcode';
import {
  chainCardNumber,
  chainLedgerId,
  chainMember,
  chainMemberId,
  chainPhone,
  chainProduct,
  chainProductEan,
} from '../../shared/demo-chain';
import { memberStateSchema } from '../../shared/engine/member-state';
import { normalisePhone } from '../../shared/phone';
import { classifyScan } from '../../shared/scan';
import { chainSizeFromEnv } from '../../src-server/seed-chain';
import { demoCardNumber, demoPhone, demoUlid } from '../../src-server/seed';

const SAMPLE = [0, 1, 2, 19, 20, 999, 12_345, 999_999, 1_000_000, 79_999_999];
const DEMO = Array.from({ length: 20 }, (_, k) => k + 1);

describe('the demo chain generator', () => {
  it('gives each member an EAN-13 card under 299 that scans as a member card', () => {
    for (const i of SAMPLE) {
      const card = chainCardNumber(i);
      expect(card).toMatch(/^2991\d{9}$/);
      expect(isValidGtin(card)).toBe(true);
      expect(classifyScan(card)).toEqual({ kind: 'member-card', cardNumber: card });
    }
    expect(new Set(SAMPLE.map(chainCardNumber)).size).toBe(SAMPLE.length);
    expect(() => chainCardNumber(-1)).toThrow(RangeError);
  });

  it('makes ids that are ULIDs of 2025-01-01, the same on every call, apart from the demo data', () => {
    for (const i of SAMPLE) {
      for (const id of [chainMemberId(i), chainLedgerId(i)]) {
        expect(id).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
        expect(decodeTime(id)).toBe(Date.UTC(2025, 0, 1));
      }
      expect(chainMemberId(i)).toBe(chainMember(i).id);
    }
    const ids = SAMPLE.flatMap((i) => [chainMemberId(i), chainLedgerId(i)]);
    expect(new Set(ids).size).toBe(ids.length);
    const demo = new Set(DEMO.flatMap((n) => [demoUlid(n), demoUlid(100 + n)]));
    expect(ids.some((id) => demo.has(id))).toBe(false);
  });

  it('never gives a chain member a demo member’s card or phone, and every phone is already E.164', () => {
    const cards = new Set(DEMO.map(demoCardNumber));
    const phones = new Set(DEMO.map(demoPhone));
    for (const i of SAMPLE) {
      expect(cards.has(chainCardNumber(i))).toBe(false);
      expect(phones.has(chainPhone(i))).toBe(false);
      expect(normalisePhone(chainPhone(i), 'NL')).toBe(chainPhone(i));
    }
    expect(new Set(SAMPLE.map(chainPhone)).size).toBe(SAMPLE.length);
  });

  it('builds states that parse, with the balance equal to the lots earned minus spent', () => {
    let tiers = 0;
    for (let i = 0; i < 2_000; i++) {
      const { state } = chainMember(i);
      expect(memberStateSchema.parse(state)).toEqual(state);
      const earned = Object.values(state.lots.buckets).reduce((sum, [points]) => sum + points, 0);
      expect(state.balance).toBe(earned - state.lots.spent);
      expect(state.balance).toBeGreaterThanOrEqual(0);
      if (state.tier) tiers++;
    }
    expect(tiers).toBeGreaterThan(0);
  });

  it('is deterministic per (index, seed): the seed varies names, balances and prices, never ids or codes', () => {
    expect(chainMember(7)).toEqual(chainMember(7));
    const [a, b] = [chainMember(7, { seed: 1 }), chainMember(7, { seed: 2 })];
    expect([b.id, b.cardNumber, b.phone]).toEqual([a.id, a.cardNumber, a.phone]);
    expect(chainProduct(7, { seed: 2 }).ean).toBe(chainProduct(7).ean);
  });

  it('gives products valid EAN-13 codes under 872', () => {
    for (const i of SAMPLE) {
      expect(chainProductEan(i)).toMatch(/^872\d{10}$/);
      expect(isValidGtin(chainProductEan(i))).toBe(true);
      expect(chainProduct(i).ean).toBe(chainProductEan(i));
    }
  });
});

describe('KASSA_DEMO_MEMBERS / KASSA_DEMO_PRODUCTS', () => {
  it('reads whole numbers, 0 when unset, and refuses anything else with CONFIG_INVALID', () => {
    expect(chainSizeFromEnv({})).toEqual({ members: 0, products: 0 });
    expect(chainSizeFromEnv({ KASSA_DEMO_MEMBERS: '5000', KASSA_DEMO_PRODUCTS: '' })).toEqual({
      members: 5000,
      products: 0,
    });
    for (const bad of ['-1', '1e6', '12.5', 'lots', '123456789'])
      expect(() => chainSizeFromEnv({ KASSA_DEMO_MEMBERS: bad })).toThrow(
        expect.objectContaining({ code: 'CONFIG_INVALID' }),
      );
  });
});
