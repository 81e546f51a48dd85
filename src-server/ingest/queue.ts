/**
 * Group commit for pushes: what a chain's tills push at once is taken in a
 * few transactions, not one each.
 *
 * A push that arrives while a group slot is free starts a group of its own at
 * once (a quiet store pays nothing extra). While every slot is busy, pushes
 * wait; a slot that comes free takes every waiting push it may — at most one
 * per till (a till's pushes stay in order, one at a time), at most
 * `maxDocuments` documents — as one group (`ingestGroup`). So the busier the
 * chain, the larger the groups and the fewer the commits, and a push waits
 * for at most the group ahead of it.
 *
 * Invariants: every submitted push is settled exactly once, with its own
 * outcome (a coded error rejects that push alone); pushes of one till are
 * taken in the order they arrived, never two at once in this process (across
 * processes the till row lock keeps them apart).
 */
import type { PushRequest } from '../../shared/replication';
import type { TillIdentity } from '../auth';
import type { Db } from '../db';
import { ingestGroup, type IngestOptions, type IngestResult } from './index';

export type PushQueueOptions = {
  /** Groups in flight at once (each holds one database connection while it runs). */
  groups: number;
  /** A group's documents at most (a lone push larger than this still forms a group of one). */
  maxDocuments: number;
  log?: (err: unknown) => void;
};

export type PushQueue = {
  submit(till: TillIdentity, push: PushRequest): Promise<IngestResult>;
  /** Pushes waiting and groups running now (metrics, tests). */
  load(): { waiting: number; running: number };
};

type Waiting = {
  till: TillIdentity;
  push: PushRequest;
  resolve: (r: IngestResult) => void;
  reject: (e: unknown) => void;
};

export function createPushQueue(db: Db, opts: IngestOptions, options: PushQueueOptions): PushQueue {
  const waiting: Waiting[] = [];
  const busy = new Set<string>();
  let running = 0;

  /** The waiting pushes the next group takes, in arrival order: one per till not already in a group. */
  function nextGroup(): Waiting[] {
    const group: Waiting[] = [];
    const tills = new Set<string>();
    let documents = 0;
    for (let i = 0; i < waiting.length;) {
      const w = waiting[i]!;
      const id = w.till.tillId;
      const size = w.push.rows.length;
      if (busy.has(id) || tills.has(id) || (group.length > 0 && documents + size > options.maxDocuments)) {
        i++;
        continue;
      }
      waiting.splice(i, 1);
      group.push(w);
      tills.add(id);
      documents += size;
    }
    return group;
  }

  function pump(): void {
    while (running < options.groups) {
      const group = nextGroup();
      if (group.length === 0) return;
      running++;
      for (const w of group) busy.add(w.till.tillId);
      void ingestGroup(db, group, opts, options.log)
        .then(
          (outcomes) =>
            outcomes.forEach((o, k) =>
              o.status === 'fulfilled' ? group[k]!.resolve(o.value) : group[k]!.reject(o.reason),
            ),
          (err: unknown) => group.forEach((w) => w.reject(err)),
        )
        .finally(() => {
          running--;
          for (const w of group) busy.delete(w.till.tillId);
          pump();
        });
    }
  }

  return {
    submit(till, push) {
      return new Promise<IngestResult>((resolve, reject) => {
        waiting.push({ till, push, resolve, reject });
        pump();
      });
    },
    load: () => ({ waiting: waiting.length, running }),
  };
}
