/**
 * Metrics view (viewer): time-series charts (uPlot) of the D1 rollups per metric, by agent or by
 * zone, filtered by zone and agent, over a range chosen by preset, by from/to, or by dragging
 * across the chart. State lives in the URL hash, so a chart can be shared as a link.
 * Times are UTC, like every other view (axis, inputs). The y axis is labelled with the metric's
 * unit and its values formatted by it (metrics/units.ts). Without a range in the URL the view is
 * live: the last hour, widened to 24 h, 7 d or 30 d until it holds data, refreshed every 30 s;
 * a preset is live too; a chosen from/to or a drag-zoom is fixed.
 * Reads GET /v1/fleet/metrics, /v1/zones, /v1/fleet and /v1/aggregates.
 */
import uPlot from 'uplot'
import { api, qs } from '../api/client.ts'
import type { Aggregates, FleetAgent, Zone } from '../api/types.ts'
import { h, mount, shortId } from '../dom.ts'
import { autoStep, toColumns, type GroupBy, type Stat } from '../metrics/series.ts'
import { formatValue, unitLabel } from '../metrics/units.ts'
import { hashFor } from '../session/nav.ts'
import { loading, problemBox, section, type View } from './common.ts'

const PRESETS: [string, number][] = [
  ['1h', 3600_000],
  ['6h', 6 * 3600_000],
  ['24h', 86400_000],
  ['7d', 7 * 86400_000],
  ['30d', 30 * 86400_000],
]
const REFRESH_MS = 30_000
const COLORS = [
  '#0969da',
  '#cf222e',
  '#1a7f37',
  '#8250df',
  '#bf8700',
  '#0a3069',
  '#d1242f',
  '#116329',
]

/** datetime-local inputs hold UTC here (labelled so): the console shows UTC everywhere. */
function utcInput(ms: number): string {
  return new Date(ms).toISOString().slice(0, 16)
}
function fromUtcInput(v: string): number {
  return v ? Date.parse(`${v}:00Z`) : NaN
}

type State = {
  metric: string
  group: GroupBy
  stat: Stat
  zone: string
  agent: string
  from: number
  to: number
}
type Go = (over: Partial<State> & { range?: string }) => void

function select(
  name: string,
  value: string,
  options: [string, string][],
  onchange: (v: string) => void,
): HTMLSelectElement {
  return h(
    'select',
    {
      name,
      id: `metrics-${name}`,
      onchange: (e: Event) => onchange((e.target as HTMLSelectElement).value),
    },
    options.map(([v, t]) => h('option', { value: v, selected: v === value }, t)),
  )
}

/** The view's state from the route: a preset or fixed range, live when there is no fixed end. */
function readState(
  p: URLSearchParams,
  metrics: string[],
): { state: State; preset: (typeof PRESETS)[number] | undefined; live: boolean; fitted: boolean } {
  const now = Date.now()
  const preset = PRESETS.find(([label]) => label === p.get('range'))
  // live: no fixed end (a preset or no range at all); fitted: no range chosen, widen to the data
  const live = !p.get('to')
  const fitted = !p.get('to') && !p.get('from') && !preset
  const to = Number(p.get('to')) || now
  const from = Number(p.get('from')) || to - (preset ? preset[1] : 3600_000)
  const state: State = {
    metric: p.get('metric') || metrics[0] || '',
    group: (p.get('group') === 'zone' ? 'zone' : 'agent') as GroupBy,
    stat: (['avg', 'min', 'max', 'sum', 'count'].includes(p.get('stat') ?? '')
      ? p.get('stat')
      : 'avg') as Stat,
    zone: p.get('zone') ?? '',
    agent: p.get('agent') ?? '',
    from,
    to,
  }
  return { state, preset, live, fitted }
}

/** Live: the same window, moved to now, every REFRESH_MS; a new series re-renders the view. */
function refreshLive(
  state: State,
  plot: uPlot,
  cols: ReturnType<typeof toColumns>,
  draw: (d: Aggregates) => ReturnType<typeof toColumns>,
  fetchRange: (f: number, t: number) => Promise<Aggregates>,
): ReturnType<typeof setInterval> {
  const span = state.to - state.from
  return setInterval(() => {
    const t = Date.now()
    fetchRange(t - span, t)
      .then((d) => {
        const next = draw(d)
        // a new series: render the view again (route() runs this view's cleanups first)
        if (next.groups.join() !== cols.groups.join())
          return void window.dispatchEvent(new HashChangeEvent('hashchange'))
        plot.setData([next.xs, ...next.ys] as uPlot.AlignedData, false)
        plot.setScale('x', { min: (t - span) / 1000, max: t / 1000 })
      })
      .catch(() => undefined) // a failed refresh keeps the last chart; the next one retries
  }, REFRESH_MS)
}

