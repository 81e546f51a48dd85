-- Members' till marks move out of the member row (issue #12): per member and till database (epoch), the highest
-- tillSeq of that database's documents the member's state accounts for, as of the member's seq at the write that
-- set it. Append-only: a member write adds a row only for an epoch whose mark moved (usually the pushing till's),
-- so neither `members` nor `member_versions` grows with the number of tills that sold to a member.
--   the mark of epoch E now:            the row of (member, E) with the greatest seq
--   the mark of epoch E at version v:   the row of (member, E) with the greatest seq <= v
-- Both are one backward step on the primary key; `mark` rides in the index so neither visits the table.
-- member_id has the collation of members.id (migration 011): compared with a members row's id, a column of
-- another collation could not use this index (every read would scan the table).
CREATE TABLE member_marks (
  member_id text COLLATE "C" NOT NULL,
  epoch text NOT NULL,
  seq bigint NOT NULL,
  mark bigint NOT NULL,
  PRIMARY KEY (member_id, epoch, seq) INCLUDE (mark)
);

-- Every mark the versions and the rows held, kept only where it changed from the version before (the row's own
-- marks win over a version stamped at the same seq). A version without an epoch's mark had none (marks were
-- never removed), which the greatest-seq rule reads as 0.
INSERT INTO member_marks (member_id, epoch, seq, mark)
SELECT member_id, epoch, seq, mark
  FROM (SELECT member_id, epoch, seq, mark,
               lag(mark) OVER (PARTITION BY member_id, epoch ORDER BY seq) AS before
          FROM (SELECT DISTINCT ON (member_id, epoch, seq) member_id, epoch, seq, mark
                  FROM (SELECT m.id AS member_id, e.key AS epoch, m.seq, e.value::bigint AS mark, 0 AS source
                          FROM members m, jsonb_each_text(m.till_marks) AS e
                        UNION ALL
                        SELECT v.member_id, e.key, v.seq, e.value::bigint, 1
                          FROM member_versions v, jsonb_each_text(v.till_marks) AS e) AS every
                 ORDER BY member_id, epoch, seq, source) AS marks) AS changes
 WHERE before IS DISTINCT FROM mark;

ALTER TABLE members DROP COLUMN till_marks;

ALTER TABLE member_versions DROP COLUMN till_marks;
