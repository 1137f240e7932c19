/** Types for scripts/agent-build/node-runtime.mjs, so tests can run the cached runtimes. */
export const ARCHES: Record<'x64' | 'arm64', { deb: string; strip: string; qemu: string | null }>
export function pinnedNodeVersion(root: string): string
export function cacheDir(root: string): string
export function nodeRuntime(
  root: string,
  arch: 'x64' | 'arm64',
  version: string,
): { node: string; license: string }
