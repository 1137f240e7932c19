/**
 * aegis: the Aegis Edge command line. `aegis <group> <command> [options]`.
 * Each command lives in commands/<group>-<command>.ts, exports `run` and `help`, and is registered
 * here with a one-line summary (so listings load no command code). `--help`/`-h` prints a
 * command's help, `aegis <group>` alone lists the group, `aegis --version` the version and commit.
 * Imports stay literal so a bundler (esbuild) can follow them.
 */
import { AegisError } from '../../attest/errors.ts'
import { EXIT_USAGE, exitFor, type CliIO, type CommandModule } from './io.ts'
import { cliVersion } from './version.ts'

interface Entry {
  summary: string
  load: () => Promise<CommandModule>
}

export const COMMANDS: Record<string, Entry> = {
  'agent enroll': {
    summary: 'enroll this machine with a collector (EK certificate, AK activation)',
    load: () => import('./commands/agent-enroll.ts'),
  },
  'agent send': {
    summary: 'send quoted batches of host metrics now',
    load: () => import('./commands/agent-send.ts'),
  },
  'agent run': {
    summary: 'run the agent as a service (metrics, GNSS, spool)',
    load: () => import('./commands/agent-run.ts'),
  },
  'agent status': {
    summary: "report an agent's state directory",
    load: () => import('./commands/agent-status.ts'),
  },
  'agents list': {
    summary: 'list enrolled agents (operator)',
    load: () => import('./commands/agents-list.ts'),
  },
  'agents show': {
    summary: "show one agent's record and replay state (operator)",
    load: () => import('./commands/agents-show.ts'),
  },
  'agents revoke': {
    summary: 'revoke an agent (operator)',
    load: () => import('./commands/agents-revoke.ts'),
  },
  'agents zones': {
    summary: "set an agent's geofence zones (operator)",
    load: () => import('./commands/agents-zones.ts'),
  },
  'policy get': {
    summary: 'print the PCR policy (operator)',
    load: () => import('./commands/policy-get.ts'),
  },
  'policy set': {
    summary: 'replace the PCR policy from a JSON file (operator)',
    load: () => import('./commands/policy-set.ts'),
  },
  'zones list': {
    summary: 'list geofence zones (viewer)',
    load: () => import('./commands/zones-list.ts'),
  },
  'zones put': {
    summary: 'create or replace a zone from GeoJSON (operator)',
    load: () => import('./commands/zones-put.ts'),
  },
  'zones delete': {
    summary: 'delete a zone (operator)',
    load: () => import('./commands/zones-delete.ts'),
  },
  decisions: {
    summary: 'read the decision audit trail (auditor)',
    load: () => import('./commands/decisions.ts'),
  },
  'provenance get': {
    summary: "download a batch's provenance record (auditor)",
    load: () => import('./commands/provenance-get.ts'),
  },
  'log sth': {
    summary: "print the transparency log's signed tree head (auditor)",
    load: () => import('./commands/log-sth.ts'),
  },
  'log consistency': {
    summary: 'fetch and verify a consistency proof between two tree sizes (auditor)',
    load: () => import('./commands/log-consistency.ts'),
  },
  'log shards': {
    summary: "list the log's shards and the root log, heads verified with --jwks (auditor)",
    load: () => import('./commands/log-shards.ts'),
  },
  'trust show': {
    summary: "show the collector's EK trust anchors and intermediates (operator)",
    load: () => import('./commands/trust-show.ts'),
  },
  'trust import': {
    summary: 'trust TPM vendors from the curated set trust/tpm-vendors (operator)',
    load: () => import('./commands/trust-import.ts'),
  },
  'eventlog replay': {
    summary: 'replay a UEFI event log into PCR values per bank, offline',
    load: () => import('./commands/eventlog-replay.ts'),
  },
  'eventlog show': {
    summary: 'list the decoded events of a UEFI event log',
    load: () => import('./commands/eventlog-show.ts'),
  },
  'eventlog extend': {
    summary: "extend a recorded event log into a software TPM's PCRs (dev and tests)",
    load: () => import('./commands/eventlog-extend.ts'),
  },
  'verify bundle': {
    summary: 're-verify a provenance record offline',
    load: () => import('./commands/verify-bundle.ts'),
  },
  'verify quote': {
    summary: 'check a TPM2_Quote from tpm2-tools files offline',
    load: () => import('./commands/verify-quote.ts'),
  },
  'verify ek-cert': {
    summary: 'check an EK certificate against manufacturer roots offline',
    load: () => import('./commands/verify-ek-cert.ts'),
  },
  token: {
    summary: 'mint a development role token (never trusted in production)',
    load: () => import('./commands/token.ts'),
  },
}

