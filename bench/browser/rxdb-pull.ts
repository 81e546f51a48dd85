/**
 * In-page, baseline B: the generic RxDB replication path. An RxDB database
 * on Dexie storage with the till's member schema, filled by RxDB's own
 * replication (`replicateRxCollection`) from the server's generic pull
 * endpoint, 1,000 documents a page, until caught up; then findOne by card.
 */
import { addRxPlugin, createRxDatabase, type RxCollection } from 'rxdb';
import { RxDBMigrationSchemaPlugin } from 'rxdb/plugins/migration-schema';
import { getRxStorageDexie } from 'rxdb/plugins/storage-dexie';
import { replicateRxCollection } from 'rxdb/plugins/replication';
import {
  legacyMemberSchema as memberSchema,
  migrationStrategies,
  type MemberRow,
} from '../../src-renderer/src/db/schemas';
import { routes, type Checkpoint, type PullResponse } from '../../shared/replication';
import type { Member } from '../../shared/documents';
import type { RxdbPullResult } from '../support/page-types';
import { lookupCards, timeLookups } from './lookups';

addRxPlugin(RxDBMigrationSchemaPlugin);

async function rxdbPull(options: { serverUrl: string; token: string; expected: number }): Promise<RxdbPullResult> {
  const db = await createRxDatabase<{ members: RxCollection<MemberRow> }>({
    name: 'bench-rxdb',
    storage: getRxStorageDexie(),
    multiInstance: false,
    eventReduce: true,
  });
  // The schema is at version 1: RxDB wants its migration strategies even for an empty collection.
  await db.addCollections({ members: { schema: memberSchema, migrationStrategies: migrationStrategies.members } });
  let pages = 0;
  const t0 = performance.now();
  const replication = replicateRxCollection<Member, Checkpoint>({
    collection: db.members,
    replicationIdentifier: `bench-members-${options.serverUrl}`,
    live: false,
    pull: {
      batchSize: 1000,
      handler: async (checkpoint, batchSize) => {
        pages++;
        const res = await fetch(
          `${options.serverUrl}${routes.pull('members')}?seq=${checkpoint?.seq ?? 0}&limit=${batchSize}`,
          { headers: { authorization: `Bearer ${options.token}` } },
        );
        if (!res.ok) throw new Error(`pull: ${res.status}`);
        return (await res.json()) as PullResponse<Member>;
      },
    },
  });
  // RxDB retries a failing pull for ever: the first error ends the bench instead.
  let sub: { unsubscribe: () => void } | null = null;
  const failed = new Promise<never>((_, reject) => {
    sub = replication.error$.subscribe((e) =>
      reject(new Error(`replication: ${e.message} ${JSON.stringify(e.parameters)}`)),
    );
  });
  await Promise.race([replication.awaitInitialReplication(), failed]);
  const pullMs = performance.now() - t0;
  sub!.unsubscribe();
  await replication.cancel();
  const members = await db.members.count().exec();
  const lookups = await timeLookups(lookupCards(options.expected, 1000), (card) =>
    db.members.findOne({ selector: { cardNumber: card } }).exec(),
  );
  await db.close();
  return { members, pullMs, pages, lookups };
}

Object.assign(window, { benchRxdbPull: rxdbPull });
