/**
 * Entry point of the device build (`npm run build:agent` -> dist/agent/aegis-agent.mjs, the single
 * executables and the Debian packages, installed as /usr/bin/aegis-agent): the commands of `aegis`
 * (main.ts) with the device argument forms of device-argv.ts, and `--version` naming the version
 * and commit fixed at build time (version.ts). The development-only `aegis token` is left out of
 * this build (scripts/agent-build/bundle.mjs).
 */
import { deviceArgv } from './device-argv.ts'
import { main } from './main.ts'
import { versionLine } from './version.ts'

async function deviceMain(argv: string[]): Promise<number> {
  if (argv[0] === '--version' || argv[0] === 'version') {
    process.stdout.write(versionLine('aegis-agent'))
    return 0
  }
  return main(deviceArgv(argv, process.env))
}

// A CommonJS bundle (the single executables) cannot use top-level await: chain instead.
void deviceMain(process.argv.slice(2)).then((code) => {
  process.exitCode = code
})
