/**
 * The member worker: keeps the till's member store in step with the server
 * (member-sync.ts) off the page's thread, so a chain's bootstrap — parsing,
 * checksums, IndexedDB writes — never stalls the till screen. The page reads
 * the same IndexedDB database through its own connection; this worker tells
 * it what changed and how far the bootstrap is.
 *
 * Messages in: `start` (once), `stop`. Out: `status`, `changes`, `stopped`.
 */
import { openMemberStore } from './member-store';
import { runMemberSync } from './member-sync';
import type { WorkerIn, WorkerOut } from './member-sync-client';

const scope = self as unknown as {
  onmessage: ((e: MessageEvent<WorkerIn>) => void) | null;
  postMessage: (message: WorkerOut) => void;
};
const abort = new AbortController();

scope.onmessage = (e) => {
  const message = e.data;
  if (message.type === 'stop') {
    abort.abort();
    return;
  }
  void (async () => {
    const store = await openMemberStore(message.storeName);
    await runMemberSync(
      {
        store,
        serverUrl: message.serverUrl,
        token: message.token,
        epoch: message.epoch,
        onStatus: (status) => scope.postMessage({ type: 'status', status }),
        onChanges: (ids) => scope.postMessage({ type: 'changes', ids }),
      },
      abort.signal,
    );
    store.close();
    scope.postMessage({ type: 'stopped' });
  })();
};
