/** Types for scripts/agent-build/deb.mjs, so the package test can import its file list. */
export const PACKAGE_FILES: string[]
export function buildDeb(o: {
  root: string
  outDir: string
  exe: string
  nodeLicense: string
  debArch: string
  version: string
  commit: string
  nodeVersion: string
}): string
