/**
 * Resident memory of the workerd processes of one `wrangler dev` (its process group), read from
 * Linux /proc: /proc/<pid>/stat gives the command and process group, /proc/<pid>/status VmRSS the
 * resident set. Used by the soak benchmark to show whether the collector's memory stays flat.
 * Leaves out other platforms (returns null where /proc is missing).
 */
import { readdirSync, readFileSync } from 'node:fs'

export function workerdRssBytes(processGroup: number): number | null {
  let pids: string[]
  try {
    pids = readdirSync('/proc').filter((d) => /^\d+$/.test(d))
  } catch {
    return null
  }
  let total = 0
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
      // "pid (comm) state ppid pgrp ...": comm may contain spaces, so split after the last ')'.
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'))
      const pgrp = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2])
      if (comm !== 'workerd' || pgrp !== processGroup) continue
      const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
      if (m) total += Number(m[1]) * 1024
    } catch {
      /* the process ended meanwhile */
    }
  }
  return total || null
}
