#!/usr/bin/env node
/**
 * `npm run build:wasm` (also run before test, dev and bench): builds wasm/build/ecdsa.wasm from the
 * AssemblyScript kernel in wasm/ecdsa/ with asc from node_modules at -O3. First generates the
 * per-curve modules (wasm/build/gen/*.ts) from wasm/ecdsa/gen-curves.mjs. Fails loudly (exit 1,
 * compiler output on stderr) on any compile error. Skips the compile when the sources, flags and
 * compiler version are unchanged since the last build; `--force` rebuilds anyway.
 * Outputs are written to a temporary name and renamed, so a test run that starts while another
 * build is in progress never sees a half-written file. wasm/build/ is git-ignored.
 */
import { createHash } from 'node:crypto'
import {
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { CURVES, generateConfigModule, generateCurveModule } from './ecdsa/gen-curves.mjs'

const here = path.dirname(fileURLToPath(import.meta.url))
const srcDir = path.join(here, 'ecdsa')
const outDir = path.join(here, 'build')
const genDir = path.join(outDir, 'gen')
const out = path.join(outDir, 'ecdsa.wasm')
const stamp = out + '.stamp'
const ascVersion = createRequire(import.meta.url)('assemblyscript/package.json').version

const FLAGS = [
  '-O3',
  '--runtime',
  'stub',
  '--noAssert',
  // No `env.abort` import: the kernel has no assertions left, and any trap is a plain `unreachable`.
  '--use',
  'abort=',
  // Fixed pages: the per-key cache (wasm/ecdsa/key-cache.ts) and the tables; never grows.
  '--initialMemory',
  '10',
  '--maximumMemory',
  '10',
]

function writeAtomic(file, data) {
  if (existsSync(file) && readFileSync(file).equals(Buffer.from(data))) return
  const tmp = `${file}.${process.pid}.tmp`
  writeFileSync(tmp, data)
  renameSync(tmp, file)
}

mkdirSync(genDir, { recursive: true })
for (const c of CURVES) writeAtomic(path.join(genDir, `${c.id}.ts`), generateCurveModule(c))
writeAtomic(path.join(genDir, 'config.ts'), generateConfigModule())

const hash = createHash('sha256').update(ascVersion).update(FLAGS.join(' '))
for (const dir of [srcDir, genDir]) {
  for (const f of readdirSync(dir).sort()) {
    if (!f.endsWith('.ts') && !f.endsWith('.mjs')) continue
    hash.update(f).update(readFileSync(path.join(dir, f)))
  }
}
const digest = hash.digest('hex')
const force = process.argv.includes('--force')
if (!force && existsSync(out) && existsSync(stamp) && readFileSync(stamp, 'utf8') === digest) {
  process.exit(0)
}

// Loaded only when there is something to compile: importing the compiler is most of a no-op run.
const { default: asc } = await import('assemblyscript/asc')
const tmpOut = `${out}.${process.pid}.tmp`
const stderr = []
const { error } = await asc.main([path.join(srcDir, 'index.ts'), ...FLAGS, '-o', tmpOut], {
  stdout: { write: (s) => process.stdout.write(s) },
  stderr: { write: (s) => stderr.push(String(s)) },
})
if (error || !existsSync(tmpOut)) {
  rmSync(tmpOut, { force: true })
  process.stderr.write(stderr.join(''))
  process.stderr.write(
    `wasm/build.mjs: asc failed to build ${path.relative(process.cwd(), out)}: ${error?.message ?? 'no output'}\n`,
  )
  process.exit(1)
}
// Warnings are not fatal but must be seen.
if (stderr.length) process.stderr.write(stderr.join(''))
// Sanity: the module must compile and import nothing, or the worker could not instantiate it.
const mod = new WebAssembly.Module(readFileSync(tmpOut))
if (WebAssembly.Module.imports(mod).length !== 0) {
  rmSync(tmpOut, { force: true })
  process.stderr.write('wasm/build.mjs: ecdsa.wasm must not import anything\n')
  process.exit(1)
}
renameSync(tmpOut, out)
writeAtomic(stamp, digest)
console.log(
  `wasm/build.mjs: built ${path.relative(process.cwd(), out)} (${readFileSync(out).length} bytes)`,
)
