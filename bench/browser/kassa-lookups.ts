/**
 * In-page, the Kassa arm's store lookups: the till's own member store
 * (src-renderer/src/db/member-store.ts, `openMemberStore`), opened on the
 * database the till page wrote (same origin, same profile), timed like the
 * baselines. The store is passed in by a stub the bench writes at run time,
 * so this file builds whether or not the store exists yet.
 */
import type { KassaLookupResult } from '../support/page-types';
import { lookupCards, timeLookups } from './lookups';

export type KassaStore = { byCard: (card: string) => Promise<unknown> };

export function installKassaLookups(openMemberStore: (name: string) => KassaStore | Promise<KassaStore>): void {
  async function kassaLookups(options: { members: number }): Promise<KassaLookupResult> {
    const names = (await indexedDB.databases()).map((d) => d.name ?? '');
    const database = names.find((n) => n.startsWith('kassa-members'));
    if (!database) throw new Error(`no kassa-members database in ${names.join(', ')}`);
    const store = await openMemberStore(database);
    const lookups = await timeLookups(lookupCards(options.members, 1000), (card) => store.byCard(card));
    return { database, lookups };
  }
  Object.assign(window, { benchKassaLookups: kassaLookups });
}
