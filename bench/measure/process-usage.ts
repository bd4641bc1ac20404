import { readFileSync } from 'node:fs';

/** Clock ticks per second of /proc/PID/stat: USER_HZ, 100 on Linux. */
const TICKS_PER_SECOND = 100;

/** CPU time and resident memory of one process at one moment. */
export interface ProcessSample {
  pid: number;
  /** utime + stime, in milliseconds. */
  cpuMs: number;
  /** VmRSS, in bytes. */
  rssBytes: number;
}

/**
 * Reads a process's CPU time and RSS from /proc. Throws when the process is
 * gone, so that a crashed system under test cannot pass as an idle one.
 */
export function sampleProcess(pid: number): ProcessSample {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name in parentheses may hold spaces: count fields after it.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);

  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const rss = /^VmRSS:\s+(\d+) kB/m.exec(status);

  return {
    pid,
    cpuMs: ((utime + stime) * 1000) / TICKS_PER_SECOND,
    rssBytes: rss ? Number(rss[1]) * 1024 : 0,
  };
}

/** Samples of several named processes taken together. */
export type UsageSnapshot = Map<string, ProcessSample>;

/** Samples every process of a system under test. */
export function snapshotUsage(pids: Map<string, number>): UsageSnapshot {
  const snapshot: UsageSnapshot = new Map();
  for (const [name, pid] of pids) {
    snapshot.set(name, sampleProcess(pid));
  }

  return snapshot;
}

/** CPU milliseconds spent by all the processes between two snapshots. */
export function cpuBetween(before: UsageSnapshot, after: UsageSnapshot) {
  let total = 0;
  for (const [name, sample] of after) {
    total += sample.cpuMs - (before.get(name)?.cpuMs ?? sample.cpuMs);
  }

  return total;
}

/**
 * CPU time the whole machine has spent busy since boot, in milliseconds,
 * from the first line of /proc/stat: what the bench and the system under
 * test did not use of it was used by someone else on the machine.
 */
export function machineBusyMs(): number {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0];
  const [user, nice, system, , , irq, softirq, steal] = line
    .trim()
    .split(/\s+/)
    .slice(1)
    .map(Number);

  const ticks = user + nice + system + irq + softirq + steal;
  return (ticks * 1000) / TICKS_PER_SECOND;
}
