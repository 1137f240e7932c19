/**
 * Policy view, the configuration documents: the PCR and geofence policy (JSON), trust roots
 * (PEM, listed as parsed certificates) and the EK allowlist. Leaves out client-side validation
 * beyond JSON syntax: the collector is the one authority.
 */
import type { AllowlistSettings, ConfigDoc, TrustSettings } from '../../api/types.ts'
import { fmtTime, h } from '../../dom.ts'
import { parseCertificate } from '../../../../attest/x509/parse-certificate.ts'
import { parsePemBundle } from '../../../../attest/x509/pem.ts'
import { section } from '../common.ts'
import { configForm, jsonOf, lines } from './forms.ts'

export function policySection(policy: ConfigDoc<unknown>): HTMLElement {
  const policyText = h('textarea', { name: 'policy', rows: 18, spellcheck: 'false', class: 'json' })
  policyText.value = JSON.stringify(policy.value, null, 2)
  return section(
    'PCR and geofence policy',
    configForm('policy', policy, h('label', null, 'Policy document (JSON)', policyText), () =>
      jsonOf(policyText.value, 'policy'),
    ),
  )
}

function certList(t: string): HTMLElement | null {
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

function pemArea(name: string, pems: string[]): HTMLTextAreaElement {
  const t = h('textarea', { name, rows: 6, spellcheck: 'false', class: 'pem' })
  t.value = pems.join('\n')
  return t
}

export function trustSection(trust: ConfigDoc<TrustSettings>): HTMLElement {
  const rootsText = pemArea('roots', trust.value?.roots ?? [])
  const interText = pemArea('intermediates', trust.value?.intermediates ?? [])
  return section(
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
  )
}

export function allowlistSection(allowlist: ConfigDoc<AllowlistSettings>): HTMLElement {
  const al = allowlist.value ?? { enabled: false, ekPublicSha256: [], certSerials: [] }
  const alEnabled = h('input', { type: 'checkbox', name: 'enabled', checked: al.enabled })
  const alEks = h('textarea', { name: 'ekPublicSha256', rows: 4, spellcheck: 'false' })
  alEks.value = al.ekPublicSha256.join('\n')
  const alSerials = h('textarea', { name: 'certSerials', rows: 4, spellcheck: 'false' })
  alSerials.value = al.certSerials.join('\n')
  return section(
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
  )
}
