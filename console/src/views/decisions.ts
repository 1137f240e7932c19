/**
 * Decisions view (auditor): the audit trail from GET /v1/decisions, filterable by agent, code,
 * verdict and time, with rejection counts by code (GET /v1/fleet/rejections) as bars that filter
 * on click. Opening a decision shows everything recorded about it: the reason code explained,
 * the non-secret detail, and for an accepted batch a link to its provenance.
 */
import { api, ApiError, qs } from '../api/client.ts'
import type { Decision, RejectionCounts } from '../api/types.ts'
import { fmtTime, h, mount, shortId } from '../dom.ts'
import { geoDetailRows } from '../format/geo-detail.ts'
import { reasonFor } from '../reasons.ts'
import { hashFor } from '../session/nav.ts'
import { badge, codeChip, loading, problemBox, section, type View } from './common.ts'

// Set through CSSOM, not a style attribute, which the console's CSP (style-src 'self') refuses.
function bar(percent: number): HTMLElement {
  const el = h('span', { class: 'bar' })
  el.style.width = `${percent}%`
  return el
}

/** The from/to inputs hold UTC (labelled so), like every time the console shows. */
function isoOrUndefined(utc: string): string | undefined {
  if (!utc) return undefined
  const t = Date.parse(`${utc}:00Z`)
  return Number.isFinite(t) ? new Date(t).toISOString() : undefined
}

function localInput(iso: string | null): string {
  if (!iso) return ''
  const ms = Date.parse(iso)
  if (!Number.isFinite(ms)) return ''
  return new Date(ms).toISOString().slice(0, 16)
}

/** Where the fix was and how far off, for geofence refusals (format/geo-detail.ts). */
function geoRows(d: Decision): HTMLElement | null {
  const rows = geoDetailRows(d.code, d.detail)
  if (!rows.length) return null
  return h(
    'dl',
    { class: 'geo-detail', id: 'geo-detail' },
    ...rows.flatMap(([k, v]) => [h('dt', null, k), h('dd', null, v)]),
  )
}

interface Filter {
  agent: string
  code: string
  verdict: string
  from: string
  to: string
}

export const decisionsView: View = async (root, ctx) => {
  mount(root, loading())
  const p = ctx.route.params
  const filter: Filter = {
    agent: p.get('agent') ?? '',
    code: p.get('code') ?? '',
    verdict: p.get('verdict') ?? '',
    from: p.get('from') ?? '',
    to: p.get('to') ?? '',
  }
  // A refused filter (a malformed agent id, say) keeps the form, with the error under it.
  let loaded: [{ decisions: Decision[] }, RejectionCounts] | { error: unknown }
  try {
    loaded = await Promise.all([
      api<{ decisions: Decision[] }>(`/v1/decisions${qs({ ...filter, limit: 500 })}`),
      api<RejectionCounts>(
        `/v1/fleet/rejections${qs({ agent: filter.agent, from: filter.from, to: filter.to })}`,
      ),
    ])
  } catch (error) {
    if (error instanceof ApiError && (error.status === 401 || error.status === 403)) throw error
    loaded = { error }
  }
  const go = (over: Partial<Filter>) => {
    location.hash = hashFor('decisions', [], { ...filter, ...over })
  }

  const form = filterForm(filter, go)

  if ('error' in loaded) {
    mount(root, section('Filter', form, h('div', { id: 'filter-error' }, problemBox(loaded.error))))
    return
  }
  const [{ decisions }, counts] = loaded
  const bars = rejectionBars(counts, go)

  const detail = h('aside', { id: 'decision-detail', class: 'detail', hidden: true })
  const open = (d: Decision, row: HTMLElement) => {
    for (const r of row.parentElement?.children ?? []) r.classList.remove('selected')
    row.classList.add('selected')
    detail.hidden = false
    mount(detail, ...decisionDetail(d))
  }

  const table = decisionsTable(decisions, open)

  mount(
    root,
    section('Filter', form),
    section(`Rejections by code (${fmtTime(counts.from)} – ${fmtTime(counts.to)})`, bars),
    h(
      'div',
      { class: 'split' },
      section(`Audit trail (${decisions.length}${decisions.length === 500 ? '+' : ''})`, table),
      detail,
    ),
  )
}

function filterForm(filter: Filter, go: (over: Partial<Filter>) => void): HTMLElement {
  const input = (name: keyof Filter, props: Record<string, string>) =>
    h('input', { name, id: `filter-${name}`, value: filter[name], ...props })
  const fromIn = h('input', {
    type: 'datetime-local',
    name: 'from',
    id: 'filter-from',
    value: localInput(filter.from),
  })
  const toIn = h('input', {
    type: 'datetime-local',
    name: 'to',
    id: 'filter-to',
    value: localInput(filter.to),
  })
  const form = h(
    'form',
    {
      class: 'controls',
      id: 'decision-filters',
      onsubmit: (e: Event) => {
        e.preventDefault()
        const f = new FormData(e.target as HTMLFormElement)
        go({
          agent: String(f.get('agent') ?? '').trim(),
          code: String(f.get('code') ?? '').trim(),
          verdict: String(f.get('verdict') ?? ''),
          from: isoOrUndefined(fromIn.value) ?? '',
          to: isoOrUndefined(toIn.value) ?? '',
        })
      },
    },
    h('label', null, 'Agent ', input('agent', { placeholder: '64 hex', size: '20' })),
    h('label', null, 'Code ', input('code', { placeholder: 'ERR_…', size: '18' })),
    h(
      'label',
      null,
      'Verdict ',
      h(
        'select',
        { name: 'verdict', id: 'filter-verdict' },
        ['', 'accept', 'reject', 'accept-audit'].map((v) =>
          h('option', { value: v, selected: v === filter.verdict }, v || 'any'),
        ),
      ),
    ),
    h('label', null, 'From (UTC) ', fromIn),
    h('label', null, 'To (UTC) ', toIn),
    h('button', { type: 'submit' }, 'Filter'),
    h(
      'button',
      { type: 'button', class: 'link', onclick: () => (location.hash = hashFor('decisions')) },
      'Clear',
    ),
  )
  return form
}

