/**
 * The till's database: RxDB over a storage the caller passes in (Dexie on
 * IndexedDB in the till; Dexie on fake-indexeddb in Node tests), so the same
 * code runs in both. No DOM or React imports here.
 */
import { addRxPlugin, createRxDatabase, type RxCollection, type RxDatabase, type RxStorage } from 'rxdb';
import { RxDBLocalDocumentsPlugin } from 'rxdb/plugins/local-documents';
import { RxDBMigrationSchemaPlugin } from 'rxdb/plugins/migration-schema';
import {
  journalSchema,
  memberSchema,
  migrationStrategies,
  productSchema,
  refdataSchema,
  type JournalRow,
  type MemberRow,
  type ProductRow,
  type RefRow,
} from './schemas';

addRxPlugin(RxDBLocalDocumentsPlugin);
addRxPlugin(RxDBMigrationSchemaPlugin);

export type TillCollections = {
  products: RxCollection<ProductRow>;
  members: RxCollection<MemberRow>;
  refdata: RxCollection<RefRow>;
  journal: RxCollection<JournalRow>;
};
export type TillDatabase = RxDatabase<TillCollections>;

export const createTillDatabase = async (options: {
  name: string;
  storage: RxStorage<unknown, unknown>;
}): Promise<TillDatabase> => {
  const db = await createRxDatabase<TillCollections>({
    name: options.name,
    storage: options.storage,
    multiInstance: false,
    eventReduce: true,
    localDocuments: true,
  });
  await db.addCollections({
    products: { schema: productSchema, migrationStrategies: migrationStrategies.products },
    members: { schema: memberSchema, migrationStrategies: migrationStrategies.members },
    refdata: { schema: refdataSchema, migrationStrategies: migrationStrategies.refdata },
    journal: { schema: journalSchema, migrationStrategies: migrationStrategies.journal, localDocuments: true },
  });
  return db;
};
