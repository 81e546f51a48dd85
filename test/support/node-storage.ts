/**
 * RxDB's Dexie storage over fake-indexeddb: the till's real database code in
 * Node tests. (fake-indexeddb's types need the DOM lib, which Node code here
 * does not load; the values are real IndexedDB implementations.)
 */
import { getRxStorageDexie } from 'rxdb/plugins/storage-dexie';
import * as fake from 'fake-indexeddb';

type DexieSettings = Parameters<typeof getRxStorageDexie>[0];

export const nodeTillStorage = () => {
  const { indexedDB, IDBKeyRange } = fake as unknown as { indexedDB: unknown; IDBKeyRange: unknown };
  return getRxStorageDexie({ indexedDB, IDBKeyRange } as DexieSettings);
};
