import { openTestDb } from '../test/support/server-harness';
import { migrate } from '../src-server/migrate';
import { seedDemo } from '../src-server/seed';
import { seedChain } from '../test/support/chain-data';
const backend = (process.argv[3] ?? 'postgres') as 'postgres' | 'pglite';
const db = await openTestDb(backend);
await migrate(db);
await seedDemo(db);
const t = performance.now();
await seedChain(db, {
  members: Number(process.argv[2]),
  products: 50000,
  onProgress: (t2, n) => n % 250000 === 0 && console.log(t2, n, performance.now() - t),
});
console.log('total', performance.now() - t);
console.log(
  await db.query('SELECT count(*), max(seq) FROM members'),
  await db.query('SELECT count(*) FROM member_versions'),
);
await db.close();
