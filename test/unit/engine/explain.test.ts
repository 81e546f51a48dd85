/**
 * The engine's explanation as codes: every step and refusal carries a code and parameters from which its English
 * text is made (the till translates the same code), and a discount over several lines drops the product.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import {
  emptyMemberState,
  quote,
  sayEnglish,
  sayParams,
  validateProgram,
  type BasketLine,
} from '../../../shared/engine';

function program(name: string) {
  const parsed = validateProgram(
    JSON.parse(readFileSync(new URL(`../../../examples/${name}.json`, import.meta.url), 'utf8')),
  );
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
  return parsed.program;
}

function line(id: string, priceMinor: number, over: Partial<BasketLine> = {}): BasketLine {
  return {
    lineId: id,
    productId: `p-${id}`,
    ean: '4006381333931',
    name: `Item ${id}`,
    categoryId: 'grocery',
    tags: [],
    unit: 'each',
    quantity: 1,
    grams: null,
    unitPriceMinor: priceMinor,
    ...over,
  };
}

const member = { id: '01J9ZQ6V4B8M3N2P5R7S9T0W1X', state: { ...emptyMemberState(), balance: 500 } };

describe('explanation codes', () => {
  it('each step and each refusal has a code whose English text, made from its parameters, is the text', () => {
    const p = program('supermarket');
    const quotes = [
      quote({
        program: p,
        member,
        basket: [line('a', 1250), line('b', 399)],
        at: '2026-11-23T10:00:00Z',
        timeZone: 'UTC',
      }),
      quote({
        program: p,
        member,
        basket: [line('a', 1250)],
        at: '2026-11-23T10:00:00Z',
        timeZone: 'UTC',
        redeem: { kind: 'points', points: 100 },
      }),
      quote({
        program: p,
        member,
        basket: [line('a', 1250)],
        at: '2026-11-23T10:00:00Z',
        timeZone: 'UTC',
        redeem: { kind: 'points', points: 100_000 },
      }),
    ];
    const steps = quotes.flatMap((q) => q.explanation);
    expect(steps.length).toBeGreaterThan(2);
    for (const e of steps) {
      expect(e.text).toBe(sayEnglish(e.code, e.params, 'EUR'));
      for (const name of sayParams(e.code)) expect(e.params).toHaveProperty(name);
    }
    const refusals = quotes.flatMap((q) => q.errors);
    expect(refusals.map((e) => e.say)).toContain('points-not-enough');
    for (const e of refusals) expect(e.message).toBe(sayEnglish(e.say, e.params, 'EUR'));
  });

  it('a discount on one line names the product; once it covers two, the product is dropped', () => {
    const p = program('pharmacy');
    const card = p.discountCard;
    if (!card) throw new Error('the pharmacy example has a discount card');
    const state = { ...emptyMemberState(), segments: card.segment ? [card.segment] : [] };
    const at = '2026-11-23T10:00:00Z';
    const cat = (id: string) =>
      line(id, 1000, card.filter?.categories ? { categoryId: card.filter.categories[0]! } : {});
    const one = quote({ program: p, member: { id: member.id, state }, basket: [cat('a')], at, timeZone: 'UTC' });
    const two = quote({
      program: p,
      member: { id: member.id, state },
      basket: [cat('a'), cat('b')],
      at,
      timeZone: 'UTC',
    });
    const single = one.explanation.find((e) => e.ruleId === 'discount-card');
    const merged = two.explanation.find((e) => e.ruleId === 'discount-card');
    expect(single).toMatchObject({ code: 'discount-card', params: { product: 'Item a' } });
    expect(merged?.code).toBe('discount-card-all');
    expect(merged?.params).not.toHaveProperty('product');
    expect(merged?.discountMinor).toBe(2 * single!.discountMinor!);
    expect(merged?.text).toBe(sayEnglish('discount-card-all', merged!.params, p.currency));
  });
});
