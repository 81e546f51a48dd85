/**
 * Members' till marks (`member_marks`, migration 021): per member and till database (epoch), the highest
 * tillSeq of that database's documents the member's state accounts for. A till's view of a member is the
 * server's state plus its own journal above its mark (docs/replication.md, "The member a till shows").
 *
 * Invariants:
 * - Append-only, keyed by the member's seq at the write that set the mark: the mark of epoch E now is the
 *   row of (member, E) with the greatest seq, and the mark E had at member version v is the one with the
 *   greatest seq ≤ v. No row: 0.
 * - A member write adds a row only for an epoch whose mark moved (seq.ts `writeStampedMembers`,
 *   `stampMembersPast`); a write that moves no mark (an adjustment, expiry, a new card) adds none. So the
 *   member row and its versions never grow with the number of tills that sold to the member.
 * - Marks only move up: a push moves the epoch's mark to its watermark, which only moves forward.
 */

/**
 * SQL for the mark of epoch `epoch` on member `member` (SQL expressions), as it stands or — with `atSeq` (an
 * SQL expression; NULL: as it stands) — at that member version; NULL when it has none.
 */
export function markSql(member: string, epoch: string, atSeq?: string): string {
  const upTo = atSeq === undefined ? '' : ` AND k.seq <= COALESCE(${atSeq}, 9223372036854775807)`;
  return `(SELECT k.mark FROM member_marks k WHERE k.member_id = ${member} AND k.epoch = ${epoch}${upTo}
            ORDER BY k.seq DESC LIMIT 1)`;
}

/** SQL for every current mark of member `member` (an SQL expression) as a JSON object epoch → mark. */
export function allMarksSql(member: string): string {
  return `(SELECT COALESCE(jsonb_object_agg(c.epoch, c.mark), '{}'::jsonb)
             FROM (SELECT DISTINCT ON (k.epoch) k.epoch, k.mark FROM member_marks k
                    WHERE k.member_id = ${member} ORDER BY k.epoch, k.seq DESC) AS c)`;
}
