/**
 * The replication wire contract between tills and the central server: the
 * one place both sides take their routes, shapes and version from.
 *
 * Protocol (RxDB replication protocol over HTTP):
 * - Down collections are pulled by checkpoint. A checkpoint is a
 *   server-assigned sequence number, never a till clock.
 * - A live stream (Server-Sent Events) tells the till a collection changed;
 *   each event carries the new documents and checkpoint, or `RESYNC`.
 * - Up, the journal is pushed as rows of {newDocumentState,
 *   assumedMasterState}. Journal documents are insert-only, so a push never
 *   conflicts; the same row pushed twice is stored once.
 */
import { z } from 'zod';
import { journalDocSchema, memberSchema, productSchema, refDocSchema } from './documents';

/** Bumped when the wire shapes change incompatibly; the server accepts every listed version. */
export const WIRE_VERSION = 1;
export const SUPPORTED_WIRE_VERSIONS: readonly number[] = [1];
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

export const pullQuerySchema = z.object({
  seq: z.coerce.number().int().nonnegative().default(0),
  limit: z.coerce.number().int().min(1).max(5000).default(500),
});

export const pullResponseSchema = <T extends z.ZodType>(doc: T) =>
  z.object({ documents: z.array(doc), checkpoint: checkpointSchema });
export type PullResponse<D> = { documents: D[]; checkpoint: Checkpoint };

export const pushRowSchema = z.object({
  newDocumentState: journalDocSchema,
  assumedMasterState: journalDocSchema.nullable().optional(),
});
export const pushRequestSchema = z.object({
  rows: z.array(pushRowSchema).min(1).max(1000),
});
export type PushRequest = z.infer<typeof pushRequestSchema>;

export const pushResponseSchema = z.object({
  /** Always empty for the insert-only journal; kept for the RxDB protocol. */
  conflicts: z.array(journalDocSchema),
  accepted: z.number().int().nonnegative(),
  duplicates: z.number().int().nonnegative(),
  /** Highest tillSeq of this till the server now holds contiguously. */
  ackedTillSeq: z.number().int().nonnegative(),
});
export type PushResponse = z.infer<typeof pushResponseSchema>;

export const streamEventSchema = z.union([
  z.literal('RESYNC'),
  z.object({ documents: z.array(z.unknown()), checkpoint: checkpointSchema }),
]);

export const enrolRequestSchema = z.object({ code: z.string().min(4).max(64), name: z.string().max(80).optional() });
export const enrolResponseSchema = z.object({ tillId: z.string(), storeId: z.string(), token: z.string() });

export const routes = {
  health: '/api/v1/health',
  enrol: '/api/v1/enrol',
  pull: (c: DownCollection) => `/api/v1/replication/${c}/pull`,
  stream: (c: DownCollection) => `/api/v1/replication/${c}/stream`,
  push: '/api/v1/replication/journal/push',
} as const;