/** What to chart: metric, grouping, statistic, and the zone and agent to narrow to. */
function seriesPickers(
  state: State,
  o: { metrics: string[]; zones: Zone[]; agents: FleetAgent[] },
  go: Go,
): HTMLElement[] {
  const { metrics, zones, agents } = o
  return [
    h(
      'label',
      null,
      'Metric ',
      select(
        'metric',
        state.metric,
        metrics.map((m) => [m, m]),
        (v) => go({ metric: v }),
      ),
    ),
    h(
      'label',
      null,
      'By ',
      select(
        'group',
        state.group,
        [
          ['agent', 'agent'],
          ['zone', 'zone'],
        ],
        (v) => go({ group: v as GroupBy }),
      ),
    ),
    h(
      'label',
      null,
      'Statistic ',
      select(
        'stat',
        state.stat,
        ['avg', 'min', 'max', 'sum', 'count'].map((s) => [s, s]),
        (v) => go({ stat: v as Stat }),
      ),
    ),
    h(
      'label',
      null,
      'Zone ',
      select(
        'zone',
        state.zone,
        [['', 'all'], ...zones.map((z): [string, string] => [z.id, z.name])],
        (v) => go({ zone: v }),
      ),
    ),
    h(
      'label',
      null,
      'Agent ',
      select(
        'agent',
        state.agent,
        [['', 'all'], ...agents.map((a): [string, string] => [a.agentId, shortId(a.agentId)])],
        (v) => go({ agent: v }),
      ),
    ),
  ]
}

/** Metric, grouping, statistic, zone and agent pickers, range presets and a UTC range form. */
function metricsControls(
  state: State,
  o: {
    metrics: string[]
    zones: Zone[]
    agents: FleetAgent[]
    preset: (typeof PRESETS)[number] | undefined
  },
  go: Go,
): { controls: HTMLElement; fromIn: HTMLInputElement } {
  const { preset } = o
  const fromIn = h('input', { type: 'datetime-local', name: 'from', value: utcInput(state.from) })
  const toIn = h('input', { type: 'datetime-local', name: 'to', value: utcInput(state.to) })
  const controls = h(
    'form',
    {
      class: 'controls',
      onsubmit: (e: Event) => {
        e.preventDefault()
        const f = fromUtcInput(fromIn.value)
        const t = fromUtcInput(toIn.value)
        if (Number.isFinite(f) && Number.isFinite(t) && f < t) go({ from: f, to: t })
      },
    },
    ...seriesPickers(state, o, go),
    h(
      'span',
      { class: 'presets' },
      PRESETS.map(([label]) =>
        h(
          'button',
          {
            type: 'button',
            'data-range': label,
            class: preset?.[0] === label ? 'active' : '',
            title: `the last ${label}, refreshed every ${REFRESH_MS / 1000} s`,
            onclick: () => go({ range: label }),
          },
          label,
        ),
      ),
    ),
    h('label', null, 'From (UTC) ', fromIn),
    h('label', null, 'To (UTC) ', toIn),
    h('button', { type: 'submit' }, 'Apply'),
  )
  return { controls, fromIn }
}

/** uPlot options: UTC time axis, one coloured series per group, drag to zoom (go). */
function chartOptions(
  c: {
    width: number
    yLabel: string
    unit: string | null
    cols: ReturnType<typeof toColumns>
    state: State
    fitted: boolean
    chartEl: HTMLElement
  },
  go: Go,
): uPlot.Options {
  const { width, yLabel, unit, cols, state, fitted, chartEl } = c
  return {
    width,
    height: 320,
    // UTC on the time axis and in the legend, like every other view
    tzDate: (ts: number) => uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC'),
    scales: {
      x: {
        time: true,
        // fitted: start at the data, not at an empty left part of the widened range
        min: fitted ? Math.min(cols.xs[0]!, state.to / 1000 - 3600) : state.from / 1000,
        max: state.to / 1000,
      },
    },
    axes: [
      {},
      {
        size: 80,
        label: yLabel,
        values: (_u: uPlot, ticks: number[]) => {
          const out = ticks.map((v) => formatValue(v, unit))
          // The axis is canvas: its tick texts are also kept here for tests and tooling.
          chartEl.dataset.yTicks = out.join('|')
          return out
        },
      },
    ],
    series: [
      { label: 'time (UTC)' },
      ...cols.groups.map((g, i) => ({
        label: state.group === 'agent' ? shortId(g) : g,
        stroke: COLORS[i % COLORS.length]!,
        width: 2,
        points: { show: true, size: 5 },
        spanGaps: false,
        value: (_u: uPlot, v: number | null) => formatValue(v, unit),
      })),
    ],
    cursor: { drag: { x: true, y: false, setScale: false } },
    hooks: {
      setSelect: [
        (u: uPlot) => {
          if (u.select.width < 5) return
          const a = u.posToVal(u.select.left, 'x') * 1000
          const b = u.posToVal(u.select.left + u.select.width, 'x') * 1000
          go({ from: a, to: b })
        },
      ],
    },
  }
}

