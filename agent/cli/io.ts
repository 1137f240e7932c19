/**
 * What a CLI command gets: its arguments and where to write. Commands never call process.exit;
 * they return the exit code: 0 ok, 1 the evidence is invalid / the operation was refused,
 * 2 usage error or unreadable input.
 * Every command module exports `run` and `help` (usage line, one-line description, each flag with
 * a one-line description, an example); main.ts prints `help` for `--help`/`-h`. A module may also
 * export `flags` (its FlagSpec) so the CLI tests can check that help names every flag.
 */
import { AegisError } from '../../attest/errors.ts'
import type { FlagSpec } from './args.ts'

export interface CliIO {
  stdout: (s: string) => void
  stderr: (s: string) => void
  env: Record<string, string | undefined>
}

export type Command = (argv: string[], io: CliIO) => Promise<number>

export interface CommandModule {
  run: Command
  help: string
  flags?: FlagSpec
}

export const EXIT_OK = 0
export const EXIT_INVALID = 1
export const EXIT_USAGE = 2

/** Exit code for an error that escaped a command: usage and unreadable input are 2, else 1. */
export function exitFor(e: unknown): number {
  const code = e instanceof AegisError ? e.code : 'ERR_INTERNAL'
  return code === 'ERR_USAGE' || code === 'ERR_IO' || code === 'ERR_CONFIG'
    ? EXIT_USAGE
    : EXIT_INVALID
}

/**
 * Report a failure the way every command does: one human line on stderr always and, with --json,
 * the problem as the only stdout (`{"ok":false,"code","message","detail"?}`). Returns `exit`.
 */
export function reportFailure(
  io: CliIO,
  command: string,
  json: boolean,
  exit: number,
  e: unknown,
): number {
  const err = e instanceof AegisError ? e : new AegisError('ERR_INTERNAL', String(e), { cause: e })
  if (json) {
    const body: Record<string, unknown> = { ok: false, code: err.code, message: err.message }
    if (err.detail) body.detail = err.detail
    io.stdout(JSON.stringify(body) + '\n')
  }
  io.stderr(`aegis ${command}: ${err.code}: ${err.message}\n`)
  return exit
}

/**
 * The shape of the offline commands (verify quote|ek-cert, eventlog replay|show): read the inputs
 * (a failure is a usage error, exit 2), judge them (a failure is invalid evidence, exit 1), then
 * print the report as JSON with --json or as text for people (exit 0).
 */
export async function runOffline<I, R>(
  argv: string[],
  io: CliIO,
  command: string,
  steps: {
    read: (argv: string[]) => I
    judge: (input: I) => R | Promise<R>
    text: (report: R) => string
  },
): Promise<number> {
  const json = argv.includes('--json')
  let input: I
  try {
    input = steps.read(argv)
  } catch (e) {
    return reportFailure(io, command, json, EXIT_USAGE, e)
  }
  let report: R
  try {
    report = await steps.judge(input)
  } catch (e) {
    return reportFailure(io, command, json, EXIT_INVALID, e)
  }
  io.stdout(json ? JSON.stringify(report) + '\n' : steps.text(report))
  return EXIT_OK
}
