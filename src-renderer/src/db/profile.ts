/**
 * A member's phone, e-mail address or marketing consent changed at the till:
 * one journal document, offline like a sale. The till keeps no phone number or
 * e-mail address in its member store: the edit carries them to the server
 * (src-server/ingest/profile.ts, with its conflict rule) and stays in the
 * journal only until compaction. The new phone finds the member here at once
 * (db/enrolment.ts `withLocalMembers`).
 */
import { monotonicFactory } from 'ulid';
import { journalDocSchema } from '../../../shared/documents';
import { profileEditBody, type ProfileForm } from '../../../shared/enrolment';
import type { TillDatabase } from './database';
import { takeTillSeqs } from './sales';

const nextId = monotonicFactory();

/** Checks and writes the edit (ENROL_FIELD_INVALID naming the field, PROFILE_UNCHANGED); nothing is written when refused. */
export async function recordProfileEdit(
  db: TillDatabase,
  ctx: { tillId: string; storeId: string; cashierId: string; country: string | null },
  memberId: string,
  form: ProfileForm,
): Promise<void> {
  const at = new Date().toISOString();
  const body = profileEditBody(form, { ...ctx, at });
  const [seq] = await takeTillSeqs(db, 1);
  const { _deleted: _, ...row } = journalDocSchema.parse({
    id: nextId(),
    tillId: ctx.tillId,
    tillSeq: seq,
    at,
    memberId,
    kind: 'member',
    body,
  });
  await db.journal.insert(row);
}
