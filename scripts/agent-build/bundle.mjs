/**
 * The agent CLI as one JavaScript file (esbuild): agent/cli/device-entry.ts with every command's
 * lazy import() inlined (no code splitting) and every npm dependency bundled, so the file imports
 * nothing but `node:` built-ins and runs on any Node >= 20 on any architecture.
 *  - format 'esm' -> dist/agent/aegis-agent.mjs (run with `node aegis-agent.mjs`);
 *  - format 'cjs' -> the main script of the single executables (Node 22's SEA runs CommonJS only).
 * Build-time constants (agent/cli/version.ts): __AEGIS_VERSION__ and __AEGIS_COMMIT__.
 * `aegis token` (development only: it signs with the repo's .dev.vars key) is replaced by a
 * command that refuses with ERR_USAGE.
 */
import { build } from 'esbuild'

const TOKEN_STUB = `import { AegisError } from '../../../attest/errors.ts'
export const help = 'usage: aegis token\\n\\nA development command (signs with a checkout\\'s .dev.vars key): ' +
  'not part of the agent build.\\n\\noptions:\\n  (none)\\n\\nexample:\\n  npx aegis token --role operator   (in a checkout)\\n'
export const run = async () => {
  throw new AegisError('ERR_USAGE', 'aegis token is a development command, not part of the ' +
    'agent build (use npx aegis token in a checkout)')
}`

/** esbuild plugin: swap agent/cli/commands/token.ts for TOKEN_STUB. */
const leaveOutDevToken = {
  name: 'aegis-leave-out-dev-token',
  setup(b) {
    b.onLoad({ filter: /[\\/]agent[\\/]cli[\\/]commands[\\/]token\.ts$/ }, () => ({
      contents: TOKEN_STUB,
      loader: 'ts',
    }))
  },
}

/**
 * @param {{ root: string, outfile: string, format: 'esm' | 'cjs', version: string, commit: string }} o
 * @returns {Promise<import('esbuild').Metafile>}
 */
export async function bundleAgent(o) {
  const r = await build({
    absWorkingDir: o.root,
    entryPoints: ['agent/cli/device-entry.ts'],
    outfile: o.outfile,
    bundle: true,
    splitting: false,
    platform: 'node',
    format: o.format,
    target: 'node20',
    minify: false,
    legalComments: 'eof',
    metafile: true,
    logLevel: 'warning',
    define: {
      __AEGIS_VERSION__: JSON.stringify(o.version),
      __AEGIS_COMMIT__: JSON.stringify(o.commit),
      // version.ts reads import.meta.url only when run from source; a CommonJS bundle has none.
      ...(o.format === 'cjs' ? { 'import.meta.url': '"file:///aegis-agent"' } : {}),
    },
    banner: o.format === 'esm' ? { js: '#!/usr/bin/env node' } : {},
    plugins: [leaveOutDevToken],
  })
  return r.metafile
}
