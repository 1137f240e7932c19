/**
 * Host metrics from Linux /proc and statfs: CPU utilisation (from the /proc/stat delta since the
 * previous sample), memory, load averages, root filesystem usage, network byte counters and
 * uptime. GPU metrics come from gpu.ts when nvidia-smi exists. A source that cannot be read is
 * skipped (and named in `unavailable`), never invented.
 */
import { readFile, statfs } from 'node:fs/promises'
import { GpuMetrics } from './gpu.ts'

export interface Metric {
  name: string
  value: number
  unit?: string
  labels?: Record<string, string>
}

interface CpuSample {
  idle: number
  total: number
}

export class HostMetrics {
  private lastCpu: CpuSample | undefined

  constructor(
    private readonly procDir = '/proc',
    private readonly diskPath = '/',
    /** null: no GPU query at all (config `gpu: false`). */
    private readonly gpu: GpuMetrics | null = new GpuMetrics(),
  ) {}

  async collect(): Promise<{ metrics: Metric[]; unavailable: string[] }> {
    const metrics: Metric[] = []
    const unavailable: string[] = []
    const tryAdd = async (name: string, f: () => Promise<Metric[]>) => {
      try {
        metrics.push(...(await f()))
      } catch {
        unavailable.push(name)
      }
    }
    await tryAdd('cpu', () => this.cpu())
    await tryAdd('memory', () => this.memory())
    await tryAdd('load', () => this.load())
    await tryAdd('disk', () => this.disk())
    await tryAdd('network', () => this.network())
    await tryAdd('uptime', () => this.uptime())
    if (this.gpu) await tryAdd('gpu', () => this.gpu!.collect())
    return { metrics, unavailable }
  }

  private async cpu(): Promise<Metric[]> {
    const line = (await readFile(`${this.procDir}/stat`, 'utf8'))
      .split('\n')
      .find((l) => l.startsWith('cpu '))
    if (!line) throw new Error('no cpu line')
    const f = line.trim().split(/\s+/).slice(1).map(Number)
    // user nice system idle iowait irq softirq steal (guest time is already in user/nice)
    const idle = f[3]! + (f[4] ?? 0)
    const total = f.slice(0, 8).reduce((a, b) => a + b, 0)
    const prev = this.lastCpu
    this.lastCpu = { idle, total }
    if (!prev || total <= prev.total) return []
    const busy = 1 - (idle - prev.idle) / (total - prev.total)
    return [
      { name: 'cpu.utilization', value: round(Math.min(1, Math.max(0, busy)) * 100), unit: '%' },
    ]
  }

  private async memory(): Promise<Metric[]> {
    const kv = new Map<string, number>()
    for (const l of (await readFile(`${this.procDir}/meminfo`, 'utf8')).split('\n')) {
      const m = /^(\w+):\s+(\d+)/.exec(l)
      if (m) kv.set(m[1]!, Number(m[2]) * 1024)
    }
    const total = kv.get('MemTotal')
    const avail = kv.get('MemAvailable')
    if (total === undefined || avail === undefined) throw new Error('meminfo incomplete')
    return [
      { name: 'memory.total', value: total, unit: 'By' },
      { name: 'memory.available', value: avail, unit: 'By' },
      { name: 'memory.utilization', value: round((1 - avail / total) * 100), unit: '%' },
    ]
  }

  private async load(): Promise<Metric[]> {
    const [l1, l5, l15] = (await readFile(`${this.procDir}/loadavg`, 'utf8'))
      .trim()
      .split(/\s+/)
      .map(Number)
    return [
      { name: 'load.1m', value: l1! },
      { name: 'load.5m', value: l5! },
      { name: 'load.15m', value: l15! },
    ]
  }

  private async disk(): Promise<Metric[]> {
    const s = await statfs(this.diskPath)
    const total = s.blocks * s.bsize
    const free = s.bavail * s.bsize
    return [
      { name: 'disk.total', value: total, unit: 'By', labels: { mount: this.diskPath } },
      { name: 'disk.available', value: free, unit: 'By', labels: { mount: this.diskPath } },
      {
        name: 'disk.utilization',
        value: round((1 - free / total) * 100),
        unit: '%',
        labels: { mount: this.diskPath },
      },
    ]
  }

  private async network(): Promise<Metric[]> {
    let rx = 0
    let tx = 0
    for (const l of (await readFile(`${this.procDir}/net/dev`, 'utf8')).split('\n').slice(2)) {
      const m = /^\s*([^:]+):\s*(.*)$/.exec(l)
      if (!m || m[1] === 'lo') continue
      const f = m[2]!.trim().split(/\s+/).map(Number)
      rx += f[0]!
      tx += f[8]!
    }
    return [
      { name: 'network.rx', value: rx, unit: 'By' },
      { name: 'network.tx', value: tx, unit: 'By' },
    ]
  }

  private async uptime(): Promise<Metric[]> {
    const up = Number((await readFile(`${this.procDir}/uptime`, 'utf8')).split(/\s+/)[0])
    if (!Number.isFinite(up)) throw new Error('bad uptime')
    return [{ name: 'host.uptime', value: up, unit: 's' }]
  }
}

function round(x: number): number {
  return Math.round(x * 100) / 100
}
