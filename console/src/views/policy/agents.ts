/** Policy view, Agents section: each agent's zone assignment and its revocation. */
import { api } from '../../api/client.ts'
import type { FleetAgent, OperatorAgent } from '../../api/types.ts'
import { fmtTime, h, shortId } from '../../dom.ts'
import { badge, section } from '../common.ts'
import { attempt, lines, reload, status } from './forms.ts'

function agentRow(a: OperatorAgent, fleetStatus: Map<string, string>): HTMLElement {
  const out = status()
  const zs = h('input', {
    name: 'zones',
    value: a.zones.join(', '),
    list: 'zone-ids',
    placeholder: 'zone ids',
  })
  const reason = h('input', { name: 'reason', placeholder: 'reason to revoke' })
  return h(
    'tr',
    { 'data-agent': a.agentId },
    h('td', { title: a.agentId }, h('code', null, shortId(a.agentId))),
    h('td', null, badge(fleetStatus.get(a.agentId) ?? a.status)),
    h('td', null, fmtTime(a.enrolledAt)),
    h(
      'td',
      null,
      h(
        'form',
        {
          class: 'inline',
          onsubmit: (e: Event) => {
            e.preventDefault()
            void attempt(out, async () => {
              const r = await api<{ zones: string[] }>(`/v1/agents/${a.agentId}/zones`, {
                method: 'PUT',
                body: JSON.stringify({ zones: lines(zs.value) }),
              })
              return `Zones: ${r.zones.join(', ') || 'none'}.`
            })
          },
        },
        zs,
        h('button', { type: 'submit' }, 'Assign'),
      ),
    ),
    h(
      'td',
      null,
      a.status === 'revoked'
        ? '—'
        : h(
            'form',
            {
              class: 'inline',
              onsubmit: (e: Event) => {
                e.preventDefault()
                if (
                  !confirm(
                    `Revoke agent ${shortId(a.agentId)}? It will not be able to send batches again.`,
                  )
                )
                  return
                void attempt(out, async () => {
                  await api(`/v1/agents/${a.agentId}/revoke`, {
                    method: 'POST',
                    body: JSON.stringify({ reason: reason.value.trim() }),
                  })
                  setTimeout(reload, 600)
                  return 'Revoked.'
                })
              },
            },
            reason,
            h('button', { type: 'submit', class: 'danger' }, 'Revoke'),
          ),
      out,
    ),
  )
}

export function agentsSection(agents: OperatorAgent[], fleet: FleetAgent[]): HTMLElement {
  // the Fleet view's status words (active, failing, revoked): one vocabulary in the console
  const fleetStatus = new Map<string, string>(fleet.map((f) => [f.agentId, f.status]))
  return section(
    'Agents',
    agents.length
      ? h(
          'table',
          { id: 'agents-table' },
          h(
            'thead',
            null,
            h(
              'tr',
              null,
              ...['Agent', 'Status', 'Enrolled', 'Zones', 'Revoke'].map((t) => h('th', null, t)),
            ),
          ),
          h(
            'tbody',
            null,
            agents.map((a) => agentRow(a, fleetStatus)),
          ),
        )
      : h('p', { class: 'muted' }, 'No agents enrolled.'),
  )
}
