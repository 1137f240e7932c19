/**
 * The agent's durable identity in its state directory (`state.json`): which TPM keys it uses, the
 * collector it enrolled with, and its current attestation-result token. Written atomically
 * (temp file, fsync, rename, fsync dir) so a crash never leaves a torn file. Holds no secret: the
 * keys never leave the TPM, and the token is a short-lived attestation result, not a credential
 * the collector accepts data for.
 */
import { mkdir, open, readFile, rename } from 'node:fs/promises'
import path from 'node:path'
import { AegisError } from '../../attest/errors.ts'
import type { EkKind } from '../tpm/templates/ek-templates.ts'

export interface AgentState {
  version: 1
  agentId: string
  collector: string
  tpm: string
  ek: { kind: EkKind; handle: number | null }
  ak: { handle: number; alg: 'ecc' | 'rsa'; name: string }
  sensor: { id: string; firmware: string; pcr: number }
  quoteSelection: { hashAlg: 'sha1' | 'sha256' | 'sha384' | 'sha512'; pcrs: number[] }[]
  token: string
  enrolledAt: string
  /** The UEFI event log sent when the boot PCRs change (agent/eventlog/boot-log.ts). */
  eventLog?: string
}

export function statePath(dir: string): string {
  return path.join(dir, 'state.json')
}

export async function loadState(dir: string): Promise<AgentState | undefined> {
  let text: string
  try {
    text = await readFile(statePath(dir), 'utf8')
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw new AegisError('ERR_IO', `cannot read ${statePath(dir)}`, { cause: e })
  }
  try {
    const s = JSON.parse(text) as AgentState
    if (s.version !== 1 || typeof s.agentId !== 'string') throw new Error('unknown state version')
    return s
  } catch (e) {
    throw new AegisError('ERR_CONFIG', `${statePath(dir)} is not a valid agent state file`, {
      cause: e,
    })
  }
}

/** Durably replace `file` with `data`: a reader sees the old or the new content, never a mix. */
export async function writeFileAtomic(
  file: string,
  data: string | Uint8Array,
  mode = 0o600,
): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true })
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`
  const fh = await open(tmp, 'w', mode)
  try {
    await fh.writeFile(data)
    await fh.sync()
  } finally {
    await fh.close()
  }
  await rename(tmp, file)
  const dh = await open(path.dirname(file), 'r')
  try {
    await dh.sync()
  } finally {
    await dh.close()
  }
}

export async function saveState(dir: string, s: AgentState): Promise<void> {
  await writeFileAtomic(statePath(dir), JSON.stringify(s, null, 2) + '\n')
}
