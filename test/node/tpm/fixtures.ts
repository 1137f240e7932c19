/**
 * Shared pieces of the TPM client's swtpm tests: open a client for one step (swtpm serves one
 * data connection at a time, so the client must be closed before tpm2-tools can run), run a
 * tpm2-tools command *without* the helper's flush (so a leaked transient stays visible), and
 * assert that no transient object or session is left loaded.
 */
import { execFileSync } from 'node:child_process'
import { expect } from 'vitest'
import { Tpm } from '../../../agent/tpm/tpm.ts'
import type { Swtpm } from '../helpers/swtpm.ts'

export async function withTpm<T>(sw: Swtpm, fn: (tpm: Tpm) => Promise<T>): Promise<T> {
  const tpm = await Tpm.open(sw.agentTpm)
  try {
    return await fn(tpm)
  } finally {
    await tpm.close()
  }
}

/** tpm2-tools against `sw` with no flush beforehand (unlike Swtpm.tools). */
export function rawTool(sw: Swtpm, cmd: string, args: string[], cwd?: string): string {
  return execFileSync(cmd, args, {
    env: { ...process.env, TPM2TOOLS_TCTI: sw.tcti },
    cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
  }).toString()
}

/** No transient objects and no loaded sessions, by our GetCapability and by tpm2_getcap. */
export async function expectNothingLoaded(sw: Swtpm): Promise<void> {
  await withTpm(sw, async (tpm) => {
    expect(await tpm.getHandles(0x80000000)).toEqual([])
    expect(await tpm.getHandles(0x02000000)).toEqual([])
  })
  expect(rawTool(sw, 'tpm2_getcap', ['handles-transient']).trim()).toBe('')
  expect(rawTool(sw, 'tpm2_getcap', ['handles-loaded-session']).trim()).toBe('')
}

/** tpm2_pcrread's YAML for one bank, as index -> hex. */
export function pcrreadValues(sw: Swtpm, bank: string, pcrs: number[]): Record<number, string> {
  const out = rawTool(sw, 'tpm2_pcrread', [`${bank}:${pcrs.join(',')}`])
  const values: Record<number, string> = {}
  for (const m of out.matchAll(/^\s+(\d+)\s*:\s*0x([0-9A-Fa-f]+)\s*$/gm)) {
    values[Number(m[1])] = m[2]!.toLowerCase()
  }
  return values
}
