/**
 * A member's history as the till shows it (shared/history.ts): the server's answer merged with the till's own
 * documents once each, newest first, within the limits; every kind of points movement has words of its own.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ledgerTypes } from '../../shared/documents';
import {
  HISTORY_ENTRIES,
  HISTORY_SALES,
  historyReason,
  historyReasons,
  mergeHistory,
  type HistoryEntry,
  type HistorySale,
} from '../../shared/history';
import { en } from '../../src-renderer/src/i18n/en';
import { ru } from '../../src-renderer/src/i18n/ru';
import { bg } from '../../src-renderer/src/i18n/bg';

const ULID = '01KDVDNA00000000000000000';

function sale(n: number, at: string): HistorySale {
  return {
    id: `${ULID}${n % 10}`.slice(0, 25) + String.fromCharCode(65 + (n % 26)),
    tillId: 'till-1',
    receiptNo: n + 1,
    at,
    totalMinor: 100 * n,
    currency: 'EUR',
    refundOf: null,
    lines: [],
  };
}

function entry(id: string, at: string): HistoryEntry {
  return { id, type: 'earn', points: 1, reason: '', ruleId: 'earn', saleId: null, at };
}

describe('member history', () => {
  it('merges the server answer and the till documents once each, newest first, within the limits', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 0, max: 200 }), { maxLength: 80 }),
        fc.uniqueArray(fc.integer({ min: 0, max: 200 }), { maxLength: 80 }),
        (serverIds, ownIds) => {
          const at = (n: number) => new Date(Date.UTC(2026, 0, 1, 0, n)).toISOString();
          const server = { sales: [], entries: serverIds.map((n) => entry(`e${n}`, at(n))) };
          const own = { sales: [], entries: ownIds.map((n) => entry(`e${n}`, at(n))) };
          const merged = mergeHistory(server, own).entries;
          const all = [...new Set([...serverIds, ...ownIds])].sort((a, b) => b - a);
          expect(merged.map((e) => e.id)).toEqual(all.slice(0, HISTORY_ENTRIES).map((n) => `e${n}`));
        },
      ),
    );
  });

  it('keeps the server copy of a document both hold, and at most the newest sales', () => {
    const a = sale(1, '2026-01-02T10:00:00.000Z');
    const fromServer = { ...a, totalMinor: 999 };
    const many = Array.from({ length: 30 }, (_, i) => sale(i + 2, new Date(Date.UTC(2026, 0, 3, i)).toISOString()));
    const merged = mergeHistory({ sales: [fromServer], entries: [] }, { sales: [a, ...many], entries: [] });
    expect(merged.sales).toHaveLength(HISTORY_SALES);
    expect(merged.sales[0]!.at > merged.sales[1]!.at).toBe(true);
    expect(mergeHistory({ sales: [fromServer], entries: [] }, { sales: [a], entries: [] }).sales).toEqual([fromServer]);
    expect(mergeHistory(null, { sales: [a], entries: [] }).sales).toEqual([a]);
  });

  it('says every kind of movement in words, and keeps a reason typed by staff as typed', () => {
    const cases: Array<[Pick<HistoryEntry, 'type' | 'ruleId' | 'points' | 'reason'>, string]> = [
      [{ type: 'earn', ruleId: 'earn', points: 10, reason: '+10 1 point per EUR' }, 'earn'],
      [{ type: 'redeem', ruleId: 'pay-with-points', points: -100, reason: '' }, 'payWithPoints'],
      [{ type: 'redeem', ruleId: 'reward:coffee', points: -300, reason: '' }, 'reward'],
      [{ type: 'bonus', ruleId: 'bonus:signup', points: 50, reason: 'Welcome bonus' }, 'bonusSignup'],
      [{ type: 'bonus', ruleId: 'bonus:email-confirmed', points: 20, reason: '' }, 'bonusEmail'],
      [{ type: 'bonus', ruleId: 'bonus:review', points: 20, reason: '' }, 'bonusReview'],
      [{ type: 'bonus', ruleId: 'bonus:birthday', points: 20, reason: '' }, 'bonusBirthday'],
      [{ type: 'bonus', ruleId: 'bonus:referral', points: 20, reason: '' }, 'bonusReferral'],
      [{ type: 'bonus', ruleId: 'offers', points: 5, reason: '' }, 'bonus'],
      [{ type: 'expire', ruleId: null, points: -5, reason: '' }, 'expire'],
      [{ type: 'refund', ruleId: 'refund:earn', points: -5, reason: '' }, 'refundEarn'],
      [{ type: 'refund', ruleId: 'refund:redeem', points: 5, reason: '' }, 'refundRedeem'],
      [{ type: 'transfer', ruleId: null, points: 5, reason: '' }, 'transfer'],
    ];
    for (const [e, reason] of cases) expect(historyReason(e)).toEqual({ reason, note: null });
    expect(historyReason({ type: 'adjust', ruleId: null, points: 5, reason: 'Goodwill' })).toEqual({
      reason: 'adjust',
      note: 'Goodwill',
    });
    // Every ledger type is covered, and every reason has its words in each language.
    for (const type of ledgerTypes)
      expect(historyReasons).toContain(historyReason({ type, ruleId: null, points: 1, reason: '' }).reason);
    for (const texts of [en, ru, bg])
      for (const reason of historyReasons) expect(texts[`historyReason.${reason}`]).toBeTruthy();
  });
});
