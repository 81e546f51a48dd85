/**
 * In-page, at the till's origin: what the till's member store holds now —
 * its checkpoint and the names of some members — read through the till's
 * own store (src-renderer/src/db/member-store.ts, `openMemberStore`) on the
 * database the till page's worker writes. The stream bench polls it to see
 * when the till holds every change. The store is passed in by a stub the
 * bench writes at run time (as kassa-lookups.ts).
 */
import type { KassaMemberWatch } from '../support/page-types';

type WatchedStore = {
  state: () => Promise<{ checkpoint: number; count: number }>;
  byId: (id: string) => Promise<{ name: string } | null>;
};

export function installKassaMemberWatch(openMemberStore: (name: string) => Promise<WatchedStore>): void {
  let store: Promise<WatchedStore> | null = null;

  async function open(): Promise<WatchedStore> {
    const names = (await indexedDB.databases()).map((d) => d.name ?? '');
    const database = names.find((n) => n.startsWith('kassa-members'));
    if (!database) throw new Error(`no kassa-members database in ${names.join(', ')}`);
    return openMemberStore(database);
  }

  async function watchMembers(ids: readonly string[]): Promise<KassaMemberWatch> {
    store ??= open();
    const s = await store;
    const state = await s.state();
    const names = await Promise.all(ids.map(async (id) => (await s.byId(id))?.name ?? null));
    return { checkpoint: state.checkpoint, count: state.count, names };
  }
  Object.assign(window, { benchKassaMemberWatch: watchMembers });
}
