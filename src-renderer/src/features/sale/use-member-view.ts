/**
 * The attached member's view, live: their snapshot plus this till's unconfirmed journal, through the shared
 * projection. It follows the journal (this till's own sales) and the member stream (changes from head office
 * and other tills), and reads a household's account member for its shared points.
 */
import { useEffect, useState } from 'react';
import type { StoreConfig } from '../../../../shared/documents';
import type { MemberState } from '../../../../shared/engine/member-state';
import type { MemberRecord } from '../../../../shared/member-snapshot';
import type { TillDatabase } from '../../db/database';
import { lookupFallback, type MemberSync } from '../../db/member-sync-client';
import { memberById } from '../../db/members';
import { accountIdFor, memberViewOf } from '../../db/sales';

export type MemberView = {
  memberId: string;
  accountId: string;
  state: MemberState;
  /** Versions of the snapshots the view was computed from: the sale names them for the server's re-check. */
  memberSeq: number;
  accountSeq: number | null;
  /** The household account holder's name when the member shops on a shared account; else null. */
  accountName: string | null;
};

export function useMemberView(
  db: TillDatabase | null,
  memberSync: MemberSync | null,
  store: StoreConfig | null,
  member: MemberRecord | null,
): MemberView | null {
  const [view, setView] = useState<MemberView | null>(null);
  useEffect(() => {
    if (!db || !member || !store || !memberSync) return;
    let accountId: string | null = null;
    // The first view is of the record just found; later ones read it again (it may have changed).
    let fresh = true;
    // Reads finish out of order: only the newest one started for this member may set the view. (An older
    // member's read finishing after this member's showed an empty panel until something changed.)
    let latest = 0;
    let live = true;
    const refresh = () => {
      const n = ++latest;
      void (async () => {
        // While the member list loads (and on a region's till), a member the store lacks is read from the server.
        const online = lookupFallback(memberSync);
        const row = fresh ? member : ((await memberById(memberSync.store, member.id, online)) ?? member);
        fresh = false;
        // A household shares one account: its points are the account member's, the rest is the member's own.
        accountId = await accountIdFor(db, row);
        const account = accountId === row.id ? null : await memberById(memberSync.store, accountId, online);
        const v = await memberViewOf(db, row, account, store.timeZone);
        if (!live || n !== latest) return;
        setView({ ...v, memberSeq: row.seq, accountSeq: account?.seq ?? null, accountName: account?.name ?? null });
      })();
    };
    refresh();
    const a = db.journal.$.subscribe(refresh);
    const b = memberSync.changes$.subscribe((ids) => {
      if (ids === '*' || ids.includes(member.id) || (accountId !== null && ids.includes(accountId))) refresh();
    });
    return () => {
      live = false;
      a.unsubscribe();
      b.unsubscribe();
    };
  }, [db, member, store, memberSync]);
  // A view of an earlier member is never shown for this one.
  return member && view?.memberId === member.id ? view : null;
}
