/**
 * The till's database: RxDB over a storage the caller passes in (Dexie on
 * IndexedDB in the till; Dexie on fake-indexeddb in Node tests), so the same
 * code runs in both. No DOM or React imports here.
 *
 * Members and products are not in it: they live in the member store
 * (member-store.ts) and the catalogue (catalog.ts), written by the till's
 * data worker. A database made by an earlier build still holds members and
 * products collections; they are removed once, on first open
 * (`LEGACY_DOC` records that), so a chain's old documents do not stay on the
 * till's disk.
 */
import { addRxPlugin, createRxDatabase, type RxCollection, type RxDatabase, type RxStorage } from 'rxdb';
import { RxDBLocalDocumentsPlugin } from 'rxdb/plugins/local-documents';
import { RxDBMigrationSchemaPlugin } from 'rxdb/plugins/migration-schema';
import {
  journalSchema,
  legacyMemberSchema,
  legacyProductSchema,
  migrationStrategies,
  refdataSchema,
  type JournalRow,
  type RefRow,
} from './schemas';

addRxPlugin(RxDBLocalDocumentsPlugin);
addRxPlugin(RxDBMigrationSchemaPlugin);

export type TillCollections = {
  refdata: RxCollection<RefRow>;
  journal: RxCollection<JournalRow>;
};
export type TillDatabase = RxDatabase<TillCollections>;

const LEGACY_DOC = 'legacy-collections-removed';

export async function createTillDatabase(options: {
  name: string;
  storage: RxStorage<unknown, unknown>;
}): Promise<TillDatabase> {
  const db = await createRxDatabase<TillCollections>({
    name: options.name,
    storage: options.storage,
    multiInstance: false,
    eventReduce: true,
    localDocuments: true,
  });
  await db.addCollections({
    refdata: { schema: refdataSchema, migrationStrategies: migrationStrategies.refdata },
    journal: { schema: journalSchema, migrationStrategies: migrationStrategies.journal, localDocuments: true },
  });
  if (!(await db.journal.getLocal(LEGACY_DOC))) {
    const legacy = await db.addCollections({
      members: { schema: legacyMemberSchema, migrationStrategies: migrationStrategies.members },
      products: { schema: legacyProductSchema, migrationStrategies: migrationStrategies.products },
    });
    await legacy.members.remove();
    await legacy.products.remove();
    await db.journal.upsertLocal(LEGACY_DOC, { at: new Date().toISOString() });
  }
  return db;
}
