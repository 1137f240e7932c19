/**
 * Policy view (operator): zones (GeoJSON), agents' zone assignments and revocation, the PCR and
 * geofence policy, trust roots and the EK allowlist. Every edit goes through the operator API
 * (worker/operator/routes.ts), which validates it; a refusal is shown inline beside the form that
 * caused it, with its code and the JSON path the collector names (its `path` member). Configuration
 * writes carry `ifVersion`, so two operators cannot silently overwrite each other.
 * Leaves out client-side validation beyond JSON syntax: the collector is the one authority.
 */
import { api, ApiError } from '../api/client.ts'
import type {
  AllowlistSettings,
  FleetAgent,
  ConfigDoc,
  OperatorAgent,
  TrustSettings,
  Zone,
} from '../api/types.ts'
import { fmtTime, h, mount, shortId } from '../dom.ts'
import { parseCertificate } from '../../../attest/x509/parse-certificate.ts'
import { parsePemBundle } from '../../../attest/x509/pem.ts'
import { badge, loading, problemBox, section, type View } from './common.ts'
import { measuredBootSection } from './measured-boot.ts'

function status(): HTMLElement {
  return h('div', { class: 'form-status', 'aria-live': 'polite' })
}

function saved(el: HTMLElement, text: string): void {
  mount(el, h('p', { class: 'ok', role: 'status' }, text))
}

function jsonOf(text: string, where: string): unknown {
  try {
    return JSON.parse(text)
  } catch (e) {
    throw new ApiError(
      'ERR_INPUT_MALFORMED',
      400,
      `${where} is not valid JSON: ${(e as Error).message}`,
    )
  }
}

function lines(text: string): string[] {
  return text
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter(Boolean)
}

async function attempt(out: HTMLElement, f: () => Promise<string>): Promise<void> {
  mount(out, h('p', { class: 'loading' }, 'Saving…'))
  try {
    saved(out, await f())
  } catch (e) {
    mount(out, problemBox(e))
  }
}

