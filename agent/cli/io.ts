/**
 * What a CLI command gets: its arguments and where to write. Commands never call process.exit;
 * they return the exit code: 0 ok, 1 the evidence is invalid / the operation was refused,
 * 2 usage error or unreadable input.
 */
import { AegisError } from '../../attest/errors.ts'
export interface CliIO {
  stdout: (s: string) => void
  stderr: (s: string) => void
  env: Record<string, string | undefined>
}

export type Command = (argv: string[], io: CliIO) => Promise<number>

export const EXIT_OK = 0
export const EXIT_INVALID = 1
export const EXIT_USAGE = 2

/**
 * Report a failure the way every command does: with --json the problem as the only stdout
 * (`{"ok":false,"code","message","detail"?}`), otherwise one line on stderr. Returns `exit`.
 */
export function reportFailure(io: CliIO, command: string, json: boolean, exit: number, e: unknown): number {
  const err = e instanceof AegisError ? e : new AegisError('ERR_INTERNAL', String(e), { cause: e })
  if (json) {
    const body: Record<string, unknown> = { ok: false, code: err.code, message: err.message }
    if (err.detail) body.detail = err.detail
    io.stdout(JSON.stringify(body) + '\n')
  } else {
    io.stderr(`aegis ${command}: ${err.code}: ${err.message}\n`)
  }
  return exit
}
