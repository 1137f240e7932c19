/**
 * Shared by `aegis eventlog replay` and `aegis eventlog show`: read FILE (a saved
 * binary_bios_measurements) as usage-level input, so an unreadable file exits 2 and a malformed
 * log exits 1, as the verify commands do.
 */
import { readFileSync } from 'node:fs'
import { AegisError } from '../../../attest/errors.ts'
import { parseFlags } from '../args.ts'

export function readLogArgs(argv: string[]): { bytes: Uint8Array; json: boolean } {
  const f = parseFlags(argv, { json: 'boolean' } as const)
  if (f._.length !== 1) throw new AegisError('ERR_USAGE', 'expected exactly one event log FILE')
  const file = f._[0]!
  try {
    return { bytes: new Uint8Array(readFileSync(file)), json: f.json === true }
  } catch (cause) {
    throw new AegisError('ERR_IO', `cannot read ${file}`, { cause })
  }
}