export const policyView: View = async (root) => {
  mount(root, loading())
  // Loading the operator configuration first: a role without it gets the API's 403 here.
  const [policy, trust, allowlist, { zones }, { agents }, fleet] = await Promise.all([
    api<ConfigDoc<unknown>>('/v1/config/policy'),
    api<ConfigDoc<TrustSettings>>('/v1/config/trust'),
    api<ConfigDoc<AllowlistSettings>>('/v1/config/allowlist'),
    api<{ zones: Zone[] }>('/v1/zones'),
    api<{ agents: OperatorAgent[] }>('/v1/agents?limit=1000'),
    // the Fleet view's status words (active, failing, revoked): one vocabulary in the console
    api<{ agents: FleetAgent[] }>('/v1/fleet'),
  ])
  const reload = () => window.dispatchEvent(new HashChangeEvent('hashchange'))

  // ---- zones
  const zoneCard = (z: Zone | null) => {
    const out = status()
    const id = h('input', {
      name: 'id',
      value: z?.id ?? '',
      required: true,
      readonly: !!z,
      pattern: '[A-Za-z0-9][A-Za-z0-9_.\\-]{0,63}',
      placeholder: 'zone-id',
    })
    const name = h('input', { name: 'name', value: z?.name ?? '', placeholder: 'Name' })
    const countries = h('input', {
      name: 'countries',
      value: (z?.countries ?? []).join(', '),
      placeholder: 'FR, DE',
    })
    const geometry = h('textarea', {
      name: 'geometry',
      rows: z ? 4 : 6,
      spellcheck: 'false',
      class: 'json',
    })
    geometry.value = z
      ? JSON.stringify(z.geometry)
      : '{"type":"Polygon","coordinates":[[[2.2,48.8],[2.5,48.8],[2.5,48.95],[2.2,48.95],[2.2,48.8]]]}'
    const save = (e: Event) => {
      e.preventDefault()
      void attempt(out, async () => {
        const body = {
          name: name.value.trim(),
          geometry: jsonOf(geometry.value, 'geometry'),
          countries: lines(countries.value).map((c) => c.toUpperCase()),
        }
        const r = await api<{ zone: Zone }>(`/v1/zones/${encodeURIComponent(id.value.trim())}`, {
          method: 'PUT',
          body: JSON.stringify(body),
        })
        if (!z) setTimeout(reload, 600)
        return `Saved zone ${r.zone.id}.`
      })
    }
    const del = () =>
      void attempt(out, async () => {
        await api(`/v1/zones/${encodeURIComponent(z!.id)}`, { method: 'DELETE' })
        setTimeout(reload, 600)
        return `Deleted zone ${z!.id}.`
      })
    return h(
      'form',
      { class: 'zone-form', 'data-zone': z?.id ?? 'new', onsubmit: save },
      h(
        'div',
        { class: 'row' },
        h('label', null, 'Id ', id),
        h('label', null, 'Name ', name),
        h('label', null, 'Countries ', countries),
      ),
      h('label', null, 'Geometry (GeoJSON Polygon or MultiPolygon, [lon, lat])', geometry),
      h(
        'div',
        { class: 'row' },
        h('button', { type: 'submit', class: 'save' }, z ? 'Save zone' : 'Add zone'),
        z ? h('button', { type: 'button', class: 'danger delete', onclick: del }, 'Delete') : null,
      ),
      out,
    )
  }

  // ---- agents: zones and revocation
  const zoneIds = zones.map((z) => z.id)
  const fleetStatus = new Map(fleet.agents.map((f) => [f.agentId, f.status]))
  const agentRows = agents.map((a) => {
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
  })

  // ---- configuration documents
  const configForm = <T>(key: string, doc: ConfigDoc<T>, fields: HTMLElement, read: () => T) => {
    const out = status()
    let version = doc.version
    let stored = doc.source === 'operator' || (doc.source === undefined && doc.version > 0)
    return h(
      'form',
      {
        class: 'config-form',
        'data-config': key,
        onsubmit: (e: Event) => {
          e.preventDefault()
          void attempt(out, async () => {
            const body = { value: read(), ...(stored ? { ifVersion: version } : {}) }
            const r = await api<ConfigDoc<T>>(`/v1/config/${key}`, {
              method: 'PUT',
              body: JSON.stringify(body),
            })
            version = r.version
            stored = true
            return `Saved ${key}, version ${r.version}.`
          })
        },
      },
      h(
        'p',
        { class: 'muted' },
        doc.source === 'operator'
          ? `Version ${doc.version}.`
          : doc.source === 'default'
            ? 'Built-in development default (not yet saved).'
            : 'Not configured.',
      ),
      fields,
      h('button', { type: 'submit', class: 'save' }, `Save ${key}`),
      out,
    )
  }

  const policyText = h('textarea', { name: 'policy', rows: 18, spellcheck: 'false', class: 'json' })
  policyText.value = JSON.stringify(policy.value, null, 2)

  const rootsText = h('textarea', { name: 'roots', rows: 6, spellcheck: 'false', class: 'pem' })
  rootsText.value = (trust.value?.roots ?? []).join('\n')
  const interText = h('textarea', {
    name: 'intermediates',
    rows: 6,
    spellcheck: 'false',
    class: 'pem',
  })
  interText.value = (trust.value?.intermediates ?? []).join('\n')
  const certList = (t: string) => {
    try {
      return h(
        'ul',
        { class: 'certs' },
        parsePemBundle(t).map((d) => {
          const c = parseCertificate(d)
          return h(
            'li',
            null,
            c.subject || '(empty subject)',
            h(
              'span',
              { class: 'muted' },
              ` · issuer ${c.issuer} · until ${fmtTime(c.notAfter.toISOString())}`,
            ),
          )
        }),
      )
    } catch {
      return t.trim() ? h('p', { class: 'muted' }, 'not parsed as PEM certificates') : null
    }
  }

  const al = allowlist.value ?? { enabled: false, ekPublicSha256: [], certSerials: [] }
  const alEnabled = h('input', { type: 'checkbox', name: 'enabled', checked: al.enabled })
  const alEks = h('textarea', { name: 'ekPublicSha256', rows: 4, spellcheck: 'false' })
  alEks.value = al.ekPublicSha256.join('\n')
  const alSerials = h('textarea', { name: 'certSerials', rows: 4, spellcheck: 'false' })
  alSerials.value = al.certSerials.join('\n')

  mount(
    root,
    section(
      'Zones',
      h(
        'datalist',
        { id: 'zone-ids' },
        zoneIds.map((z) => h('option', { value: z })),
      ),
      h(
        'div',
        { id: 'zones' },
        zones.map((z) => zoneCard(z)),
      ),
      h('h3', null, 'New zone'),
      zoneCard(null),
    ),
    section(
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
            h('tbody', null, agentRows),
          )
        : h('p', { class: 'muted' }, 'No agents enrolled.'),
    ),
    section(
      'PCR and geofence policy',
      configForm('policy', policy, h('label', null, 'Policy document (JSON)', policyText), () =>
        jsonOf(policyText.value, 'policy'),
      ),
    ),
    measuredBootSection(policy, agents),
    section(
      'Trust roots',
      configForm(
        'trust',
        trust,
        h(
          'div',
          null,
          h('label', null, 'Manufacturer roots (PEM)', rootsText),
          certList(rootsText.value),
          h('label', null, 'Intermediates (PEM)', interText),
          certList(interText.value),
        ),
        () => ({
          roots: rootsText.value.trim() ? [rootsText.value.trim()] : [],
          intermediates: interText.value.trim() ? [interText.value.trim()] : [],
        }),
      ),
    ),
    section(
      'EK allowlist',
      configForm(
        'allowlist',
        allowlist,
        h(
          'div',
          null,
          h('label', { class: 'check' }, alEnabled, ' Only EKs listed here may enroll'),
          h('label', null, 'EK public SHA-256 (agent ids), one per line', alEks),
          h('label', null, 'EK certificate serials (lowercase hex), one per line', alSerials),
        ),
        () => ({
          enabled: alEnabled.checked,
          ekPublicSha256: lines(alEks.value),
          certSerials: lines(alSerials.value),
        }),
      ),
    ),
  )
}
