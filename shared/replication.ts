/**
 * The replication wire contract between tills and the central server: the
 * one place both sides take their routes, shapes and version from.
 *
 * Protocol (RxDB replication protocol over HTTP):
 * - Down collections are pulled by checkpoint. A checkpoint is a
 *   server-assigned sequence number, never a till clock.
 * - A live stream (Server-Sent Events) tells the till a collection changed;
 *   each event carries the new documents and checkpoint (only the
 *   checkpoint with `events=checkpoint`), or `RESYNC`.
 * - Up, the journal is pushed as rows of {newDocumentState,
 *   assumedMasterState}. Journal documents are insert-only, so a push never
 *   conflicts; the same row pushed twice is stored once.
 * - The server's watermark for a till database (`ackedTillSeq`, in every
 *   push reply and in `tillState`) only moves forward, except when the server
 *   was restored from a backup: then it is lower than the till's own mark and
 *   the till sends its journal again from there. Pull checkpoints from after
 *   the backup are answered from 0 by the server itself.
 */
import { z } from 'zod';
import { journalDocSchema, memberSchema, productSchema, refDocSchema, ulidSchema } from './documents';
import { isoTimeSchema } from './primitives';
import { memberScopeKeySchema } from './member-scope';

/**
 * Bumped when the wire shapes change incompatibly; the server accepts every listed version.
 * 2: push envelope carries the till database's epoch and clock; sale effects are increments.
 */
export const WIRE_VERSION = 2;
export const SUPPORTED_WIRE_VERSIONS: readonly number[] = [2];
/** Most rows one push may carry. */
export const MAX_PUSH_ROWS = 1000;
export const WIRE_HEADER = 'x-kassa-wire';

export const downCollections = ['products', 'members', 'refdata'] as const;
export type DownCollection = (typeof downCollections)[number];
export const downCollectionSchema = z.enum(downCollections);

export const downDocSchemas = {
  products: productSchema,
  members: memberSchema,
  refdata: refDocSchema,
} as const;

export const checkpointSchema = z.object({ seq: z.number().int().nonnegative() });
export type Checkpoint = z.infer<typeof checkpointSchema>;

/**
 * `epoch`: the pulling till database's epoch. Member documents carry only that database's watermark in
 * `tillMarks` (`{ [epoch]: mark }`, `{}` while it has none), so a document does not grow with the number of
 * tills in the chain. Without an epoch they carry no mark (`tillMarks: {}`): the server keeps no whole map to
 * send (src-server/member-marks.ts), and a till's view needs its own database's mark, which only it can name;
 * every till build sends its epoch.
 */
export const pullQuerySchema = z.object({
  seq: z.coerce.number().int().nonnegative().default(0),
  limit: z.coerce.number().int().min(1).max(5000).default(500),
  epoch: z.string().max(26).default(''),
  /** Members only: the scope key the till loaded its members with (shared/member-scope.ts); '' for the whole chain. */
  scope: memberScopeKeySchema.default(''),
});
/**
 * `events=checkpoint`: every event carries only the new checkpoint (`documents` empty), for a till that pulls
 * what changed itself (members, products): a chain's busy day is then read and sent once, by the pull, instead
 * of twice. Servers that do not know the parameter ignore it and send documents, which such a till ignores.
 */
export const streamQuerySchema = z.object({
  epoch: z.string().max(26).default(''),
  events: z.enum(['documents', 'checkpoint']).default('documents'),
});

export const pullResponseSchema = <T extends z.ZodType>(doc: T) =>
  z.object({ documents: z.array(doc), checkpoint: checkpointSchema });
export type PullResponse<D> = { documents: D[]; checkpoint: Checkpoint };

export const pushRowSchema = z.object({
  newDocumentState: journalDocSchema,
  assumedMasterState: journalDocSchema.nullable().optional(),
});
export const pushRequestSchema = z.strictObject({
  /** The till database's id, made when it was created: a till whose database was lost pushes a new one. */
  epoch: ulidSchema,
  /** The till's clock when it sent this push: the server measures the till's clock offset from it. */
  sentAt: isoTimeSchema,
  rows: z.array(pushRowSchema).min(1).max(MAX_PUSH_ROWS),
});
export type PushRequest = z.infer<typeof pushRequestSchema>;

export const pushResponseSchema = z.object({
  /** Always empty for the insert-only journal; kept for the RxDB protocol. */
  conflicts: z.array(journalDocSchema),
  accepted: z.number().int().nonnegative(),
  duplicates: z.number().int().nonnegative(),
  /** Highest tillSeq of this till database the server has taken (applied or parked), contiguously. */
  ackedTillSeq: z.number().int().nonnegative(),
  /** Documents the server did not apply as sent: parked for review with their reason. */
  parked: z.array(z.object({ id: z.string(), code: z.string(), reason: z.string() })).default([]),
});
export type PushResponse = z.infer<typeof pushResponseSchema>;

/**
 * `GET /api/v1/till/state`: what the server holds of this till, per local database (epoch): the watermark
 * (`ackedTillSeq`). A till whose own acknowledged mark is higher than the server's for its epoch is talking to a
 * server restored from a backup: it sends its journal again from the server's mark (docs/replication.md).
 */
export const tillStateResponseSchema = z.object({
  tillId: z.string(),
  storeId: z.string(),
  epochs: z.array(
    z.object({ epoch: z.string(), status: z.enum(['open', 'closed']), ackedTillSeq: z.number().int().nonnegative() }),
  ),
});
export type TillStateResponse = z.infer<typeof tillStateResponseSchema>;

export const streamEventSchema = z.union([
  z.literal('RESYNC'),
  z.object({ documents: z.array(z.unknown()), checkpoint: checkpointSchema }),
]);

export const enrolRequestSchema = z.object({ code: z.string().min(4).max(64), name: z.string().max(80).optional() });
export const enrolResponseSchema = z.object({ tillId: z.string(), storeId: z.string(), token: z.string() });

export const routes = {
  health: '/api/v1/health',
  /** The process is up (liveness probe). */
  live: '/api/v1/health/live',
  /** The database answers and its migrations match this server's (readiness probe). */
  ready: '/api/v1/health/ready',
  enrol: '/api/v1/enrol',
  pull: (c: DownCollection) => `/api/v1/replication/${c}/pull`,
  stream: (c: DownCollection) => `/api/v1/replication/${c}/stream`,
  push: '/api/v1/replication/journal/push',
  /** What the server holds of this till: its open epoch and watermark. */
  tillState: '/api/v1/till/state',
} as const;
