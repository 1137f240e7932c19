/**
 * Measured boot in the policy view (operator): the event-log part of the policy (`eventLog`, see
 * docs/measured-boot.md) edited on its own, and per agent the last accepted and the last refused
 * boot with the events that changed between them (GET /v1/agents/{id}/boot). The collector
 * validates every edit; a refusal is shown with its code and JSON path, as elsewhere.
 * Leaves out decoding logs in the browser: the collector's view already names every event.
 */
import { api, ApiError } from '../api/client.ts'
import type { ConfigDoc, OperatorAgent } from '../api/types.ts'
import { fmtTime, h, mount, shortId } from '../dom.ts'
import { codeChip, problemBox, section } from './common.ts'

interface BootSide {
  decidedAt: string
  code: string | null
  findings: { rule: string; message: string }[]
  events: number
  secureBoot: boolean | null
  bootApps: { index: number; digest: string }[]
  kernel: { index: number; digest: string } | null
  firmware: string[]
}

interface EventSide {
  index: number
  type: string
  digest: string
  summary: string
}

export interface BootView {
  pcrs: number[]
  accepted: BootSide | null
  refused: BootSide | null
  changes: { pcr: number; before: EventSide | null; after: EventSide | null }[]
}

export const EXAMPLE_EVENT_LOG_POLICY = {
  pcrs: [0, 1, 2, 3, 4, 5, 6, 7],
  requireSecureBoot: true,
  bootApps: { allow: [] as string[] },
}

export function measuredBootSection(
  policy: ConfigDoc<unknown>,
  agents: OperatorAgent[],
): HTMLElement {
  return section(
    'Measured boot',
    h(
      'p',
      { class: 'muted' },
      'Judge the UEFI event log instead of raw PCR values: Secure Boot, db/dbx, boot loaders, kernel, firmware version.',
    ),
    eventLogPolicyForm(policy),
    bootInspector(agents),
  )
}

function eventLogPolicyForm(policy: ConfigDoc<unknown>): HTMLElement {
  const current = (policy.value as { eventLog?: unknown } | null)?.eventLog
  const text = h('textarea', { name: 'eventLog', rows: 10, spellcheck: 'false', class: 'json' })
  text.value = JSON.stringify(current ?? EXAMPLE_EVENT_LOG_POLICY, null, 2)
  const out = h('div', { class: 'form-status', 'aria-live': 'polite' })
  const save = (e: Event) => {
    e.preventDefault()
    void (async () => {
      try {
        // Read the whole policy afresh and change only `eventLog`, guarded by its version.
        const doc = await api<ConfigDoc<Record<string, unknown>>>('/v1/config/policy')
        if (!doc.value)
          throw new ApiError('ERR_POLICY_UNCONFIGURED', 503, 'save a policy document first')
        const value = { ...doc.value }
        const raw = text.value.trim()
        if (raw === '' || raw === 'null') delete value.eventLog
        else value.eventLog = parse(raw)
        const stored = doc.source === 'operator'
        const r = await api<ConfigDoc<unknown>>('/v1/config/policy', {
          method: 'PUT',
          body: JSON.stringify({ value, ...(stored ? { ifVersion: doc.version } : {}) }),
        })
        mount(
          out,
          h(
            'p',
            { class: 'ok', role: 'status' },
            `Saved the measured-boot policy, policy version ${r.version}.`,
          ),
        )
      } catch (err) {
        mount(out, problemBox(err))
      }
    })()
  }
  return h(
    'form',
    { class: 'config-form', 'data-config': 'eventLog', onsubmit: save },
    h(
      'p',
      { class: 'muted' },
      current
        ? 'Event-log policy in force (empty to remove).'
        : 'No event-log policy: boot PCRs are judged by the pinned baseline.',
    ),
    h('label', null, 'policy.eventLog (JSON)', text),
    h('button', { type: 'submit', class: 'save' }, 'Save measured-boot policy'),
    out,
  )
}

function parse(raw: string): unknown {
  try {
    return JSON.parse(raw)
  } catch (e) {
    throw new ApiError(
      'ERR_INPUT_MALFORMED',
      400,
      `eventLog is not valid JSON: ${(e as Error).message}`,
    )
  }
}

function bootInspector(agents: OperatorAgent[]): HTMLElement {
  const out = h('div', { id: 'boot-view' })
  const pick = h(
    'select',
    { name: 'boot-agent' },
    h('option', { value: '' }, 'Choose an agent…'),
    ...agents.map((a) => h('option', { value: a.agentId }, shortId(a.agentId))),
  )
  pick.addEventListener('change', () => {
    if (!pick.value) return mount(out)
    mount(out, h('p', { class: 'loading' }, 'Loading…'))
    api<BootView>(`/v1/agents/${pick.value}/boot`)
      .then((v) => mount(out, renderBoot(v)))
      .catch((e: unknown) => mount(out, problemBox(e)))
  })
  return h('div', null, h('h3', null, 'Boots of an agent'), h('label', null, 'Agent ', pick), out)
}

export function renderBoot(v: BootView): HTMLElement {
  if (!v.accepted && !v.refused)
    return h('p', { class: 'muted' }, 'No event log judged for this agent yet.')
  return h(
    'div',
    null,
    h(
      'div',
      { class: 'row' },
      side('Last accepted boot', v.accepted),
      side('Last refused boot', v.refused),
    ),
    v.accepted && v.refused ? changesTable(v) : null,
  )
}

function side(title: string, s: BootSide | null): HTMLElement {
  if (!s)
    return h(
      'div',
      { class: 'boot-side' },
      h('h4', null, title),
      h('p', { class: 'muted' }, 'none'),
    )
  const sb = s.secureBoot === null ? 'not measured' : s.secureBoot ? 'on' : 'off'
  return h(
    'div',
    { class: 'boot-side' },
    h('h4', null, title, ' ', s.code ? codeChip(s.code) : ''),
    h('p', null, `${fmtTime(s.decidedAt)} · ${s.events} events · Secure Boot ${sb}`),
    h('p', null, `Firmware: ${s.firmware.join(', ') || 'not measured'}`),
    h(
      'p',
      null,
      `Kernel: ${s.kernel ? `event ${s.kernel.index} ${s.kernel.digest.slice(0, 16)}…` : 'not named'}`,
    ),
    s.findings.length
      ? h(
          'ul',
          { class: 'findings' },
          ...s.findings.map((f) => h('li', null, `${f.rule}: ${f.message}`)),
        )
      : null,
  )
}

function changesTable(v: BootView): HTMLElement {
  if (v.changes.length === 0)
    return h('p', { class: 'muted' }, 'The refused boot has the same events in the governed PCRs.')
  const cell = (e: EventSide | null) =>
    e ? `#${e.index} ${e.type} ${e.digest.slice(0, 12)}… ${e.summary}` : '—'
  return h(
    'table',
    { id: 'boot-changes' },
    h(
      'thead',
      null,
      h('tr', null, ...['PCR', 'Accepted boot', 'Refused boot'].map((t) => h('th', null, t))),
    ),
    h(
      'tbody',
      null,
      ...v.changes.map((c) =>
        h(
          'tr',
          null,
          h('td', null, String(c.pcr)),
          h('td', null, cell(c.before)),
          h('td', null, cell(c.after)),
        ),
      ),
    ),
  )
}