function rejectionBars(counts: RejectionCounts, go: (over: Partial<Filter>) => void): HTMLElement {
  const max = Math.max(1, ...counts.counts.map((c) => c.count))
  return counts.counts.length
    ? h(
        'ul',
        { class: 'bars', id: 'rejection-counts' },
        counts.counts.map((c) =>
          h(
            'li',
            { 'data-code': c.code, 'data-count': c.count },
            h(
              'button',
              {
                type: 'button',
                class: 'link',
                title: reasonFor(c.code),
                onclick: () => go({ code: c.code, verdict: 'reject' }),
              },
              c.code,
            ),
            bar((100 * c.count) / max),
            h('span', { class: 'num' }, String(c.count)),
          ),
        ),
      )
    : h('p', { class: 'muted', id: 'rejection-counts' }, 'No rejections in this range.')
}

/** The selected decision: verdict, reason, fields, location, detail and where to go next. */
function decisionDetail(d: Decision): (HTMLElement | HTMLElement[] | null)[] {
  return [
    h('h3', null, `Decision #${d.id}`, ' ', badge(d.verdict)),
    d.code
      ? h(
          'p',
          { class: 'reason-line' },
          codeChip(d.code),
          ' ',
          h('span', { class: 'reason' }, reasonFor(d.code) || d.code),
        )
      : h('p', null, 'Accepted.'),
    h(
      'dl',
      null,
      ...(
        [
          ['Time', fmtTime(d.at)],
          ['Kind', d.kind],
          ['Agent', d.agent_id ?? '—'],
          ['Batch', d.batch_id ?? '— (rejected before a batch id was computed)'],
          ['Zone', d.zone ?? '—'],
          ['Country (IP)', d.cf_country ?? '—'],
          ['Verify time', d.verify_ms === null ? '—' : `${d.verify_ms.toFixed(2)} ms`],
        ] as [string, string][]
      ).flatMap(([k, v]) => [h('dt', null, k), h('dd', null, v)]),
    ),
    geoRows(d),
    d.detail
      ? [h('h4', null, 'Detail'), h('pre', { class: 'json' }, JSON.stringify(d.detail, null, 2))]
      : null,
    d.batch_id && d.verdict !== 'reject'
      ? h(
          'p',
          null,
          h(
            'a',
            { href: hashFor('provenance', [d.batch_id]), class: 'provenance-link' },
            'Verify this batch’s provenance →',
          ),
        )
      : null,
    d.agent_id
      ? h(
          'p',
          null,
          h(
            'a',
            { href: hashFor('decisions', [], { agent: d.agent_id }) },
            'All decisions for this agent',
          ),
        )
      : null,
  ]
}

function decisionsTable(
  decisions: Decision[],
  open: (d: Decision, row: HTMLElement) => void,
): HTMLElement {
  return decisions.length
    ? h(
        'table',
        { id: 'decisions-table', class: 'clickable' },
        h(
          'thead',
          null,
          h(
            'tr',
            null,
            ...['Time', 'Kind', 'Agent', 'Verdict', 'Code', 'Zone', 'Batch'].map((t) =>
              h('th', null, t),
            ),
          ),
        ),
        h(
          'tbody',
          null,
          decisions.map((d) => {
            const row: HTMLTableRowElement = h(
              'tr',
              {
                'data-id': d.id,
                'data-verdict': d.verdict,
                'data-code': d.code ?? '',
                tabindex: 0,
              },
              h('td', null, fmtTime(d.at)),
              h('td', null, d.kind),
              h(
                'td',
                { title: d.agent_id ?? '' },
                d.agent_id ? h('code', null, shortId(d.agent_id)) : '—',
              ),
              h('td', null, badge(d.verdict)),
              h('td', null, codeChip(d.code)),
              h('td', null, d.zone ?? '—'),
              h(
                'td',
                { title: d.batch_id ?? '' },
                d.batch_id ? h('code', null, shortId(d.batch_id)) : '—',
              ),
            )
            row.addEventListener('click', () => open(d, row))
            row.addEventListener(
              'keydown',
              (e) => (e as KeyboardEvent).key === 'Enter' && open(d, row),
            )
            return row
          }),
        ),
      )
    : h('p', { class: 'muted' }, 'No decisions match.')
}
