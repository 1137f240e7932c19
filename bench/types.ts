/**
 * A benchmark case: `setup` runs once (parse fixtures, build keys), `run` is timed per iteration.
 * Cases live in bench/cases/<area>.ts as `export const cases: BenchCase[]` and must be runtime
 * neutral (no node:*), because bench/run.mjs executes them inside workerd where possible.
 */
export interface BenchCase<C = unknown> {
  name: string
  /** Iterations to time (after `warmup` untimed ones). */
  iterations?: number
  warmup?: number
  setup: () => C | Promise<C>
  run: (ctx: C) => unknown | Promise<unknown>
}
