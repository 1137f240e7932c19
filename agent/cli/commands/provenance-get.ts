/**
 * `aegis provenance get BATCH_ID [--out FILE]`: download a batch's provenance record
 * (GET /v1/provenance/{batchId}, auditor role): the evidence bundle, its receipt, the inclusion
 * proof and the signed tree head, exactly as `aegis verify bundle FILE` takes it. Written to FILE
 * (atomically) or to stdout. A batch accepted but not synced yet is ERR_NOT_FOUND (exit 1).
 */
import { renameSync, writeFileSync } from 'node:fs'
import { AegisError } from '../../../attest/errors.ts'
import { parseFlags } from '../args.ts'
import { operatorApi, resolveTarget, TARGET_FLAGS, TARGET_HELP } from '../collector-target.ts'
import { EXIT_OK, type Command } from '../io.ts'

export const flags = { ...TARGET_FLAGS, out: 'string' } as const

export const help = `usage: aegis provenance get BATCH_ID [--out FILE] [--collector URL] [--token JWT]

Download a batch's provenance record (auditor role), the input of aegis verify bundle.

options:
  --out FILE         write the record to FILE instead of stdout
${TARGET_HELP.replace(/\n.*--json.*$/, '')}
  --json             accepted for symmetry: the record is JSON either way

example:
  aegis provenance get 9c0e...41 --out batch.json && aegis verify bundle batch.json --roots ca.pem --jwks jwks.json
`

export const run: Command = async (argv, io) => {
  const f = parseFlags(argv, flags)
  if (f._.length !== 1) throw new AegisError('ERR_USAGE', 'give exactly one BATCH_ID')
  const id = f._[0]!.toLowerCase()
  if (!/^[0-9a-f]{64}$/.test(id))
    throw new AegisError('ERR_USAGE', 'BATCH_ID is 64 hex digits (the batchId of a receipt)')
  const record = await operatorApi(resolveTarget(f, io.env)).get<unknown>(`/v1/provenance/${id}`)
  const text = JSON.stringify(record, null, 2) + '\n'
  if (f.out === undefined) {
    io.stdout(text)
    return EXIT_OK
  }
  try {
    writeFileSync(`${f.out}.tmp`, text)
    renameSync(`${f.out}.tmp`, f.out)
  } catch (cause) {
    throw new AegisError('ERR_IO', `cannot write ${f.out}`, { cause })
  }
  io.stderr(`aegis provenance get: wrote ${f.out}\n`)
  return EXIT_OK
}
