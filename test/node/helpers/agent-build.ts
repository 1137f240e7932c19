/**
 * The device build for tests: runs scripts/build-agent.mjs (the same script as
 * `npm run build:agent`) into a fresh temp directory, so every test checks what the current
 * sources build, and runs its outputs as child processes. Also parses a bundle's module imports.
 */
import { spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import ts from 'typescript'

export const REPO = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../..')

export interface AgentBuild {
  dir: string
  mjs: string
  exe: (arch: 'x64' | 'arm64') => string
  deb: (debArch: 'amd64' | 'arm64') => string
  info: { version: string; commit: string; nodeVersion: string; files: Record<string, number> }
}

/** Build into a temp dir. `args`: extra flags for build-agent.mjs (--bundle-only, --arch, ...). */
export function buildAgent(args: string[]): AgentBuild {
  const dir = mkdtempSync(path.join(tmpdir(), 'aegis-agent-build-'))
  const r = spawnSync(process.execPath, ['scripts/build-agent.mjs', '--out', dir, ...args], {
    cwd: REPO,
    encoding: 'utf8',
  })
  if (r.status !== 0) throw new Error(`build-agent.mjs failed (${r.status}):\n${r.stderr}`)
  const info = JSON.parse(readFileSync(path.join(dir, 'build.json'), 'utf8')) as AgentBuild['info']
  return {
    dir,
    mjs: path.join(dir, 'aegis-agent.mjs'),
    exe: (arch) => path.join(dir, `aegis-agent-linux-${arch}`),
    deb: (debArch) => path.join(dir, `aegis-agent_${info.version}_${debArch}.deb`),
    info,
  }
}

export interface Run {
  code: number | null
  out: string
  err: string
}

/** Run a command to completion (async, so a collector in this process keeps serving). */
export function run(
  cmd: string,
  argv: string[],
  env: Record<string, string | undefined> = {},
): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, argv, {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { PATH: process.env.PATH, NODE_NO_WARNINGS: '1', ...env },
    })
    let out = ''
    let err = ''
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d))
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d))
    child.once('error', reject)
    child.once('close', (code) => resolve({ code, out, err }))
  })
}

/** The git commit as build-agent.mjs names it ('unknown' outside a git checkout). */
export function gitDescribe(): string {
  const r = spawnSync('git', ['describe', '--always', '--dirty', '--abbrev=12'], {
    cwd: REPO,
    encoding: 'utf8',
  })
  return (r.status === 0 && r.stdout.trim()) || 'unknown'
}

/**
 * Every module a JavaScript file loads, from its syntax tree (TypeScript's parser): static
 * import/export-from specifiers, import() and require() arguments. A non-literal import() or
 * require() argument is returned as '<dynamic>'.
 */
export function moduleRequests(file: string): string[] {
  const src = ts.createSourceFile(
    file,
    readFileSync(file, 'utf8'),
    ts.ScriptTarget.Latest,
    false,
    ts.ScriptKind.JS,
  )
  const found: string[] = []
  const arg = (e: ts.Expression | undefined) =>
    e && (ts.isStringLiteral(e) || ts.isNoSubstitutionTemplateLiteral(e)) ? e.text : '<dynamic>'
  const visit = (n: ts.Node): void => {
    if ((ts.isImportDeclaration(n) || ts.isExportDeclaration(n)) && n.moduleSpecifier) {
      found.push(arg(n.moduleSpecifier))
    } else if (ts.isCallExpression(n)) {
      const callee = n.expression
      if (callee.kind === ts.SyntaxKind.ImportKeyword) found.push(arg(n.arguments[0]))
      else if (ts.isIdentifier(callee) && callee.text === 'require') found.push(arg(n.arguments[0]))
    }
    ts.forEachChild(n, visit)
  }
  visit(src)
  return found
}
