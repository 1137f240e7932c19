/**
 * What a CLI command gets: its arguments and where to write. Commands never call process.exit;
 * they return the exit code: 0 ok, 1 the evidence is invalid / the operation was refused,
 * 2 usage error or unreadable input.
 */
export interface CliIO {
  stdout: (s: string) => void
  stderr: (s: string) => void
  env: Record<string, string | undefined>
}

export type Command = (argv: string[], io: CliIO) => Promise<number>

export const EXIT_OK = 0
export const EXIT_INVALID = 1
export const EXIT_USAGE = 2
