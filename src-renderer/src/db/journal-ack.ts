/**
 * How far the server has taken this till's journal: the acknowledgement the
 * push replies leave in a local document (the contiguous tillSeq watermark,
 * and how many of those documents the server parked). Replication writes it;
 * compaction reads it to know what it may drop.
 */
import type { TillDatabase } from './database';

/** The local document holding the server's watermark for this till's journal. */
export const ACK_DOC = 'acked';

type Ack = { tillSeq: number; parked?: number };

/** The highest tillSeq the server has taken, with every one below it (0 before the first push). */
export async function readAckedTillSeq(db: TillDatabase): Promise<number> {
  const doc = await db.journal.getLocal<Ack>(ACK_DOC);
  return (doc?.get('tillSeq') as number | undefined) ?? 0;
}

/** How many of this till's documents the server parked for review. */
export async function readParked(db: TillDatabase): Promise<number> {
  const doc = await db.journal.getLocal<Ack>(ACK_DOC);
  return (doc?.get('parked') as number | undefined) ?? 0;
}