export const metricsView: View = async (root, ctx) => {
  mount(root, loading())
  const [{ metrics }, { zones }, { agents }] = await Promise.all([
    api<{ metrics: string[] }>('/v1/fleet/metrics'),
    api<{ zones: Zone[] }>('/v1/zones'),
    api<{ agents: FleetAgent[] }>('/v1/fleet'),
  ])
  const p = ctx.route.params
  const { state, preset, live, fitted } = readState(p, metrics)
  const go: Go = (over) => {
    const { range, ...rest } = over
    const s = { ...state, ...rest }
    const keepLive = live && over.from === undefined && over.to === undefined
    const r = range ?? (keepLive ? p.get('range') : null)
    location.hash = hashFor('metrics', [], {
      metric: s.metric,
      group: s.group,
      stat: s.stat,
      zone: s.zone,
      agent: s.agent,
      ...(r
        ? { range: r }
        : keepLive
          ? {}
          : { from: String(Math.round(s.from)), to: String(Math.round(s.to)) }),
    })
  }
  const { controls, fromIn } = metricsControls(state, { metrics, zones, agents, preset }, go)
  const chartEl = h('div', { id: 'metrics-chart', class: 'chart' })
  const info = h('p', { class: 'muted chart-info' })
  mount(root, section('Metrics', controls, chartEl, info))
  if (!state.metric) {
    mount(chartEl, h('p', { class: 'muted' }, 'No metrics stored yet.'))
    return
  }
  const fetchRange = (f: number, t: number) =>
    api<Aggregates>(
      `/v1/aggregates${qs({ metric: state.metric, zone: state.zone, agent: state.agent, from: Math.round(f), to: Math.round(t), step: autoStep(f, t) })}`,
    )
  let data: Aggregates
  try {
    data = await fetchRange(state.from, state.to)
    // No range chosen: widen until there is something to show, so the first look is not empty.
    for (const [, ms] of fitted ? PRESETS.slice(2) : []) {
      if (data.points.length) break
      state.from = state.to - ms
      data = await fetchRange(state.from, state.to)
    }
  } catch (e) {
    mount(chartEl, problemBox(e, ctx.me))
    return
  }
  fromIn.value = utcInput(state.from)
  const draw = (d: Aggregates) => {
    const cols = toColumns(d.points, state.group, state.stat)
    info.textContent =
      `${d.points.length} buckets of ${d.stepSeconds / 60} min · ${cols.groups.length} series · UTC` +
      (live
        ? ` · live, updated ${new Date().toISOString().slice(11, 19)}Z`
        : ' · drag across the chart to zoom')
    chartEl.dataset.series = String(cols.groups.length)
    chartEl.dataset.points = String(d.points.length)
    chartEl.dataset.unit = d.unit ?? ''
    return cols
  }
  const cols = draw(data)
  if (cols.xs.length === 0) {
    mount(chartEl, h('p', { class: 'muted empty' }, `No ${state.metric} data in this range.`))
    return
  }
  const unit = data.unit
  const yLabel = `${state.metric}${unitLabel(unit) ? ` (${unitLabel(unit)})` : ''}`
  chartEl.dataset.yLabel = yLabel
  const width = Math.max(320, chartEl.clientWidth || 900)
  const plot = new uPlot(
    chartOptions({ width, yLabel, unit, cols, state, fitted, chartEl }, go),
    [cols.xs, ...cols.ys] as uPlot.AlignedData,
    chartEl,
  )
  ctx.onLeave(() => plot.destroy())
  if (!live) return
  const timer = refreshLive(state, plot, cols, draw, fetchRange)
  ctx.onLeave(() => clearInterval(timer))
}
