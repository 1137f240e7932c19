/**
 * NVIDIA GPU metrics through `nvidia-smi --query-gpu=... --format=csv,noheader,nounits` (the
 * stable scripting interface of nvidia-smi(1)): utilisation, memory, temperature and power per
 * GPU, labelled with the GPU index and model. Hosts without nvidia-smi report nothing (checked
 * once: ENOENT is remembered); a field a GPU reports as "[N/A]" or "[Not Supported]" is skipped.
 * Leaves out AMD/Intel GPUs, MIG instances and per-process accounting.
 */
import { execFile } from 'node:child_process'
import type { Metric } from './collect-host.ts'

const FIELDS = [
  'index',
  'name',
  'utilization.gpu',
  'utilization.memory',
  'memory.used',
  'memory.total',
  'temperature.gpu',
  'power.draw',
] as const

const MIB = 1024 * 1024

export class GpuMetrics {
  private absent = false

  constructor(
    private readonly bin = 'nvidia-smi',
    private readonly timeoutMs = 5000,
  ) {}

  async collect(): Promise<Metric[]> {
    if (this.absent) return []
    let out: string
    try {
      out = await run(
        this.bin,
        [`--query-gpu=${FIELDS.join(',')}`, '--format=csv,noheader,nounits'],
        this.timeoutMs,
      )
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
        this.absent = true
        return []
      }
      throw e
    }
    return parseNvidiaSmiCsv(out)
  }
}

/** One CSV row per GPU in FIELDS order; values are unit-less (MiB, %, C, W). */
export function parseNvidiaSmiCsv(text: string): Metric[] {
  const out: Metric[] = []
  for (const row of text.split('\n')) {
    if (row.trim() === '') continue
    const cols = row.split(',').map((c) => c.trim())
    if (cols.length !== FIELDS.length) throw new Error(`nvidia-smi row has ${cols.length} fields`)
    const [index, name, util, memUtil, memUsed, memTotal, temp, power] = cols
    const labels = { gpu: index!, model: name!.slice(0, 128) }
    const add = (metric: string, raw: string | undefined, unit: string, scale = 1) => {
      const v = Number(raw)
      if (raw === undefined || raw === '' || raw.startsWith('[') || !Number.isFinite(v)) return
      out.push({ name: metric, value: v * scale, unit, labels })
    }
    add('gpu.utilization', util, '%')
    add('gpu.memory.utilization', memUtil, '%')
    add('gpu.memory.used', memUsed, 'By', MIB)
    add('gpu.memory.total', memTotal, 'By', MIB)
    add('gpu.temperature', temp, 'Cel')
    add('gpu.power', power, 'W')
  }
  return out
}

function run(bin: string, args: string[], timeout: number): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(bin, args, { timeout, encoding: 'utf8' }, (err, stdout) =>
      err ? reject(err) : resolve(stdout),
    )
  })
}
