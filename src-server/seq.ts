/**
 * Replication checkpoints that are safe under concurrent writers.
 *
 * The hazard: transaction A draws seq 10, transaction B draws seq 11 and
 * commits first; a puller sees 11, moves its checkpoint past 10, and never
 * sees A's row. The rule here: a down-collection row gets its seq only from
 * `stampSeq`, which first takes a transaction-level advisory lock that is held
 * until commit. So the transaction that draws seq n+1 cannot draw it before the
 * one holding n has committed: seq order is commit order, and any row a puller
 * can see has every smaller seq visible too. Writers do all their other work
 * first and stamp last, so the lock is held only for the stamp and the commit.
 */
import type { Query } from './db';

const SEQ_LOCK = 7_301_002;
export const CHANGES_CHANNEL = 'kassa_changes';

export type DownTable = 'products' | 'members' | 'refdata';

export const stampSeq = async (q: Query, table: DownTable, ids: readonly string[]): Promise<void> => {
  if (ids.length === 0) return;
  await q('SELECT pg_advisory_xact_lock($1)', [SEQ_LOCK]);
  // Sorted ids give a stable seq order inside one transaction.
  await q(
    `UPDATE ${table} AS t SET seq = nextval('kassa_seq')
       FROM (SELECT unnest($1::text[]) AS id ORDER BY 1) AS s
      WHERE t.id = s.id`,
    [[...ids].sort()],
  );
  // Versions a till may quote on (members) or a sale may name (programs) stay readable for re-checks.
  if (table === 'members') {
    await q(
      `INSERT INTO member_versions (member_id, seq, state, till_marks)
       SELECT id, seq, state, till_marks FROM members WHERE id = ANY($1::text[]) ON CONFLICT DO NOTHING`,
      [[...ids]],
    );
  } else if (table === 'refdata') {
    await q(
      `INSERT INTO program_versions (id, version, data)
       SELECT key, (data->>'version')::int, data FROM refdata WHERE id = ANY($1::text[]) AND kind = 'program'
       ON CONFLICT DO NOTHING`,
      [[...ids]],
    );
  }
  await q(`SELECT pg_notify($1, $2)`, [CHANGES_CHANNEL, table]);
};
