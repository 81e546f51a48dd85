/**
 * Keeps the till's product catalogue (catalog.ts) in step with the central
 * server: the checkpoint pull of products and its live stream. Runs in the
 * till's data worker beside the member sync, so writing a chain's catalogue
 * never touches the page's thread; in-process in Node tests.
 *
 * The pull is the endpoint and the checkpoint rule of every down collection
 * (docs/replication.md). A page that goes back below the checkpoint means
 * the server was restored from an older backup: the catalogue pulls every
 * product again from 0 (each stored by id: nothing is doubled). Every live
 * event (and every reconnect) runs the catch-up again.
 */
import { productSchema } from '../../../shared/documents';
import { pullResponseSchema, routes } from '../../../shared/replication';
import type { Catalog } from './catalog';
import { readEventStream } from './event-stream';
import type { ProductRow } from './schemas';

export type CatalogSyncStatus = { complete: boolean; count: number; online: boolean };

export type CatalogSyncOptions = {
  catalog: Catalog;
  serverUrl: string;
  token: string;
  fetch?: typeof fetch;
  retryMs?: number;
  onStatus: (status: CatalogSyncStatus) => void;
  /** Ids of products that changed. */
  onChanges: (ids: string[]) => void;
};

/** Products per pull: the most a pull answers. */
const PULL_LIMIT = 5000;
const STREAM_SILENCE_MS = 45_000;

/** Runs until `signal` aborts; never throws (failures are retried). */
export async function runCatalogSync(options: CatalogSyncOptions, signal: AbortSignal): Promise<void> {
  const doFetch = options.fetch ?? ((input, init) => fetch(input, init));
  const retryMs = options.retryMs ?? 2000;
  const auth = { authorization: `Bearer ${options.token}` };
  const url = (path: string) => new URL(path, options.serverUrl).toString();
  const { catalog } = options;
  let online = false;
  const report = async () => {
    const s = await catalog.state();
    options.onStatus({ complete: s.complete, count: s.count, online });
  };

  type Page = { documents: Array<ProductRow & { _deleted: boolean }>; checkpoint: { seq: number } };
  const fetchPage = async (from: number): Promise<Page> => {
    const res = await doFetch(url(`${routes.pull('products')}?seq=${from}&limit=${PULL_LIMIT}`), {
      headers: auth,
      signal,
    });
    if (!res.ok) throw new Error(`products pull answered ${res.status}`);
    return pullResponseSchema(productSchema).parse(await res.json());
  };

  const catchUp = async (): Promise<void> => {
    let { checkpoint } = await catalog.state();
    // One page is fetched ahead while the last one is stored.
    let ahead: Promise<Page> | null = fetchPage(checkpoint);
    while (ahead) {
      const body: Page = await ahead;
      online = true;
      if (body.documents.some((d) => d.seq <= checkpoint)) {
        await catalog.restartPull();
        checkpoint = 0;
        ahead = fetchPage(0);
        continue;
      }
      const last: boolean = body.documents.length < PULL_LIMIT;
      ahead = last ? null : fetchPage(body.checkpoint.seq);
      // A failure of the page fetched ahead is met when it is awaited (or never, if this write fails first).
      ahead?.catch(() => undefined);
      await catalog.applyPage(
        body.documents.filter((d) => !d._deleted).map(({ _deleted: _, ...row }) => row),
        body.documents.filter((d) => d._deleted).map((d) => d.id),
        body.checkpoint.seq,
        last,
      );
      checkpoint = body.checkpoint.seq;
      if (body.documents.length > 0) options.onChanges(body.documents.map((d) => d.id));
      await report();
    }
  };

  const running: { pull: Promise<void> | null } = { pull: null };
  let again = false;
  const pull = () => {
    if (running.pull) {
      again = true;
      return;
    }
    running.pull = (async () => {
      do {
        again = false;
        await catchUp();
      } while (again && !signal.aborted);
    })()
      .catch(() => {
        online = false;
      })
      .finally(() => {
        running.pull = null;
      });
  };

  await report();
  while (!signal.aborted) {
    try {
      await catchUp();
      await readEventStream({
        fetch: doFetch,
        // Events only wake the pull: they need not carry the documents the pull reads anyway.
        url: url(`${routes.stream('products')}?events=checkpoint`),
        headers: auth,
        signal,
        silenceMs: STREAM_SILENCE_MS,
        onOpen: pull,
        onEvent: pull,
      });
    } catch {
      // Offline or the server stopped: try again after a pause.
    }
    await running.pull;
    if (signal.aborted) return;
    online = false;
    await report().catch(() => undefined);
    await new Promise((r) => setTimeout(r, retryMs));
  }
}
