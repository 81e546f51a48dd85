/**
 * A member's history at the till (shared/history.ts): asked of the server
 * while online, cached in this database for members seen here, with this
 * till's own journal documents the server does not hold yet on top.
 *
 * - Online, the server's answer replaces the cached one. Offline, or when the
 *   server cannot answer, the cached answer is shown with its time; a member
 *   never seen here online has only this till's own documents.
 * - The cache keeps the `HISTORY_CACHE_SIZE` members asked about last (an
 *   index document orders them); older ones are removed.
 */
import {
  historyEntry,
  historySale,
  memberHistorySchema,
  mergeHistory,
  type HistoryEntry,
  type HistorySale,
  type MemberHistory,
} from '../../../shared/history';
import type { EntryDoc, SaleDoc } from '../../../shared/documents';
import type { TillDatabase } from './database';

export const HISTORY_CACHE_SIZE = 500;
const INDEX_DOC = 'history-index';
const cacheKey = (memberId: string) => `history:${memberId}`;

export type ServerHistory = (memberId: string) => Promise<MemberHistory | 'unreachable' | 'not-found'>;

/** Asks the server for a member's history; `unreachable` when it cannot answer. */
export function serverHistory(
  options: { serverUrl: string; token: string },
  doFetch: typeof fetch = (input, init) => fetch(input, init),
): ServerHistory {
  return async (memberId) => {
    try {
      const res = await doFetch(new URL(`/api/v1/till/members/${memberId}/history`, options.serverUrl).toString(), {
        headers: { authorization: `Bearer ${options.token}` },
      });
      if (res.status === 404) return 'not-found';
      if (!res.ok) return 'unreachable';
      const parsed = memberHistorySchema.safeParse(await res.json());
      return parsed.success ? parsed.data : 'unreachable';
    } catch {
      return 'unreachable';
    }
  };
}

export type ShownHistory = {
  sales: HistorySale[];
  entries: HistoryEntry[];
  /** When the server's part was answered; null when the till has only its own documents. */
  asOf: string | null;
  /** `server`: answered just now; `cache`: the answer kept from earlier; `own`: this till's documents only. */
  source: 'server' | 'cache' | 'own';
};

async function cached(db: TillDatabase, memberId: string): Promise<MemberHistory | null> {
  const doc = await db.journal.getLocal<{ history: MemberHistory }>(cacheKey(memberId));
  const r = memberHistorySchema.safeParse(doc?.get('history'));
  return r.success ? r.data : null;
}

async function remember(db: TillDatabase, history: MemberHistory): Promise<void> {
  await db.journal.upsertLocal(cacheKey(history.memberId), { history });
  const index = await db.journal.getLocal<{ ids: string[] }>(INDEX_DOC);
  const ids = [
    history.memberId,
    ...((index?.get('ids') as string[] | undefined) ?? []).filter((id) => id !== history.memberId),
  ];
  for (const old of ids.slice(HISTORY_CACHE_SIZE)) await (await db.journal.getLocal(cacheKey(old)))?.remove();
  await db.journal.upsertLocal(INDEX_DOC, { ids: ids.slice(0, HISTORY_CACHE_SIZE) });
}

/** This till's journal documents for the member (their sales) and for the account their points live on. */
async function own(db: TillDatabase, memberId: string, accountId: string) {
  const ids = [...new Set([memberId, accountId])];
  const docs = await db.journal.find({ selector: { memberId: { $in: ids }, tillSeq: { $gt: 0 } } }).exec();
  const sales: HistorySale[] = [];
  const entries: HistoryEntry[] = [];
  for (const d of docs) {
    const row = d.toJSON() as unknown as SaleDoc | EntryDoc;
    if (row.kind === 'sale' && row.memberId === memberId) sales.push(historySale(row.id, row.tillId, row.at, row.body));
    if (row.kind === 'entry') entries.push(historyEntry(row.id, row.at, row.body));
  }
  return { sales, entries };
}

/** The member's history as the till can show it now (see the module header). */
export async function memberHistory(
  db: TillDatabase,
  server: ServerHistory | null,
  memberId: string,
  accountId: string,
): Promise<ShownHistory> {
  const answer = server ? await server(memberId) : 'unreachable';
  const fresh = typeof answer === 'object' ? answer : null;
  if (fresh) await remember(db, fresh);
  const base = fresh ?? (answer === 'not-found' ? null : await cached(db, memberId));
  const merged = mergeHistory(base, await own(db, memberId, accountId));
  return { ...merged, asOf: base?.asOf ?? null, source: fresh ? 'server' : base ? 'cache' : 'own' };
}
