/**
 * The CPU time PostgreSQL's server processes have spent, read from /proc: the benchmarks' bots and
 * PostgreSQL share the machine's cores, so what the server spends on each message is part of what
 * a message costs. Undefined where it cannot be read: a server on another machine, or no /proc.
 */
import { readdirSync, readFileSync } from "node:fs";
import { testServerIsLocal } from "../support/postgres.js";

/** Linux counts process times in clock ticks of 1/100 s (USER_HZ). */
const TICKS_PER_SECOND = 100;

/** The work's result, and the CPU seconds the server spent while it ran (undefined where unreadable). */
export async function withServerCpu<T>(work: () => Promise<T>): Promise<{ result: T; serverCpuSeconds: number | undefined }> {
  const before = serverCpuSeconds();
  const result = await work();
  const after = before === undefined ? undefined : serverCpuSeconds();
  return { result, serverCpuSeconds: after === undefined ? undefined : after - before! };
}

function serverCpuSeconds(): number | undefined {
  if (!testServerIsLocal()) return undefined;
  let ticks = 0, servers = 0;
  try {
    for (const pid of readdirSync("/proc").filter((entry) => /^\d+$/.test(entry))) {
      const stat = readStat(pid);
      if (!stat?.command.startsWith("postgres")) continue;
      servers++;
      // utime, stime, and the same of its ended children (backends whose connections closed)
      ticks += stat.fields.slice(11, 15).reduce((sum, field) => sum + Number(field), 0);
    }
  } catch {
    return undefined;
  }
  return servers > 0 ? ticks / TICKS_PER_SECOND : undefined;
}

/** /proc/<pid>/stat: the command in brackets (it may hold spaces), then the fields after it. */
function readStat(pid: string): { command: string; fields: string[] } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const close = stat.lastIndexOf(")");
    return { command: stat.slice(stat.indexOf("(") + 1, close), fields: stat.slice(close + 2).split(" ") };
  } catch {
    return undefined; // the process ended between listing and reading
  }
}
