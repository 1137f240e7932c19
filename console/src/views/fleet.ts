/**
 * Fleet view (viewer): every agent with its status (active, failing, revoked), zones, last
 * accepted batch and last rejection with its reason code, above a map of the zones and last fixes.
 * Reads GET /v1/fleet and GET /v1/zones. Links lead auditors to the batch's provenance and the
 * agent's rejections; a viewer sees the same facts without those links.
 */
import { api } from '../api/client.ts'
import type { FleetAgent, Zone } from '../api/types.ts'
import { fmtTime, h, mount, shortId } from '../dom.ts'
import { reasonFor } from '../reasons.ts'
import { hashFor, mayUse } from '../session/nav.ts'
import { badge, codeChip, loading, section, type View } from './common.ts'
import { drawFleetMap, STATUS_COLOR, unplaced, ZONE_COLOR } from './fleet-map.ts'

/** What the map's marks mean, in the status words the table uses. */
function mapLegend(): HTMLElement {
  const swatch = (cls: string, color: string) => {
    const el = h('span', { class: `swatch ${cls}` })
    el.style.borderColor = color // CSSOM: the console's CSP refuses style attributes
    if (cls !== 'swatch-refused' && cls !== 'swatch-zone') el.style.background = color
    return el
  }
  return h(
    'ul',
    { class: 'legend', id: 'fleet-legend' },
    h('li', null, swatch('swatch-zone', ZONE_COLOR), 'zone'),
    h('li', null, swatch('swatch-fix', STATUS_COLOR.active!), 'active: last accepted fix'),
    h('li', null, swatch('swatch-fix', STATUS_COLOR.failing!), 'failing: last accepted fix'),
    h(
      'li',
      null,
      swatch('swatch-refused', STATUS_COLOR.failing!),
      'failing: fix reported with the refusal',
    ),
    h('li', null, swatch('swatch-fix', STATUS_COLOR.revoked!), 'revoked'),
  )
}

function stat(name: string, n: number, label: string, extra = ''): HTMLElement {
  return h(
    'div',
    { class: extra ? `stat ${extra}` : 'stat', 'data-stat': name },
    h('b', null, String(n)),
    ` ${label}`,
  )
}

function agentRow(a: FleetAgent, auditor: boolean): HTMLElement {
  return h(
    'tr',
    { 'data-agent': a.agentId, 'data-status': a.status },
    h('td', { title: a.agentId }, h('code', null, shortId(a.agentId))),
    h('td', null, badge(a.status)),
    h('td', null, a.zones.length ? a.zones.join(', ') : h('span', { class: 'muted' }, 'default')),
    residencyCell(a.jurisdiction),
    h(
      'td',
      { class: 'last-batch' },
      a.lastBatch
        ? [
            fmtTime(a.lastBatch.acceptedAt),
            ' · seq ',
            String(a.lastBatch.seq),
            ' · ',
            auditor
              ? h(
                  'a',
                  {
                    href: hashFor('provenance', [a.lastBatch.batchId]),
                    class: 'provenance-link',
                  },
                  shortId(a.lastBatch.batchId),
                )
              : h('code', null, shortId(a.lastBatch.batchId)),
          ]
        : h('span', { class: 'muted' }, 'none yet'),
    ),
    h(
      'td',
      { class: 'last-rejection' },
      a.lastRejection
        ? [
            codeChip(a.lastRejection.code),
            ' ',
            h('span', { class: 'reason' }, reasonFor(a.lastRejection.code)),
            ' ',
            h('span', { class: 'muted' }, fmtTime(a.lastRejection.at)),
            auditor
              ? [
                  ' ',
                  h(
                    'a',
                    {
                      href: hashFor('decisions', [], { agent: a.agentId, verdict: 'reject' }),
                      class: 'decisions-link',
                    },
                    'details',
                  ),
                ]
              : null,
          ]
        : h('span', { class: 'muted' }, '—'),
    ),
    h('td', { class: 'num' }, String(a.batches)),
  )
}

export const fleetView: View = async (root, ctx) => {
  mount(root, loading())
  const [fleet, zones] = await Promise.all([
    api<{ agents: FleetAgent[] }>('/v1/fleet'),
    api<{ zones: Zone[] }>('/v1/zones'),
  ])
  const agents = fleet.agents
  const auditor = mayUse(ctx.me.roles, 'auditor')
  const count = (s: string) => agents.filter((a) => a.status === s).length
  const mapEl = h('div', { id: 'fleet-map', class: 'map' })

  const rows = agents.map((a) => agentRow(a, auditor))

  mount(
    root,
    h(
      'div',
      { class: 'stats' },
      stat('agents', agents.length, 'agents'),
      stat('active', count('active'), 'active'),
      stat('failing', count('failing'), 'failing', 'stat-failing'),
      stat('revoked', count('revoked'), 'revoked'),
      stat('zones', zones.zones.length, 'zones'),
    ),
    section(
      'Zones and last fixes',
      mapEl,
      mapLegend(),
      unplaced(agents).length
        ? h(
            'p',
            { class: 'muted', id: 'fleet-unplaced' },
            'Not on the map (no fix yet): ',
            ...unplaced(agents).flatMap((a, i) => [
              i ? ', ' : '',
              h('code', { title: a.agentId }, shortId(a.agentId)),
              ` (${a.status})`,
            ]),
          )
        : null,
    ),
    section(
      'Agents',
      agents.length
        ? h(
            'table',
            { id: 'fleet-table' },
            h(
              'thead',
              null,
              h(
                'tr',
                null,
                ...[
                  'Agent',
                  'Status',
                  'Zones',
                  'Data residency',
                  'Last accepted batch',
                  'Last rejection',
                  'Batches',
                ].map((t) => h('th', null, t)),
              ),
            ),
            h('tbody', null, rows),
          )
        : h('p', { class: 'muted' }, 'No agent has enrolled yet.'),
    ),
  )
  ctx.onLeave(drawFleetMap(mapEl, zones.zones, agents))
}

/** Where the agent's data is: its jurisdiction's ledger and bucket, only coarse data central. */
function residencyCell(j: string | null): HTMLElement {
  return h(
    'td',
    { class: 'residency', 'data-jurisdiction': j ?? 'none' },
    j
      ? [
          h('b', null, j.toUpperCase()),
          h('span', { class: 'muted' }, ` ledger and evidence in ${j}; central: grid cell only`),
        ]
      : h('span', { class: 'muted' }, 'unrestricted'),
  )
}
