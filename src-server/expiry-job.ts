/**
 * Points expiry, run by the server (never by tills), on server time: for
 * every member, the engine's `expire` gives the entries due as of a date
 * under the store's program. Each has a natural id
 * (`expire:<member>:<earn day>:<date>`), so running the job twice, or on two
 * server nodes at once, expires a lot once. The member's state changes only
 * through the shared projection.
 */
import { monotonicFactory } from 'ulid';
import { expire, memberStateSchema, programSchema } from '../shared/engine';
import { entryFact, project } from '../shared/ledger';
import type { Db } from './db';
import { stampSeq } from './seq';

const nextId = monotonicFactory();

export const runExpiry = async (db: Db, at: string): Promise<{ members: number; entries: number; points: number }> => {
  const stores = await db.query<{ id: string; time_zone: string; data: unknown }>(
    `SELECT s.id, s.time_zone, r.data FROM stores s JOIN refdata r ON r.id = 'program:' || s.program_id`,
  );
  let entries = 0;
  let points = 0;
  const touched = new Set<string>();
  for (const store of stores) {
    const program = programSchema.parse(store.data);
    if (program.expiry.mode === 'none') continue;
    const members = await db.query<{ id: string }>(
      'SELECT id FROM members WHERE store_id = $1 AND NOT deleted ORDER BY id',
      [store.id],
    );
    for (const { id } of members) {
      await db.tx(async (q) => {
        const [row] = await q<{ state: unknown }>('SELECT state FROM members WHERE id = $1 FOR UPDATE', [id]);
        if (!row) return;
        let state = memberStateSchema.parse(row.state);
        const due = expire({ program, memberId: id, state, at, timeZone: store.time_zone });
        let changed = false;
        for (const e of due) {
          const inserted = await q<{ id: string }>(
            `INSERT INTO ledger_entries (id, member_id, till_id, sale_id, type, points, reason, natural_id, rule_id, till_seq, till_time)
             VALUES ($1, $2, 'server', NULL, 'expire', $3, $4, $5, $6, 0, $7) ON CONFLICT DO NOTHING RETURNING id`,
            [nextId(), id, e.points, e.reason, e.naturalId, e.ruleId, at],
          );
          if (inserted.length === 0) continue;
          state = project(state, [entryFact(inserted[0]!.id, at, e)], { timeZone: store.time_zone });
          changed = true;
          entries++;
          points += -e.points;
        }
        if (!changed) return;
        await q('UPDATE members SET state = $2 WHERE id = $1', [id, JSON.stringify(state)]);
        await stampSeq(q, 'members', [id]);
        touched.add(id);
      });
    }
  }
  return { members: touched.size, entries, points };
};
