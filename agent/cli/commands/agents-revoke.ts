/**
 * `aegis agents revoke AGENT_ID --reason TEXT`: revoke an agent (POST /v1/agents/{id}/revoke,
 * operator role). Its batches are refused from then on (ERR_AGENT_REVOKED); re-admitting it
 * needs a fresh enrollment. Exit 0, 1 when the collector refuses, 2 on usage errors.
 */
import { parseFlags, required } from '../args.ts'
import { operatorApi, resolveTarget, TARGET_FLAGS, TARGET_HELP } from '../collector-target.ts'
import { EXIT_OK, type Command } from '../io.ts'
import { agentIdArg } from './agents-show.ts'

export const flags = { ...TARGET_FLAGS, reason: 'string' } as const

export const help = `usage: aegis agents revoke AGENT_ID --reason TEXT [--collector URL] [--token JWT] [--json]

Revoke an agent (operator role): every later batch or nonce request is refused with
ERR_AGENT_REVOKED. The reason is kept with the record, with who revoked it.

options:
  --reason TEXT      why (1..500 characters), required
${TARGET_HELP}

example:
  aegis agents revoke 3f1c...e9 --reason "device reported stolen"
`

export const run: Command = async (argv, io) => {
  const f = parseFlags(argv, flags)
  const id = agentIdArg(f._)
  const reason = required(f.reason, 'reason')
  const r = await operatorApi(resolveTarget(f, io.env)).post<{
    agentId: string
    status: string
    revokedAt: string
  }>(`/v1/agents/${id}/revoke`, { reason })
  io.stdout(f.json ? JSON.stringify(r) + '\n' : `revoked ${r.agentId} at ${r.revokedAt}\n`)
  return EXIT_OK
}
