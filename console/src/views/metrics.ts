/**
 * Metrics view (viewer): time-series charts (uPlot) of the D1 rollups per metric, by agent or by
 * zone, filtered by zone and agent, over a range chosen by preset, by from/to, or by dragging
 * across the chart. State lives in the URL hash, so a chart can be shared as a link.
 * Reads GET /v1/fleet/metrics, /v1/zones, /v1/fleet and /v1/aggregates.
 */
import uPlot from 'uplot'
import { api, qs } from '../api/client.ts'
import type { Aggregates, FleetAgent, Zone } from '../api/types.ts'
import { h, mount, shortId } from '../dom.ts'
import { autoStep, toColumns, type GroupBy, type Stat } from '../metrics/series.ts'
import { hashFor } from '../session/nav.ts'
import { loading, problemBox, section, type View } from './common.ts'

const PRESETS: [string, number][] = [
  ['1h', 3600_000],
  ['6h', 6 * 3600_000],
  ['24h', 86400_000],
  ['7d', 7 * 86400_000],
  ['30d', 30 * 86400_000],
]
const COMPACT = new Intl.NumberFormat('en', { notation: 'compact', maximumFractionDigits: 2 })
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

function localInput(ms: number): string {
  const d = new Date(ms - new Date(ms).getTimezoneOffset() * 60_000)
  return d.toISOString().slice(0, 16)
}

export const metricsView: View = async (root, ctx) => {
  mount(root, loading())
  const [{ metrics }, { zones }, { agents }] = await Promise.all([
    api<{ metrics: string[] }>('/v1/fleet/metrics'),
    api<{ zones: Zone[] }>('/v1/zones'),
    api<{ agents: FleetAgent[] }>('/v1/fleet'),
  ])
  const p = ctx.route.params
  const now = Date.now()
  const to = Number(p.get('to')) || now
  const from = Number(p.get('from')) || to - 3600_000
  const state = {
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
  const go = (over: Partial<typeof state>) => {
    const s = { ...state, ...over }
    location.hash = hashFor('metrics', [], {
      metric: s.metric,
      group: s.group,
      stat: s.stat,
      zone: s.zone,
      agent: s.agent,
      from: String(Math.round(s.from)),
      to: String(Math.round(s.to)),
    })
  }
  const select = (
    name: string,
    value: string,
    options: [string, string][],
    onchange: (v: string) => void,
  ) =>
    h(
      'select',
      {
        name,
        id: `metrics-${name}`,
        onchange: (e: Event) => onchange((e.target as HTMLSelectElement).value),
      },
      options.map(([v, t]) => h('option', { value: v, selected: v === value }, t)),
    )

  const fromIn = h('input', { type: 'datetime-local', name: 'from', value: localInput(state.from) })
  const toIn = h('input', { type: 'datetime-local', name: 'to', value: localInput(state.to) })
  const controls = h(
    'form',
    {
      class: 'controls',
      onsubmit: (e: Event) => {
        e.preventDefault()
        const f = new Date(fromIn.value).getTime()
        const t = new Date(toIn.value).getTime()
        if (Number.isFinite(f) && Number.isFinite(t) && f < t) go({ from: f, to: t })
      },
    },
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
    h(
      'span',
      { class: 'presets' },
      PRESETS.map(([label, ms]) =>
        h(
          'button',
          {
            type: 'button',
            'data-range': label,
            onclick: () => go({ from: Date.now() - ms, to: Date.now() }),
          },
          label,
        ),
      ),
    ),
    h('label', null, 'From ', fromIn),
    h('label', null, 'To ', toIn),
    h('button', { type: 'submit' }, 'Apply'),
  )
  const chartEl = h('div', { id: 'metrics-chart', class: 'chart' })
  const info = h('p', { class: 'muted chart-info' })
  mount(root, section('Metrics', controls, chartEl, info))
  if (!state.metric) {
    mount(chartEl, h('p', { class: 'muted' }, 'No metrics stored yet.'))
    return
  }
  const step = autoStep(state.from, state.to)
  let data: Aggregates
  try {
    data = await api<Aggregates>(
      `/v1/aggregates${qs({ metric: state.metric, zone: state.zone, agent: state.agent, from: Math.round(state.from), to: Math.round(state.to), step })}`,
    )
  } catch (e) {
    mount(chartEl, problemBox(e, ctx.me))
    return
  }
  const cols = toColumns(data.points, state.group, state.stat)
  info.textContent = `${data.points.length} buckets of ${data.stepSeconds / 60} min · ${cols.groups.length} series · drag across the chart to zoom`
  chartEl.dataset.series = String(cols.groups.length)
  chartEl.dataset.points = String(data.points.length)
  if (cols.xs.length === 0) {
    mount(chartEl, h('p', { class: 'muted empty' }, `No ${state.metric} data in this range.`))
    return
  }
  const width = Math.max(320, chartEl.clientWidth || 900)
  const plot = new uPlot(
    {
      width,
      height: 320,
      scales: { x: { time: true, min: state.from / 1000, max: state.to / 1000 } },
      axes: [
        {},
        { size: 70, values: (_u: uPlot, ticks: number[]) => ticks.map((v) => COMPACT.format(v)) },
      ],
      series: [
        { label: 'time' },
        ...cols.groups.map((g, i) => ({
          label: state.group === 'agent' ? shortId(g) : g,
          stroke: COLORS[i % COLORS.length]!,
          width: 2,
          points: { show: true, size: 5 },
          spanGaps: false,
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
    },
    [cols.xs, ...cols.ys] as uPlot.AlignedData,
    chartEl,
  )
  ctx.onLeave(() => plot.destroy())
}
