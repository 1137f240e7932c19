/**
 * `aegis agents zones AGENT_ID ZONE...` (or `--none`): assign the geofence zones an agent's fixes
 * are judged in (PUT /v1/agents/{id}/zones, operator role). Zones must exist (aegis zones list);
 * an unknown one is refused with its name. Exit 0, 1 when refused, 2 on usage errors.
 */
import { AegisError } from '../../../attest/errors.ts'
import { parseFlags } from '../args.ts'
import { operatorApi, resolveTarget, TARGET_FLAGS, TARGET_HELP } from '../collector-target.ts'
import { EXIT_OK, type Command } from '../io.ts'
import { agentIdArg } from './agents-show.ts'

export const flags = { ...TARGET_FLAGS, none: 'boolean', move: 'boolean' } as const

export const help = `usage: aegis agents zones AGENT_ID ZONE_ID... | --none [--move] [--collector URL] [--token JWT] [--json]

Set the zones an agent must report fixes inside (operator role); replaces the current list. For
an agent not enrolled yet, the zones (and their jurisdiction) wait for its enrollment.

options:
  --none             clear the list: production then refuses its batches (no zone); development
                     judges them in the built-in world zone
  --move             the zones put the agent in another jurisdiction: move its ledger and stored
                     evidence there (refused without it: ERR_RESIDENCY_MOVE_REQUIRED)
${TARGET_HELP}

example:
  aegis agents zones 3f1c...e9 paris-dc lyon-dc
`

export const run: Command = async (argv, io) => {
  const f = parseFlags(argv, flags)
  const [first, ...zones] = f._
  const id = agentIdArg(first === undefined ? [] : [first])
  if (f.none ? zones.length > 0 : zones.length === 0) {
    throw new AegisError('ERR_USAGE', 'give one or more ZONE_IDs, or --none')
  }
  const r = await operatorApi(resolveTarget(f, io.env)).put<{
    agentId: string
    zones: string[]
    moved?: { from: string | null; to: string | null }
    pending?: boolean
  }>(`/v1/agents/${id}/zones`, { zones, ...(f.move ? { move: true } : {}) })
  const moved = r.moved
    ? `; moved ${r.moved.from ?? 'none'} -> ${r.moved.to ?? 'none'}`
    : r.pending
      ? ' (applied when it enrolls)'
      : ''
  io.stdout(
    f.json
      ? JSON.stringify(r) + '\n'
      : `${r.agentId} zones: ${r.zones.join(', ') || '(none)'}${moved}\n`,
  )
  return EXIT_OK
}
