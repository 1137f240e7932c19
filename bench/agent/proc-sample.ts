/**
 * One sample of a Linux process's footprint from /proc (proc(5)): resident memory now and at its
 * peak (VmRSS, VmHWM in /proc/PID/status) and CPU time used so far (utime + stime, fields 14 and 15
 * of /proc/PID/stat, in clock ticks of `getconf CLK_TCK`). Linux only.
 */
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'

export interface ProcSample {
  /** ms since the epoch */
  at: number
  rssKiB: number
  peakRssKiB: number
  /** user + system CPU time, ms */
  cpuMs: number
}

const CLK_TCK = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100

export function sampleProc(pid: number): ProcSample {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  const kib = (key: string) =>
    Number(new RegExp(`^${key}:\\s+(\\d+) kB$`, 'm').exec(status)?.[1] ?? NaN)
  // The command name (field 2) may hold spaces and parentheses: split after its closing ')'.
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  const ticks = Number(rest[11]) + Number(rest[12]) // fields 14, 15 (rest starts at field 3)
  return {
    at: Date.now(),
    rssKiB: kib('VmRSS'),
    peakRssKiB: kib('VmHWM'),
    cpuMs: (ticks * 1000) / CLK_TCK,
  }
}
