/**
 * The Kassa backup file: one file that says what it holds, then holds it.
 *
 *   line 1   `KASSA-BACKUP 1`                       (magic and file format)
 *   line 2   the header, one line of JSON           (what, from where, which schema, payload size and SHA-256)
 *   rest     the payload, byte for byte             (pg_dump's custom format, or PGlite's gzipped data folder)
 *
 * Invariants:
 * - A file is written under a temporary name, flushed to disk and only then
 *   renamed to its final name: a backup that exists is a whole backup.
 *   An existing file is never overwritten.
 * - A file is read only after it has been checked whole: magic, header
 *   shape, payload length and SHA-256. A truncated or corrupted file is
 *   BACKUP_INVALID before anything is restored.
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync } from 'node:fs';
import { open, rename, rm, stat } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { z } from 'zod';
import { KassaError } from '../../shared/errors';

export const BACKUP_MAGIC = 'KASSA-BACKUP';
export const BACKUP_FILE_FORMAT = 1;
/** The magic line and the header together are never longer than this. */
const MAX_PREAMBLE_BYTES = 256 * 1024;

export const backupHeaderSchema = z.object({
  format: z.literal(BACKUP_FILE_FORMAT),
  /** `postgres`: the payload is `pg_dump --format=custom`; `pglite`: PGlite's `dumpDataDir()` tarball. */
  kind: z.enum(['postgres', 'pglite']),
  createdAt: z.string(),
  /** The Kassa server version that wrote it. */
  serverVersion: z.string(),
  /** Every migration the database had applied (`schema_migrations`), in order. */
  migrations: z.array(z.string()),
  /** PostgreSQL of the source (`server_version`), and for `postgres` the pg_dump that wrote the payload. */
  postgresVersion: z.string(),
  pgDumpVersion: z.string().optional(),
  /** The highest replication seq in the backup, and what it held (for the operator; not used to restore). */
  seq: z.number().int().nonnegative(),
  counts: z.record(z.string(), z.number().int().nonnegative()),
  payload: z.object({ bytes: z.number().int().nonnegative(), sha256: z.string().regex(/^[0-9a-f]{64}$/) }),
});
export type BackupHeader = z.infer<typeof backupHeaderSchema>;

export type VerifiedBackup = { path: string; header: BackupHeader; payloadOffset: number };

function invalid(path: string, problem: string): KassaError {
  return new KassaError('BACKUP_INVALID', `${path} is not a usable Kassa backup: ${problem}. Nothing was changed.`, {
    file: path,
  });
}

async function sha256File(path: string, start = 0): Promise<{ sha256: string; bytes: number }> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of createReadStream(path, { start }) as AsyncIterable<Buffer>) {
    hash.update(chunk);
    bytes += chunk.length;
  }
  return { sha256: hash.digest('hex'), bytes };
}

/** Refuses to write over an existing file, before any work is done. */
export function assertNewBackupFile(path: string): void {
  if (existsSync(path)) {
    throw new KassaError('BACKUP_FILE_EXISTS', `${path} exists already: a backup never overwrites a file`, {
      file: path,
    });
  }
}

/**
 * Writes `out` from the payload in `payloadPath` and the header (payload size and checksum filled in here).
 * Returns the header as written.
 */
