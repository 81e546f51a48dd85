/** What the in-page bench code (bench/browser/) returns to the bench process: plain data, no DOM types. */

export type LookupTimes = { count: number; medianMs: number; p99Ms: number; missing: number };

export type DexieFloorResult = {
  members: number;
  writeMs: number;
  generateMs: number;
  wallMs: number;
  lookups: LookupTimes;
};

export type RxdbPullResult = { members: number; pullMs: number; pages: number; lookups: LookupTimes };

export type KassaLookupResult = {
  database: string;
  lookups: LookupTimes;
  /** By phone hash, the same members (builds with phone lookups). */
  phone?: LookupTimes;
  /** By name prefix, per kind of prefix (builds with name lookups). */
  byName?: Record<string, LookupTimes>;
};

/** The till's member store as the stream bench sees it: checkpoint, members held, names of the asked ids. */
export type KassaMemberWatch = { checkpoint: number; count: number; names: Array<string | null> };

/** Raw IndexedDB reads on one of the till's own databases (bench/browser/raw-lookups.ts). */
export type RawLookupResult = { database: string; lookups: LookupTimes };
