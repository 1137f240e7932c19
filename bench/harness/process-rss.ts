/**
 * Resident memory and CPU time of the workerd processes of one `wrangler dev` (its process group),
 * read from Linux /proc: /proc/<pid>/stat gives the command, process group and CPU time,
 * /proc/<pid>/status VmRSS the resident set. The soak benchmark uses the memory to show whether
 * the collector's stays flat; the load run uses the CPU time to say what a request costs the
 * collector whatever else the machine runs (throughput alone moves with the other load).
 * Leaves out other platforms (returns null where /proc is missing).
 */
import { readdirSync, readFileSync } from 'node:fs'

/** Clock ticks per second of /proc/<pid>/stat's utime and stime (USER_HZ, 100 on Linux). */
const USER_HZ = 100

/** Calls `each(pid, statFields)` for every workerd process in the group; false without /proc. */
function forEachWorkerd(processGroup: number, each: (pid: string, fields: string[]) => void) {
  let pids: string[]
  try {
    pids = readdirSync('/proc').filter((d) => /^\d+$/.test(d))
  } catch {
    return false
  }
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
      // "pid (comm) state ppid pgrp ...": comm may contain spaces, so split after the last ')'.
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'))
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
      if (comm !== 'workerd' || Number(fields[2]) !== processGroup) continue
      each(pid, fields)
    } catch {
      /* the process ended meanwhile */
    }
  }
  return true
}

/**
 * The role of a workerd process of `wrangler dev`: `proxy` is wrangler's ProxyWorker process, the
 * one whose entry socket is the public port (development only: nothing like it runs deployed);
 * `runtime` is the process that runs the collector itself (the worker, its Durable Objects and
 * queue consumer, miniflare's D1/R2/queue shims).
 */
export type WorkerdRole = 'runtime' | 'proxy'

function roleOf(pid: string, publicPort: number): WorkerdRole {
  const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')
  return args.some((a) => a.startsWith('--socket-addr=entry=') && a.endsWith(`:${publicPort}`))
    ? 'proxy'
    : 'runtime'
}

/**
 * Resident bytes of the group's workerd processes by role, and the runtime's process ids (to tell
 * its log lines from the proxy's); null without /proc.
 */
export function workerdRssByRole(
  processGroup: number,
  publicPort: number,
): (Record<WorkerdRole, number> & { runtimePids: number[] }) | null {
  const out = { runtime: 0, proxy: 0, runtimePids: [] as number[] }
  const ok = forEachWorkerd(processGroup, (pid) => {
    const role = roleOf(pid, publicPort)
    if (role === 'runtime') out.runtimePids.push(Number(pid))
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
    if (m) out[role] += Number(m[1]) * 1024
  })
  return ok && out.runtime + out.proxy ? out : null
}

/** User + system CPU milliseconds the group's workerd processes (all threads) have used. */
export function workerdCpuMs(processGroup: number): number | null {
  let ticks = 0
  // After "state": ppid pgrp session tty_nr tpgid flags minflt cminflt majflt cmajflt utime stime.
  const ok = forEachWorkerd(processGroup, (_pid, f) => (ticks += Number(f[11]) + Number(f[12])))
  return ok && ticks ? (ticks * 1000) / USER_HZ : null
}

/**
 * The same CPU time by role: what the collector's own process used apart from wrangler's dev
 * proxy, which every request crosses locally and nothing deployed has (null without /proc).
 */
export function workerdCpuMsByRole(
  processGroup: number,
  publicPort: number,
): Record<WorkerdRole, number> | null {
  const ticks: Record<WorkerdRole, number> = { runtime: 0, proxy: 0 }
  const ok = forEachWorkerd(processGroup, (pid, f) => {
    ticks[roleOf(pid, publicPort)] += Number(f[11]) + Number(f[12])
  })
  if (!ok || ticks.runtime + ticks.proxy === 0) return null
  return { runtime: (ticks.runtime * 1000) / USER_HZ, proxy: (ticks.proxy * 1000) / USER_HZ }
}
