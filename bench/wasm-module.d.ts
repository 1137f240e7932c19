/**
 * `import mod from '.../x.wasm'` in runtime-neutral code (bench cases): wrangler's default module
 * rule (CompiledWasm) and the vitest workers pool both hand over a compiled WebAssembly.Module.
 * The worker side gets the same declaration from worker-configuration.d.ts (wrangler types); this
 * one is for the node tsconfig, which includes bench/ but not the worker types.
 */
declare module '*.wasm' {
  const module: WebAssembly.Module
  export default module
}
