/** A points adjustment at the till as journal documents, and what the till refuses before writing one. */
import { describe, expect, it } from 'vitest';
import {
  checkPointsAdjust,
  isAdjustApproval,
  pointsAdjustDocuments,
  TILL_ADJUST_MAX_POINTS,
} from '../../../shared/staff/points-adjust';
import { needsSupervisor } from '../../../shared/staff/till-events';

const MEMBER = '01KDVDNA000000000000000006';
const EVENT = '01KDVDNA0000000000000000E1';
const ENTRY = '01KDVDNA0000000000000000E2';

function codeOf(f: () => void): string | undefined {
  try {
    f();
  } catch (e) {
    return (e as { code?: string }).code;
  }
  return undefined;
}

describe('points adjustments at the till', () => {
  it('is always a supervisor’s', () => {
    expect(needsSupervisor('cashier', 'points-adjust', 0)).toBe(true);
    expect(needsSupervisor('supervisor', 'points-adjust', 0)).toBe(false);
  });

  it('refuses zero, fractions, too many points, no reason and an overdraft, with codes', () => {
    expect(codeOf(() => checkPointsAdjust(100, 0, 'goodwill'))).toBe('ADJUST_BAD_POINTS');
    expect(codeOf(() => checkPointsAdjust(100, 1.5, 'goodwill'))).toBe('ADJUST_BAD_POINTS');
    expect(codeOf(() => checkPointsAdjust(100, TILL_ADJUST_MAX_POINTS + 1, 'goodwill'))).toBe('ADJUST_BAD_POINTS');
    expect(codeOf(() => checkPointsAdjust(100, 10, '  '))).toBe('ADJUST_REASON_MISSING');
    expect(codeOf(() => checkPointsAdjust(100, -101, 'goodwill'))).toBe('NOT_ENOUGH_POINTS');
    expect(codeOf(() => checkPointsAdjust(100, -100, 'goodwill'))).toBeUndefined();
    expect(codeOf(() => checkPointsAdjust(0, TILL_ADJUST_MAX_POINTS, 'goodwill'))).toBeUndefined();
  });

  it('is the approval and the entry it names, in consecutive tillSeqs, with the entry’s own natural id', () => {
    const [event, entry] = pointsAdjustDocuments(
      { tillId: 'till-1', storeId: 'store-1' },
      {
        memberId: MEMBER,
        points: -25,
        reason: ' wrong card scanned ',
        cashierId: 'cashier-1',
        supervisorId: 'supervisor-1',
      },
      { event: EVENT, entry: ENTRY },
      41,
      '2026-12-04T10:00:00.000Z',
    );
    expect(isAdjustApproval(event)).toBe(true);
    expect(event).toMatchObject({
      id: EVENT,
      tillSeq: 41,
      kind: 'event',
      body: {
        type: 'override',
        action: 'points-adjust',
        cashierId: 'cashier-1',
        supervisorId: 'supervisor-1',
        reason: 'wrong card scanned',
        details: { memberId: MEMBER, points: -25, entryId: ENTRY },
      },
    });
    expect(entry).toMatchObject({
      id: ENTRY,
      tillSeq: 42,
      memberId: MEMBER,
      kind: 'entry',
      body: {
        memberId: MEMBER,
        saleId: null,
        type: 'adjust',
        points: -25,
        reason: 'wrong card scanned',
        naturalId: `adjust:${MEMBER}:${ENTRY}`,
        ruleId: null,
      },
    });
  });

  it('writes nothing it could not send: a malformed member id is a coded refusal', () => {
    const write = () =>
      pointsAdjustDocuments(
        { tillId: 'till-1', storeId: 'store-1' },
        { memberId: 'not-a-ulid', points: 5, reason: 'goodwill', cashierId: 'cashier-1', supervisorId: 'supervisor-1' },
        { event: EVENT, entry: ENTRY },
        1,
        '2026-12-04T10:00:00.000Z',
      );
    expect(codeOf(write)).toBe('DOCUMENT_INVALID');
  });
});
