/**
 * CPU time spent by the processes a bench drives, read from /proc (Linux): a
 * phase's figures say where the machine's cores went — the server
 * processes, PostgreSQL's backends, and the bench process itself (the
 * simulated tills) — so a throughput measured on a small machine can be read
 * as CPU per unit of work, which does not depend on how many cores there are.
 */
import { readdirSync, readFileSync } from 'node:fs';

/** Clock ticks per second of /proc/<pid>/stat's utime and stime (USER_HZ: 100 on every Linux build in use). */
const TICKS_PER_SECOND = 100;

/** utime + stime of one process in ms, or 0 when it has gone (or this is not Linux). */
function processCpuMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name is in parentheses and may hold spaces: fields count from after its closing one.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND) * 1000;
  } catch {
    return 0;
  }
}

/** Every running process whose command name is `name` (PostgreSQL's postmaster and backends: `postgres`). */
function pidsNamed(name: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() === name) pids.push(Number(entry));
    } catch {
      // gone between the listing and the read
    }
  }
  return pids;
}

export type CpuReading = { self: number; servers: number; postgres: Map<number, number> };

/** CPU so far: this process, the given server processes, and each PostgreSQL process (ms). */
export function readCpu(serverPids: readonly number[]): CpuReading {
  const usage = process.cpuUsage();
  return {
    self: (usage.user + usage.system) / 1000,
    servers: serverPids.reduce((sum, pid) => sum + processCpuMs(pid), 0),
    postgres: new Map(pidsNamed('postgres').map((pid) => [pid, processCpuMs(pid)])),
  };
}

export type CpuSpent = { self: number; servers: number; postgres: number };

/**
 * What was spent between two readings. A PostgreSQL backend that ended in between is not counted (its last
 * figures are gone); benches keep their pools open across a phase, so none does.
 */
export function cpuSince(before: CpuReading, after: CpuReading): CpuSpent {
  let postgres = 0;
  for (const [pid, ms] of after.postgres) postgres += ms - (before.postgres.get(pid) ?? 0);
  return { self: after.self - before.self, servers: after.servers - before.servers, postgres };
}
