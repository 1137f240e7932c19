/**
 * One running agent per state directory: `agent.pid` holds the owner's pid. A second agent on the
 * same directory would allocate seqs and send the spool twice, so it is refused (ERR_CONFIG). A
 * pid file left by a crash (SIGKILL, power loss) names a process that is gone, or a live process
 * that is not an aegis agent (pid reuse after a reboot; checked through /proc/PID/cmdline), and is
 * taken over. Leaves out locking across hosts (a state directory on a network share).
 */
import { readFile, unlink, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { AegisError } from '../../attest/errors.ts'

export function pidFile(stateDir: string): string {
  return path.join(stateDir, 'agent.pid')
}

/** The pid of a live agent holding the directory, if any. */
export async function lockHolder(stateDir: string): Promise<number | undefined> {
  let pid: number
  try {
    pid = Number((await readFile(pidFile(stateDir), 'utf8')).trim())
  } catch {
    return undefined
  }
  if (!Number.isSafeInteger(pid) || pid <= 0) return undefined
  try {
    process.kill(pid, 0)
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ESRCH') return undefined
  }
  try {
    const cmd = (await readFile(`/proc/${pid}/cmdline`, 'utf8')).split('\0')
    if (!(cmd.includes('agent') && cmd.includes('run'))) return undefined
  } catch {
    /* no /proc, or not ours to read: trust kill(0) */
  }
  return pid
}

export async function acquireStateLock(stateDir: string): Promise<{ release(): Promise<void> }> {
  const holder = await lockHolder(stateDir)
  if (holder !== undefined && holder !== process.pid) {
    throw new AegisError(
      'ERR_CONFIG',
      `another agent (pid ${holder}) is running with state directory ${stateDir}`,
      {
        detail: { key: 'stateDir', pid: holder },
      },
    )
  }
  await writeFile(pidFile(stateDir), `${process.pid}\n`, { mode: 0o600 })
  return {
    async release() {
      const cur = await readFile(pidFile(stateDir), 'utf8').catch(() => '')
      if (cur.trim() === String(process.pid)) await unlink(pidFile(stateDir)).catch(() => undefined)
    },
  }
}
