/**
 * The baseline a push is measured against: the same sales and ledger entries
 * written with two plain multi-row INSERTs (unnest of arrays) in one
 * transaction per push-sized chunk, with nothing else — no inbox, no checks,
 * no member state. Ids get a `bare-` prefix so the rows sit beside the real
 * ones in the same tables (the same indexes are maintained).
 */
import type { JournalDoc } from '../../shared/documents';
import type { Query } from '../../src-server/db';

export async function bareInsert(q: Query, chunk: readonly JournalDoc[]): Promise<void> {
  const sales = chunk.filter((d) => d.kind === 'sale');
  const entries = chunk.filter((d) => d.kind === 'entry');
  await q(
    `INSERT INTO sales (id, till_id, store_id, member_id, till_seq, till_time, total_minor, currency, body)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[], $6::timestamptz[], $7::bigint[],
                          $8::text[], $9::jsonb[])`,
    [
      sales.map((d) => `bare-${d.id}`),
      sales.map((d) => d.tillId),
      sales.map((d) => d.body.storeId),
      sales.map((d) => d.body.memberId),
      sales.map((d) => d.tillSeq),
      sales.map((d) => d.at),
      sales.map((d) => d.body.totalMinor),
      sales.map((d) => d.body.currency),
      sales.map((d) => JSON.stringify(d.body)),
    ],
  );
  await q(
    `INSERT INTO ledger_entries (id, member_id, till_id, sale_id, type, points, reason, natural_id, rule_id, till_seq, till_time)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::bigint[], $7::text[],
                          $8::text[], $9::text[], $10::bigint[], $11::timestamptz[])`,
    [
      entries.map((d) => `bare-${d.id}`),
      entries.map((d) => d.body.memberId),
      entries.map((d) => d.tillId),
      entries.map((d) => d.body.saleId),
      entries.map((d) => d.body.type),
      entries.map((d) => d.body.points),
      entries.map((d) => d.body.reason),
      entries.map(() => null),
      entries.map((d) => d.body.ruleId),
      entries.map((d) => d.tillSeq),
      entries.map((d) => d.at),
    ],
  );
}
