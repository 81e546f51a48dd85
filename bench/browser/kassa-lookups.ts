/**
 * In-page, the Kassa arm's store lookups: the till's own member store
 * (src-renderer/src/db/member-store.ts, `openMemberStore`), opened on the
 * database the till page wrote (same origin, same profile), timed like the
 * baselines. The store is passed in by a stub the bench writes at run time,
 * so this file builds whether or not the store exists yet.
 *
 * Beside the 1,000 card lookups: the same members by phone hash (the hash
 * read from the member's row first, untimed: hashing a typed number is not
 * the store's work) and by name prefix, as a cashier types one: the first
 * three letters of the surname (thousands match; the store gives the first
 * 20 and says there are more) and the first name with two letters of the
 * surname. A build whose store has no phone or name lookups skips them.
 */
import { chainName } from '../../shared/demo-chain';
import { nameQuery } from '../../shared/member-name';
import type { KassaLookupResult, LookupTimes } from '../support/page-types';
import { lookupCards, timeLookups } from './lookups';

export type KassaStore = {
  byCard: (card: string) => Promise<{ phoneHash: string } | null>;
  byPhoneHashes?: (hashes: readonly string[]) => Promise<unknown[]>;
  byNamePrefix?: (prefix: string, limit: number) => Promise<{ members: unknown[] }>;
};

/** Members a name search asks for (src-renderer/src/db/members.ts NAME_MATCHES). */
const NAME_LIMIT = 20;

export function installKassaLookups(openMemberStore: (name: string) => KassaStore | Promise<KassaStore>): void {
  async function kassaLookups(options: { members: number }): Promise<KassaLookupResult> {
    const names = (await indexedDB.databases()).map((d) => d.name ?? '');
    const database = names.find((n) => n.startsWith('kassa-members'));
    if (!database) throw new Error(`no kassa-members database in ${names.join(', ')}`);
    const store = await openMemberStore(database);
    const cards = lookupCards(options.members, 1000);
    const lookups = await timeLookups(cards, (card) => store.byCard(card));
    let phone: LookupTimes | undefined;
    if (store.byPhoneHashes) {
      const hashes: string[] = [];
      for (const card of cards) {
        const hash = (await store.byCard(card))?.phoneHash;
        if (hash) hashes.push(hash);
      }
      const byPhone = store.byPhoneHashes;
      phone = await timeLookups(hashes, async (h) => (await byPhone([h])).length > 0);
    }
    const byName: Record<string, LookupTimes> = {};
    if (store.byNamePrefix) {
      const byPrefix = store.byNamePrefix;
      // chainName(i) is "First Last i"; the lookup members are the card lookups' members.
      const people = Array.from({ length: 1000 }, (_, k) => chainName((k * 7_919 + 13) % options.members).split(' '));
      const asked = {
        surname3: people.map(([, last]) => nameQuery(last!.slice(0, 3))),
        firstAndSurname2: people.map(([first, last]) => nameQuery(`${first} ${last!.slice(0, 2)}`)),
      };
      for (const [kind, prefixes] of Object.entries(asked))
        byName[kind] = await timeLookups(prefixes, async (p) => (await byPrefix(p, NAME_LIMIT)).members.length > 0);
    }
    return { database, lookups, phone, byName };
  }
  Object.assign(window, { benchKassaLookups: kassaLookups });
}
