/**
 * Backup and restore of the central server, end to end, on a PGlite data
 * folder and on PostgreSQL: real server processes, the `kassa db` command
 * line, real HTTP, two tills in Node (TestTill) and one real till (its RxDB
 * database on fake-indexeddb and its replication client).
 *
 * Sales → backup → more sales, pushed and pulled → the server is stopped and
 * its database wiped → more sales at the tills, offline → restore → server
 * started → the tills resume by themselves. Afterwards every sale is on the
 * server exactly once, every till's ledger entries are there once with the
 * same points, every member's balance is the sum of its entries, and every
 * till's members are the server's. Also: a restore refuses a target that
 * holds data without --force, and a truncated, corrupted, foreign or newer
 * backup is refused with its code and changes nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cp, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { storeSchema, type Member } from '../../shared/documents';
import { programSchema, quote, type BasketLine, type Program } from '../../shared/engine';
import { memberStateSchema } from '../../shared/engine/member-state';
import type { Store } from '../../shared/documents';
import { createTillDatabase, type TillDatabase } from '../../src-renderer/src/db/database';
import { readAckedTillSeq, startReplication, type Replication } from '../../src-renderer/src/db/replication';
import { memberViewOf, recordSale, tillEpoch } from '../../src-renderer/src/db/sales';
import { memberRecord } from '../../shared/member-snapshot';
import type { MemberSync } from '../../src-renderer/src/db/member-sync-client';
import { membersReady, productsEach, startTillMembers } from '../support/till-members';
import { nodeTillStorage } from '../support/node-storage';
import { adminGet, freePort, repoRoot, startServer, type Proc } from '../support/processes';
import { postgresUrl } from '../support/server-harness';
import { findPgTool, libpqConnection } from '../../src-server/ops/pg-tools';
import { extractPayload, verifyBackupFile } from '../../src-server/ops/backup-file';
import { TestTill } from '../support/test-till';

type Backend = 'pglite' | 'postgres';

/** `kassa db …` as an operator runs it (async, so the in-process till keeps replicating meanwhile). */
function kassaDb(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const { DATABASE_URL: _url, KASSA_DATA_DIR: _dir, ...inherited } = process.env;
    const child = spawn(process.execPath, [join(repoRoot, 'bin', 'kassa.mjs'), 'db', ...args], {
      cwd: repoRoot,
      env: { ...inherited, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}

async function admin<T>(url: string, method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${url}${path}`, {
    method,
    headers: { authorization: 'Bearer test-admin', 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

async function enrol(url: string, code: string): Promise<{ tillId: string; token: string }> {
  const res = await fetch(`${url}/api/v1/enrol`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ code }),
  });
  if (!res.ok) throw new Error(`enrol: ${res.status} ${await res.text()}`);
  return (await res.json()) as { tillId: string; token: string };
}

/** Names, sizes and contents of every file in a folder: equal before and after means nothing was changed. */
async function fingerprint(dir: string): Promise<string> {
  const hash = createHash('sha256');
  const walk = async (d: string): Promise<void> => {
    for (const name of (await readdir(d)).sort()) {
      const p = join(d, name);
      const s = await stat(p);
      if (s.isDirectory()) await walk(p);
      else hash.update(`${p}\n${s.size}\n`).update(await readFile(p));
    }
  };
  await walk(dir);
  return hash.digest('hex');
}

/** JSON with object keys sorted: two documents are equal whatever order their fields were written in. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([x], [y]) => (x < y ? -1 : 1)))
      : v,
  );
}

/** Waits until `check` holds, polling; fails with `what` after the timeout. */
async function until(what: string, check: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The real till: its RxDB database and replication client, selling with the till's own sale code. */
class RealTill {
  db!: TillDatabase;
  replication!: Replication;
  members!: MemberSync;
  store!: Store;
  program!: Program;

  constructor(
    readonly serverUrl: string,
    readonly tillId: string,
    readonly token: string,
  ) {}

  async start(): Promise<void> {
    this.db = await createTillDatabase({
      name: `backup-till-${this.tillId}-${Date.now()}`,
      storage: nodeTillStorage(),
    });
    this.replication = await startReplication(this.db, {
      serverUrl: this.serverUrl,
      token: this.token,
      tillId: this.tillId,
      retryMs: 200,
    });
    this.members = await startTillMembers(this.db, { serverUrl: this.serverUrl, token: this.token });
    await this.replication.awaitInitial();
    await membersReady(this.members);
    this.store = storeSchema.parse((await this.db.refdata.findOne('store:store-1').exec())!.data);
    this.program = programSchema.parse((await this.db.refdata.findOne(`program:${this.store.programId}`).exec())!.data);
  }

  async sell(memberIds: string[], count: number, offset: number): Promise<void> {
    const products = await productsEach(this.members);
    for (let i = 0; i < count; i++) {
      const member = (await this.members.store.byId(memberIds[(offset + i) % memberIds.length]!))!;
      const basket: BasketLine[] = [0, 1].map((k) => {
        const p = products[(offset + i * 2 + k) % products.length]!;
        return {
          lineId: `L${k}`,
          productId: p.id,
          ean: p.ean,
          name: p.name,
          categoryId: p.categoryId,
          tags: p.tags ?? [],
          unit: p.unit,
          quantity: 1 + k,
          grams: null,
          unitPriceMinor: p.priceMinor,
        };
      });
      const { state } = await memberViewOf(this.db, member, null, this.store.timeZone);
      const input = {
        program: this.program,
        member: { id: member.id, state },
        basket,
        at: new Date().toISOString(),
        timeZone: this.store.timeZone,
      };
      await recordSale(this.db, input, {
        tillId: this.tillId,
        storeId: this.store.id,
        cashierId: 'cashier-1',
        memberSeq: member.seq,
        tenders: [{ kind: 'card', amountMinor: quote(input).totalMinor }],
      });
    }
  }

  async journal() {
    return (await this.db.journal.find().exec()).map((d) => d.toJSON());
  }

  async stop(): Promise<void> {
    await this.replication?.stop();
    await this.members?.stop();
    await this.db?.close();
  }
}

const backends: Backend[] = ['pglite', 'postgres'];

describe.each(backends)('backup and restore on %s', (backend) => {
  const pgUrl = postgresUrl();
  const skip = backend === 'postgres' && !pgUrl;
  let dir: string;
  let dataDir: string;
  let port: number;
  let url: string;
  let server: Proc | undefined;
  let a: TestTill;
  let b: TestTill;
  let c: RealTill;
  let d: RealTill;
  let members: string[];
  let backupFile: string;
  const timings: Record<string, number> = {};

  const target: Record<string, string> = {};
  const start = () =>
    startServer({
      port,
      ...(backend === 'postgres' ? { databaseUrl: pgUrl! } : { dataDir }),
      env: { KASSA_ENROL_CODE: 'BK-TILL-1', KASSA_LOG_LEVEL: 'warn' },
    });
  const stop = async () => {
    await server?.stop('SIGTERM');
    server = undefined;
  };
  const wipe = async () => {
    if (backend === 'pglite') {
      await rm(dataDir, { recursive: true, force: true });
      return;
    }
    const client = new pg.Client({ connectionString: pgUrl! });
    await client.connect();
    await client.query('DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public');
    await client.end();
  };

  beforeAll(async () => {
    if (skip) return;
    dir = await mkdtemp(join(tmpdir(), `kassa-backup-${backend}-`));
    dataDir = join(dir, 'server');
    backupFile = join(dir, 'kassa.backup');
    if (backend === 'postgres') target.DATABASE_URL = pgUrl!;
    else target.KASSA_DATA_DIR = dataDir;
    await wipe();
    port = await freePort();
    url = `http://127.0.0.1:${port}`;
    server = await start();

    const first = await enrol(url, 'BK-TILL-1');
    a = new TestTill(url, first.token, first.tillId);
    const codes: string[] = [];
    for (const id of ['till-2', 'till-3', 'till-4']) {
      const made = await admin<{ enrolCode: string }>(url, 'POST', '/api/v1/admin/tills', {
        id,
        storeId: 'store-1',
        name: id,
      });
      codes.push(made.enrolCode);
    }
    const second = await enrol(url, codes[0]!);
    b = new TestTill(url, second.token, second.tillId);
    const third = await enrol(url, codes[1]!);
    c = new RealTill(url, third.tillId, third.token);
    const fourth = await enrol(url, codes[2]!);
    d = new RealTill(url, fourth.tillId, fourth.token);
    await a.pull();
    await b.pull();
    await c.start();
    await d.start();
    members = [...a.members.keys()].sort();
    expect(members.length).toBe(20);
  });

  afterAll(async () => {
    if (skip) return;
    await c?.stop();
    await d?.stop();
    await stop();
    await rm(dir, { recursive: true, force: true });
  });

  // Disjoint members per till: each till's view when it sold is exactly what the server rebuilds after a restore.
  /** The server's members as the till database `epoch` pulls them (with its own mark), in id order. */
  const serverMembersFor = async (epoch: string): Promise<Member[]> => {
    const server0 = new TestTill(url, a.token, a.tillId);
    server0.epoch = epoch;
    await server0.sync();
    return [...server0.members.values()].sort((x, y) => x.id.localeCompare(y.id));
  };
  const sellAt = (till: TestTill, from: number, count: number, offset: number) => {
    for (let i = 0; i < count; i++) {
      const products = [...till.products.values()].filter((p) => p.unit === 'each');
      const member = i % 5 === 4 ? null : members[from + ((offset + i) % 6)]!;
      till.sell(member, [
        [products[(offset + i) % products.length]!.id, 1 + (i % 3)],
        [products[(offset + i + 3) % products.length]!.id, 1],
      ]);
    }
  };
  const sales = async () => [
    ...a.journal.filter((x) => x.kind === 'sale'),
    ...b.journal.filter((x) => x.kind === 'sale'),
    ...(await c.journal()).filter((x) => x.kind === 'sale'),
    ...(await d.journal()).filter((x) => x.kind === 'sale'),
  ];

  it.skipIf(skip)(
    'tills resume after a restore to an older point: every sale once, balances and views agree',
    async () => {
      // 1. Sales, pushed and pulled back.
      sellAt(a, 0, 15, 0);
      sellAt(b, 6, 15, 0);
      await c.sell(members.slice(12, 18), 10, 0);
      await d.sell(members.slice(18, 20), 5, 0);
      await a.pushAll();
      await b.pushAll();
      await c.replication.awaitInSync();
      await d.replication.awaitInSync();
      await a.pull();
      await b.pull();

      // 2. The backup: PostgreSQL's while the server serves; PGlite's needs the embedded server stopped.
      let t = Date.now();
      if (backend === 'pglite') await stop();
      const backup = await kassaDb(['backup', '--out', backupFile], target);
      expect(backup.stderr).toBe('');
      expect(backup.code).toBe(0);
      timings.backup = Date.now() - t;
      const written = JSON.parse(backup.stdout) as { kind: string; counts: { sales: number } };
      expect(written).toMatchObject({ ok: true, kind: backend, counts: { sales: (await sales()).length } });
      if (backend === 'pglite') server = await start();
      const atBackup = { a: a.acked, b: b.acked, c: await readAckedTillSeq(c.db), membersSeq: a.checkpoints.members };

      // 3. More sales after the backup, acknowledged by the server and pulled by the tills.
      sellAt(a, 0, 15, 100);
      sellAt(b, 6, 15, 100);
      await c.sell(members.slice(12, 18), 10, 100);
      await d.sell(members.slice(18, 20), 5, 100);
      await a.pushAll();
      await b.pushAll();
      await c.replication.awaitInSync();
      await d.replication.awaitInSync();
      await a.pull();
      await b.pull();
      expect(a.acked).toBeGreaterThan(atBackup.a);
      expect(a.checkpoints.members).toBeGreaterThan(atBackup.membersSeq);
      const cAckedBeforeLoss = await readAckedTillSeq(c.db);
      expect(cAckedBeforeLoss).toBeGreaterThan(atBackup.c);

      // 4. The database is lost; the tills keep selling offline meanwhile (all but d, which has nothing new).
      const dAckedBeforeLoss = await readAckedTillSeq(d.db);
      await stop();
      await wipe();
      sellAt(a, 0, 5, 200);
      sellAt(b, 6, 5, 200);
      await c.sell(members.slice(12, 18), 5, 200);

      // 5. Restore, start, and let the tills resume.
      t = Date.now();
      const restored = await kassaDb(['restore', backupFile], target);
      expect(restored.stderr).toBe('');
      expect(restored.code).toBe(0);
      timings.restore = Date.now() - t;
      const skipped = (JSON.parse(restored.stdout) as { seqSkipped: { after: number; through: number } }).seqSkipped;
      expect(skipped.after).toBeLessThan(a.checkpoints.members);
      expect(skipped.through).toBeGreaterThan(a.checkpoints.members);
      server = await start();

      // Till a pushes first: the reply's mark is below its own, so it sends its journal again from there.
      await a.pushAll();
      expect(a.resends).toBe(1);
      await a.pull();
      expect(a.pullResets).toBeGreaterThan(0);
      // Till b has nothing new to push at first: it reads the server's mark, as the real till does on reconnect.
      await b.resume();
      expect(b.resends).toBe(1);
      await b.pull();
      // The real tills do the same by themselves: c on its first push's reply, d (nothing new to push) when its
      // live streams reconnect and it reads the server's mark.
      const cJournal = await c.journal();
      const dJournal = await d.journal();
      expect(dJournal.length).toBe(dAckedBeforeLoss);
      await until('the real tills to be acknowledged', async () => {
        const [ca, da] = [await readAckedTillSeq(c.db), await readAckedTillSeq(d.db)];
        return ca === cJournal.length && da === dJournal.length;
      });
      await c.replication.awaitInSync();
      await d.replication.awaitInSync();

      // Every sale exactly once.
      const sold = await sales();
      const summary = await adminGet<{ sales: number; distinctSales: number; parkedDocuments: number }>(
        url,
        '/api/v1/admin/summary',
      );
      expect(summary).toMatchObject({ sales: sold.length, distinctSales: sold.length, parkedDocuments: 0 });
      for (const [tillId, journal] of [
        [a.tillId, a.journal],
        [b.tillId, b.journal],
        [c.tillId, cJournal],
        [d.tillId, dJournal],
      ] as const) {
        const onServer = await adminGet<Array<{ id: string }>>(url, `/api/v1/admin/sales?tillId=${tillId}&limit=1000`);
        const ids = journal.filter((d) => d.kind === 'sale').map((d) => d.id);
        expect(onServer.map((s) => s.id).sort()).toEqual([...ids].sort());
      }

      // Every till's ledger entries once, with the same points; every balance the sum of its entries.
      const tillEntries = new Map(
        [...a.journal, ...b.journal, ...cJournal, ...dJournal].flatMap((d) =>
          d.kind === 'entry' ? [[d.id, d.body.points]] : [],
        ),
      );
      const seen = new Map<string, number>();
      for (const id of members) {
        const m = await adminGet<{
          member: { state: { balance: number } };
          entries: Array<{ id: string; points: number; effective: boolean; till_id: string | null }>;
        }>(url, `/api/v1/admin/members/${id}`);
        const effective = m.entries.filter((e) => e.effective);
        expect(m.member.state.balance).toBe(effective.reduce((s, e) => s + e.points, 0));
        for (const e of m.entries) if (tillEntries.has(e.id)) seen.set(e.id, (seen.get(e.id) ?? 0) + 1);
        for (const e of m.entries.filter((x) => tillEntries.has(x.id))) expect(e.points).toBe(tillEntries.get(e.id));
      }
      expect(seen.size).toBe(tillEntries.size);
      expect([...seen.values()].every((n) => n === 1)).toBe(true);

      // The tills' members are the server's, document for document (each with its own database's mark); each
      // till's view is the server's state.
      const stripDeleted = ({ _deleted: _, ...m }: Member) => m;
      for (const till of [a, b]) {
        await till.pull();
        const serverMembers = await serverMembersFor(till.epoch);
        expect([...till.members.values()].sort((x, y) => x.id.localeCompare(y.id)).map(stripDeleted)).toEqual(
          serverMembers.map(stripDeleted),
        );
        for (const m of serverMembers) expect(till.view(m.id).state).toEqual(memberStateSchema.parse(m.state));
      }
      for (const real of [c, d]) {
        const epoch = await tillEpoch(real.db);
        const serverMembers = await serverMembersFor(epoch);
        await until(`${real.tillId} to hold the server's members`, async () => {
          const local = await real.members.store.all();
          return (
            local.length === serverMembers.length &&
            serverMembers.every(
              (m) => canonical(local.find((l) => l.id === m.id)) === canonical(memberRecord(m, epoch)),
            )
          );
        });
        for (const m of serverMembers) {
          const local = (await real.members.store.byId(m.id))!;
          const view = await memberViewOf(real.db, local, null, real.store.timeZone);
          expect(view.state).toEqual(memberStateSchema.parse(m.state));
        }
      }
      console.log(
        `${backend}: ${sold.length} sales; backup ${timings.backup} ms (${backend === 'pglite' ? 'server stopped' : 'online'}), restore ${timings.restore} ms`,
      );
    },
  );

  it.skipIf(skip)('a restore refuses a target that holds data, and a server still running', async () => {
    const before = await adminGet<{ sales: number }>(url, '/api/v1/admin/summary');
    if (backend === 'postgres') {
      const running = await kassaDb(['restore', backupFile, '--force'], target);
      expect(running.code).toBe(1);
      expect(running.stderr).toMatch(/^DATABASE_IN_USE: /);
    } else {
      const running = await kassaDb(['restore', backupFile, '--force'], target);
      expect(running.code).toBe(1);
      expect(running.stderr).toMatch(/^DATA_DIR_LOCKED: .*needs the server stopped/);
    }
    await stop();
    const print = backend === 'pglite' ? await fingerprint(dataDir) : '';
    const refused = await kassaDb(['restore', backupFile], target);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^RESTORE_TARGET_NOT_EMPTY: .*--force/);
    if (backend === 'pglite') expect(await fingerprint(dataDir)).toBe(print);
    server = await start();
    expect(await adminGet<{ sales: number }>(url, '/api/v1/admin/summary')).toEqual(before);
  });

  it.skipIf(skip)(
    'a truncated, corrupted, foreign or newer backup is refused with its code and changes nothing',
    async () => {
      const before = await adminGet<{ sales: number }>(url, '/api/v1/admin/summary');
      await stop();
      const print = backend === 'pglite' ? await fingerprint(dataDir) : '';
      const bytes = await readFile(backupFile);
      const firstLine = bytes.indexOf(0x0a);
      const headerEnd = bytes.indexOf(0x0a, firstLine + 1);
      const header = JSON.parse(bytes.subarray(firstLine + 1, headerEnd).toString('utf8')) as {
        kind: string;
        migrations: string[];
      };
      const withHeader = (h: object) =>
        Buffer.concat([
          bytes.subarray(0, firstLine + 1),
          Buffer.from(`${JSON.stringify(h)}\n`),
          bytes.subarray(headerEnd + 1),
        ]);
      const corrupted = Buffer.from(bytes);
      corrupted[corrupted.length - 10]! ^= 0xff;
      const cases: Array<[name: string, content: Buffer, code: RegExp]> = [
        ['truncated', bytes.subarray(0, Math.floor(bytes.length * 0.6)), /^BACKUP_INVALID: .*truncated/],
        ['corrupted', corrupted, /^BACKUP_INVALID: .*checksum/],
        ['not-kassa', Buffer.from('PGDMP this is some other file'), /^BACKUP_INVALID: .*Kassa backup line/],
        [
          'foreign',
          withHeader({ ...header, kind: backend === 'pglite' ? 'postgres' : 'pglite' }),
          /^BACKUP_WRONG_BACKEND: /,
        ],
        [
          'newer',
          withHeader({ ...header, migrations: [...header.migrations, '999-from-the-future.sql'] }),
          /^BACKUP_SCHEMA_NEWER: .*999-from-the-future\.sql/,
        ],
      ];
      for (const [name, content, code] of cases) {
        const file = join(dir, `${name}.backup`);
        await writeFile(file, content);
        const r = await kassaDb(['restore', file, '--force'], target);
        expect(r.code, name).toBe(1);
        expect(r.stderr, name).toMatch(code);
        expect(r.stderr, name).toContain('Nothing was changed');
        const verify = await kassaDb(['verify', file], {});
        expect(verify.code, name).toBe(name === 'foreign' || name === 'newer' ? 0 : 1);
      }
      if (backend === 'pglite') expect(await fingerprint(dataDir)).toBe(print);
      server = await start();
      expect(await adminGet<{ sales: number }>(url, '/api/v1/admin/summary')).toEqual(before);
    },
  );

  it.skipIf(skip)('a database restored by other means is marked, and the tills resume the same way', async () => {
    // The snapshot: a copied data folder (server stopped), or for PostgreSQL a plain pg_restore of a dump.
    const snapshot = join(dir, 'snapshot');
    const dump = join(dir, 'snapshot.backup');
    if (backend === 'pglite') {
      await stop();
      await cp(dataDir, snapshot, { recursive: true });
      server = await start();
    } else {
      expect((await kassaDb(['backup', '--out', dump], target)).code).toBe(0);
    }
    sellAt(a, 0, 5, 300);
    await a.pushAll();
    await a.pull();
    const checkpoint = a.checkpoints.members;
    const resends = a.resends;
    const resets = a.pullResets;

    await stop();
    if (backend === 'pglite') {
      await rm(dataDir, { recursive: true, force: true });
      await cp(snapshot, dataDir, { recursive: true });
    } else {
      await wipe();
      const payload = join(dir, 'snapshot.pgcustom');
      await extractPayload(await verifyBackupFile(dump), payload);
      const tool = findPgTool('pg_restore', 0, 'the test');
      const conn = libpqConnection(pgUrl!);
      const r = spawn(tool.path, ['--no-owner', '--single-transaction', `--dbname=${conn.dbname}`, payload], {
        env: { ...process.env, ...conn.env },
        stdio: 'inherit',
      });
      expect(await new Promise((done) => r.on('close', done))).toBe(0);
    }
    const marked = await kassaDb(['mark-restored'], target);
    expect(marked.stderr).toBe('');
    expect(marked.code).toBe(0);
    const skipped = (JSON.parse(marked.stdout) as { seqSkipped: { after: number; through: number } }).seqSkipped;
    expect(skipped.after).toBeLessThan(checkpoint);
    expect(skipped.through).toBeGreaterThan(checkpoint);
    server = await start();

    await a.pull();
    expect(a.pullResets).toBeGreaterThan(resets);
    await a.resume();
    expect(a.resends).toBe(resends + 1);
    const sold = await sales();
    expect(await adminGet<{ sales: number; distinctSales: number }>(url, '/api/v1/admin/summary')).toMatchObject({
      sales: sold.length,
      distinctSales: sold.length,
    });
    await a.pull();
    for (const m of await serverMembersFor(a.epoch)) expect(a.members.get(m.id)).toEqual(m);
  });
});
