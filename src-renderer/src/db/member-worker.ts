/**
 * The till's data worker: keeps the member store (member-sync.ts) and the
 * product catalogue (catalog-sync.ts) in step with the server off the page's
 * thread, so a chain's bootstrap — parsing, checksums, IndexedDB writes —
 * never stalls the till screen. The page reads the same IndexedDB databases
 * through its own connections; this worker tells it what changed and how far
 * the bootstrap is.
 *
 * Messages in: `start` (once), `hold` (the page commits a sale: no member
 * writes until it lets go), `stop`. Out: `status`, `changes`,
 * `catalog-status`, `catalog-changes`, `stopped`.
 */
import { openMemberStore } from './member-store';
import { holdGate, runMemberSync } from './member-sync';
import { openCatalog } from './catalog';
import { runCatalogSync } from './catalog-sync';
import type { WorkerIn, WorkerOut } from './member-sync-client';

const scope = self as unknown as {
  onmessage: ((e: MessageEvent<WorkerIn>) => void) | null;
  postMessage: (message: WorkerOut) => void;
};
const abort = new AbortController();
const gate = holdGate();

scope.onmessage = (e) => {
  const message = e.data;
  if (message.type === 'stop') {
    abort.abort();
    return;
  }
  if (message.type === 'hold') {
    gate.set(message.held);
    return;
  }
  void (async () => {
    const store = await openMemberStore(message.storeName);
    const catalog = await openCatalog(message.catalogName);
    const products = runCatalogSync(
      {
        catalog,
        serverUrl: message.serverUrl,
        token: message.token,
        onStatus: (status) => scope.postMessage({ type: 'catalog-status', status }),
        onChanges: (ids) => scope.postMessage({ type: 'catalog-changes', ids }),
      },
      abort.signal,
    );
    await runMemberSync(
      {
        store,
        serverUrl: message.serverUrl,
        token: message.token,
        epoch: message.epoch,
        onStatus: (status) => scope.postMessage({ type: 'status', status }),
        onChanges: (ids) => scope.postMessage({ type: 'changes', ids }),
        unheld: gate.unheld,
      },
      abort.signal,
    );
    await products;
    store.close();
    catalog.close();
    scope.postMessage({ type: 'stopped' });
  })();
};
