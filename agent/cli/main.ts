/**
 * aegis: the Aegis Edge command line. `aegis <group> <command> [options]`.
 * Each command lives in commands/<group>-<command>.ts and is registered here.
 */
import { AegisError } from '../../attest/errors.ts'
import { EXIT_INVALID, EXIT_USAGE, type CliIO, type Command } from './io.ts'

const COMMANDS: Record<string, () => Promise<Command>> = {
  // registry: '<group> <command>': lazy import of the command's run()
  token: () => import('./commands/token.ts').then((m) => m.run),
  'agent enroll': () => import('./commands/agent-enroll.ts').then((m) => m.run),
  'agent send': () => import('./commands/agent-send.ts').then((m) => m.run),
  'agent run': () => import('./commands/agent-run.ts').then((m) => m.run),
  'agent status': () => import('./commands/agent-status.ts').then((m) => m.run),
  'verify bundle': () => import('./commands/verify-bundle.ts').then((m) => m.run),
  'verify quote': () => import('./commands/verify-quote.ts').then((m) => m.run),
  'verify ek-cert': () => import('./commands/verify-ek-cert.ts').then((m) => m.run),
  'eventlog replay': () => import('./commands/eventlog-replay.ts').then((m) => m.run),
  'eventlog show': () => import('./commands/eventlog-show.ts').then((m) => m.run),
  'eventlog extend': () => import('./commands/eventlog-extend.ts').then((m) => m.run),
}

const USAGE = `usage: aegis <command> [options]

commands:
${Object.keys(COMMANDS)
  .map((c) => '  aegis ' + c)
  .join('\n')}
`

export async function main(argv: string[], io: CliIO = defaultIO()): Promise<number> {
  const key2 = argv.slice(0, 2).join(' ')
  const key1 = argv[0] ?? ''
  const [key, rest] = COMMANDS[key2] ? [key2, argv.slice(2)] : [key1, argv.slice(1)]
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === 'help') {
    io.stdout(USAGE)
    return 0
  }
  const load = COMMANDS[key]
  if (!load) {
    io.stderr(`aegis: unknown command '${argv.slice(0, 2).join(' ')}'\n` + USAGE)
    return EXIT_USAGE
  }
  try {
    const run = await load()
    return await run(rest, io)
  } catch (e) {
    // Commands report their own outcomes; anything reaching here is a usage/IO error or a bug.
    const err = e instanceof AegisError ? e : new AegisError('ERR_INTERNAL', String(e), { cause: e })
    io.stderr(`aegis: ${err.code}: ${err.message}\n`)
    return err.code === 'ERR_USAGE' || err.code === 'ERR_IO' || err.code === 'ERR_CONFIG' ? EXIT_USAGE : EXIT_INVALID
  }
}

function defaultIO(): CliIO {
  return {
    stdout: (s) => process.stdout.write(s),
    stderr: (s) => process.stderr.write(s),
    env: process.env,
  }
}