export async function writeBackupFile(
  out: string,
  payloadPath: string,
  header: Omit<BackupHeader, 'format' | 'payload'>,
): Promise<BackupHeader> {
  assertNewBackupFile(out);
  const payload = await sha256File(payloadPath);
  const full: BackupHeader = { format: BACKUP_FILE_FORMAT, ...header, payload };
  const tmp = `${out}.partial-${process.pid}`;
  try {
    const sink = createWriteStream(tmp, { flags: 'wx' });
    sink.write(`${BACKUP_MAGIC} ${BACKUP_FILE_FORMAT}\n${JSON.stringify(full)}\n`);
    await pipeline(createReadStream(payloadPath), sink);
    const handle = await open(tmp, 'r+');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
    assertNewBackupFile(out);
    await rename(tmp, out);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
  return full;
}

/** Reads and checks the whole file (magic, header, payload length and SHA-256); BACKUP_INVALID otherwise. */
export async function verifyBackupFile(path: string): Promise<VerifiedBackup> {
  let size: number;
  try {
    const s = await stat(path);
    if (!s.isFile()) throw invalid(path, 'it is not a file');
    size = s.size;
  } catch (e) {
    if (e instanceof KassaError) throw e;
    throw invalid(path, `it cannot be read (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  const handle = await open(path, 'r');
  let preamble: Buffer;
  try {
    const buf = Buffer.alloc(Math.min(size, MAX_PREAMBLE_BYTES));
    const { bytesRead } = await handle.read(buf, 0, buf.length, 0);
    preamble = buf.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
  const first = preamble.indexOf(0x0a);
  const second = first < 0 ? -1 : preamble.indexOf(0x0a, first + 1);
  const magic = preamble.subarray(0, first < 0 ? Math.min(preamble.length, 40) : first).toString('latin1');
  if (!magic.startsWith(`${BACKUP_MAGIC} `)) throw invalid(path, 'it does not start with the Kassa backup line');
  const fileFormat = Number(magic.slice(BACKUP_MAGIC.length + 1));
  if (fileFormat !== BACKUP_FILE_FORMAT) {
    throw invalid(
      path,
      `its file format is ${magic.slice(BACKUP_MAGIC.length + 1)}, this server reads ${BACKUP_FILE_FORMAT}`,
    );
  }
  if (second < 0) throw invalid(path, 'its header is cut off');
  let header: BackupHeader;
  try {
    header = backupHeaderSchema.parse(JSON.parse(preamble.subarray(first + 1, second).toString('utf8')));
  } catch {
    throw invalid(path, 'its header is damaged');
  }
  const payloadOffset = second + 1;
  const found = size - payloadOffset;
  if (found !== header.payload.bytes) {
    throw invalid(
      path,
      found < header.payload.bytes
        ? `it is truncated (${found} of ${header.payload.bytes} payload bytes)`
        : `it has ${found - header.payload.bytes} bytes more than its header says`,
    );
  }
  const { sha256 } = await sha256File(path, payloadOffset);
  if (sha256 !== header.payload.sha256) throw invalid(path, 'its contents do not match their checksum (corrupted)');
  return { path, header, payloadOffset };
}

/** The file changed between the check and the copy: the copy is checked against the header again. */
function assertSameChecksum(backup: VerifiedBackup, sha256: string): void {
  if (sha256 !== backup.header.payload.sha256) {
    throw invalid(backup.path, 'it changed while it was being read');
  }
}

/** Copies a verified backup's payload to `dest` (pg_restore wants a seekable file of its own). */
export async function extractPayload(backup: VerifiedBackup, dest: string): Promise<void> {
  const hash = createHash('sha256');
  const sink = createWriteStream(dest, { flags: 'wx' });
  await pipeline(
    createReadStream(backup.path, { start: backup.payloadOffset }),
    async function* (source: AsyncIterable<Buffer>) {
      for await (const chunk of source) {
        hash.update(chunk);
        yield chunk;
      }
    },
    sink,
  );
  assertSameChecksum(backup, hash.digest('hex'));
}

/** A verified backup's payload in memory (PGlite loads a data folder from a Blob). */
export async function readPayload(backup: VerifiedBackup): Promise<Blob> {
  const hash = createHash('sha256');
  const chunks: Buffer[] = [];
  for await (const chunk of createReadStream(backup.path, { start: backup.payloadOffset }) as AsyncIterable<Buffer>) {
    hash.update(chunk);
    chunks.push(chunk);
  }
  assertSameChecksum(backup, hash.digest('hex'));
  return new Blob(chunks);
}