function listing(prefix = ''): string {
  const keys = Object.keys(COMMANDS).filter((k) => prefix === '' || k.startsWith(prefix + ' '))
  const width = Math.max(...keys.map((k) => k.length)) + 2
  const lines = keys.map((k) => `  aegis ${k.padEnd(width)}${COMMANDS[k]!.summary}`)
  const head = prefix
    ? `usage: aegis ${prefix} <command> [options]`
    : 'usage: aegis <command> [options]'
  return `${head}\n\ncommands:\n${lines.join('\n')}\n\nRun 'aegis <command> --help' for a command's options; 'aegis --version' for the version.\n`
}

const GROUPS = new Set(
  Object.keys(COMMANDS).flatMap((k) => (k.includes(' ') ? [k.split(' ')[0]!] : [])),
)
const wantsHelp = (args: string[]) => args.includes('--help') || args.includes('-h')

export async function main(argv: string[], io: CliIO = defaultIO()): Promise<number> {
  const [first = '', second = ''] = argv
  if (
    argv.length === 0 ||
    first === '--help' ||
    first === '-h' ||
    (first === 'help' && argv.length === 1)
  ) {
    io.stdout(listing())
    return 0
  }
  if (first === '--version' || first === '-V') {
    const v = cliVersion()
    io.stdout(`aegis ${v.version}${v.commit ? ` (commit ${v.commit})` : ''}\n`)
    return 0
  }
  if (first === 'help') return main([...argv.slice(1), '--help'], io)
  const key = COMMANDS[`${first} ${second}`] ? `${first} ${second}` : first
  const entry = COMMANDS[key]
  if (!entry) {
    if (GROUPS.has(first) && (second === '' || wantsHelp([second]))) {
      io.stdout(listing(first))
      return 0
    }
    const what = GROUPS.has(first) ? `${first} ${second}` : first
    io.stderr(`aegis: unknown command '${what}'\n` + listing(GROUPS.has(first) ? first : ''))
    return EXIT_USAGE
  }
  const rest = argv.slice(key.split(' ').length)
  const json = rest.includes('--json')
  try {
    const mod = await entry.load()
    if (wantsHelp(rest)) {
      io.stdout(mod.help.endsWith('\n') ? mod.help : mod.help + '\n')
      return 0
    }
    return await mod.run(rest, io)
  } catch (e) {
    // Commands report their own outcomes; anything reaching here is a usage/IO error or a bug.
    const err =
      e instanceof AegisError ? e : new AegisError('ERR_INTERNAL', String(e), { cause: e })
    if (json) {
      const body = {
        ok: false,
        code: err.code,
        message: err.message,
        ...(err.detail ? { detail: err.detail } : {}),
      }
      io.stdout(JSON.stringify(body) + '\n')
    }
    io.stderr(`aegis ${key}: ${err.code}: ${err.message}\n`)
    if (err.code === 'ERR_USAGE') io.stderr(`Run 'aegis ${key} --help' for usage.\n`)
    return exitFor(err)
  }
}

function defaultIO(): CliIO {
  return {
    stdout: (s) => process.stdout.write(s),
    stderr: (s) => process.stderr.write(s),
    env: process.env,
  }
}
