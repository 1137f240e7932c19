/**
 * Provenance view (auditor): pick an accepted batch, fetch its provenance record
 * (GET /v1/provenance/{batchId}) and the collector's JWKS, and re-verify it here in the browser
 * with attest/bundle/verify-provenance.ts, the same code `aegis verify bundle` runs. Each step is
 * shown with its result (provenance/steps.ts). Trust roots: an operator may use the collector's
 * configured roots (GET /v1/config/trust); anyone may paste or upload the manufacturer roots they
 * trust, which is the independent check (roots from the collector vouch only for the collector).
 * The record downloads as the file `aegis verify bundle` takes.
 */
import type { JSONWebKeySet } from 'jose'
import { verifyProvenance, type BundleReport } from '../../../attest/bundle/verify-provenance.ts'
import type { ProvenanceRecord } from '../../../attest/bundle/provenance.ts'
import { api, apiFetch, ApiError } from '../api/client.ts'
import type { ConfigDoc, Decision, TrustSettings } from '../api/types.ts'
import { download, fmtTime, h, mount, shortId } from '../dom.ts'
import { hashFor, mayUse } from '../session/nav.ts'
import { provenanceSteps, type Step } from '../provenance/steps.ts'
import { trustFromPem, type Trust } from '../provenance/trust.ts'
import { badge, loading, problemBox, section, type View } from './common.ts'

const ROOTS_KEY = 'aegis.roots'
const STATE_TEXT: Record<Step['state'], string> = {
  ok: 'passed',
  fail: 'failed',
  skipped: 'skipped',
  'not-checked': 'not checked',
  warn: 'note',
}

export const provenanceView: View = async (root, ctx) => {
  const batchId = ctx.route.rest[0] ?? ctx.route.params.get('batch') ?? ''
  const operator = mayUse(ctx.me.roles, 'operator')
  mount(root, loading())

  // Recent accepted batches to pick from (auditor API); the picker also takes any id.
  const recent = (
    await api<{ decisions: Decision[] }>('/v1/decisions?verdict=accept&limit=50')
  ).decisions.filter((d) => d.kind === 'batch' && d.batch_id)
  const { picker, recentList } = batchPicker(batchId, recent)

  const { trustBox, source, rootsText } = trustChoice(operator)

  const result = h('div', { id: 'provenance-result' })
  const verifyBtn = h(
    'button',
    { type: 'button', id: 'verify', disabled: !batchId },
    'Verify in this browser',
  )
  mount(
    root,
    section('Batch', picker, recentList),
    section('Trust roots', trustBox),
    batchId ? section(`Provenance of ${shortId(batchId)}`, verifyBtn, result) : null,
  )
  if (!batchId) return

  let record: ProvenanceRecord
  try {
    record = await api<ProvenanceRecord>(`/v1/provenance/${encodeURIComponent(batchId)}`)
  } catch (e) {
    mount(
      result,
      e instanceof ApiError && e.code === 'ERR_NOT_FOUND'
        ? h(
            'div',
            { class: 'error', role: 'alert', 'data-code': e.code },
            h('strong', null, e.code),
            ': no stored batch with this id (rejected batches have no provenance; an accepted one may not be synced yet).',
          )
        : problemBox(e, ctx.me),
    )
    verifyBtn.disabled = true
    return
  }

  const run = async () => {
    mount(result, loading('Verifying…'))
    let trust: Trust
    try {
      if (source.value === 'collector') {
        const doc = await api<ConfigDoc<TrustSettings>>('/v1/config/trust')
        if (!doc.value)
          throw new ApiError('ERR_TRUST_ROOTS', 503, 'the collector has no trust roots configured')
        trust = trustFromPem([...doc.value.roots, ...doc.value.intermediates])
      } else {
        sessionStorage.setItem(ROOTS_KEY, rootsText.value)
        trust = trustFromPem([rootsText.value])
      }
    } catch (e) {
      mount(result, problemBox(e, ctx.me))
      return
    }
    const jwks = (await (
      await apiFetch('/.well-known/jwks.json', {}, null)
    ).json()) as JSONWebKeySet
    const report = await verifyProvenance(record, {
      roots: trust.roots,
      intermediates: trust.intermediates,
      jwks,
    })
    renderReport(result, report, record)
  }
  verifyBtn.addEventListener('click', () => void run())
  if (source.value === 'collector' || rootsText.value.trim()) await run()
  else
    mount(
      result,
      h('p', { class: 'muted' }, 'Paste or upload the manufacturer roots, then verify.'),
      downloadButton(record),
    )
}

/** The batch id form and the recent accepted batches to pick from. */
function batchPicker(
  batchId: string,
  recent: Decision[],
): { picker: HTMLElement; recentList: HTMLElement } {
  const idIn = h('input', {
    name: 'batch',
    id: 'batch-id',
    value: batchId,
    placeholder: 'batch id (64 hex)',
    size: '66',
    pattern: '[0-9a-f]{64}',
  })
  const picker = h(
    'form',
    {
      class: 'controls',
      id: 'batch-picker',
      onsubmit: (e: Event) => {
        e.preventDefault()
        const v = idIn.value.trim().toLowerCase()
        if (v) location.hash = hashFor('provenance', [v])
      },
    },
    h('label', null, 'Batch ', idIn),
    h('button', { type: 'submit' }, 'Open'),
  )
  const recentList = recent.length
    ? h(
        'ul',
        { class: 'recent', id: 'recent-batches' },
        recent
          .slice(0, 12)
          .map((d) =>
            h(
              'li',
              null,
              h(
                'a',
                { href: hashFor('provenance', [d.batch_id!]), 'data-batch': d.batch_id! },
                shortId(d.batch_id!),
              ),
              ' ',
              h(
                'span',
                { class: 'muted' },
                `${fmtTime(d.at)} · agent ${shortId(d.agent_id ?? '')} · ${d.zone ?? 'no zone'}`,
              ),
            ),
          ),
      )
    : h('p', { class: 'muted' }, 'No accepted batches yet.')
  return { picker, recentList }
}

/** Where the trust roots come from: the collector's (operators) or pasted/uploaded PEM. */
function trustChoice(operator: boolean): {
  trustBox: HTMLElement
  source: HTMLSelectElement
  rootsText: HTMLTextAreaElement
} {
  const rootsText = h('textarea', {
    id: 'roots-pem',
    rows: 6,
    spellcheck: 'false',
    placeholder: '-----BEGIN CERTIFICATE-----\n… manufacturer root(s) and intermediates …',
  })
  rootsText.value = sessionStorage.getItem(ROOTS_KEY) ?? ''
  const fileIn = h('input', {
    type: 'file',
    id: 'roots-file',
    accept: '.pem,.crt,.cer',
    multiple: true,
  })
  fileIn.addEventListener('change', async () => {
    const texts = await Promise.all([...(fileIn.files ?? [])].map((f) => f.text()))
    rootsText.value = [rootsText.value.trim(), ...texts].filter(Boolean).join('\n')
  })
  const source = h(
    'select',
    { id: 'roots-source', name: 'roots-source' },
    operator
      ? h(
          'option',
          { value: 'collector', selected: !rootsText.value },
          'the collector’s configured roots',
        )
      : null,
    h(
      'option',
      { value: 'pasted', selected: !operator || !!rootsText.value },
      'roots I paste or upload',
    ),
  )
  const trustBox = h(
    'div',
    { class: 'trust' },
    h('label', null, 'Verify against ', source),
    h(
      'div',
      { class: 'pasted-roots' },
      rootsText,
      h('label', null, 'or upload PEM files ', fileIn),
    ),
    h(
      'p',
      { class: 'muted' },
      'Roots from the collector only show the collector is consistent with itself; for an independent check paste the manufacturer roots you trust.',
    ),
  )
  const syncSource = () =>
    ((trustBox.querySelector('.pasted-roots') as HTMLElement).hidden = source.value !== 'pasted')
  source.addEventListener('change', syncSource)
  syncSource()
  return { trustBox, source, rootsText }
}

function downloadButton(record: ProvenanceRecord): HTMLElement {
  return h(
    'p',
    { class: 'downloads' },
    h(
      'button',
      {
        type: 'button',
        id: 'download-bundle',
        onclick: () =>
          download(`provenance-${record.batchId}.json`, JSON.stringify(record, null, 2)),
      },
      'Download bundle',
    ),
    ' ',
    h(
      'button',
      {
        type: 'button',
        id: 'download-jwks',
        class: 'secondary',
        onclick: async () => {
          download('jwks.json', await (await apiFetch('/.well-known/jwks.json', {}, null)).text())
        },
      },
      'Download collector JWKS',
    ),
    h('span', { class: 'muted' }, ' then: '),
    h(
      'code',
      null,
      `aegis verify bundle provenance-${record.batchId}.json --roots ROOTS.pem --jwks jwks.json`,
    ),
  )
}

function renderReport(el: HTMLElement, r: BundleReport, record: ProvenanceRecord): void {
  const steps = provenanceSteps(r)
  const pcrRows = Object.entries(r.pcrs ?? {}).flatMap(([bank, v]) =>
    Object.entries(v)
      .sort(([a], [b]) => Number(a) - Number(b))
      .map(([i, hex]) =>
        h('tr', null, h('td', null, `${bank}:${i}`), h('td', null, h('code', null, hex))),
      ),
  )
  mount(
    el,
    h(
      'p',
      {
        class: `verdict verdict-${r.ok ? 'ok' : 'fail'}`,
        id: 'provenance-verdict',
        'data-ok': String(r.ok),
        'data-code': r.code ?? '',
      },
      r.ok
        ? 'Every check passed: this batch is what the agent’s TPM quoted, accepted and logged by the collector.'
        : `Verification failed: ${r.code}`,
    ),
    h(
      'ol',
      { class: 'steps', id: 'provenance-steps' },
      steps.map((s) =>
        h(
          'li',
          { class: `step step-${s.state}`, 'data-step': s.id, 'data-state': s.state },
          badge(s.state, STATE_TEXT[s.state]),
          ' ',
          h('strong', null, s.title),
          s.code ? [' ', h('span', { class: 'code', 'data-code': s.code }, s.code)] : null,
          h('div', { class: 'note' }, s.note),
        ),
      ),
    ),
    h(
      'dl',
      null,
      ...(
        [
          ['Agent', r.agentId ?? '—'],
          ['Sequence', r.seq === undefined ? '—' : String(r.seq)],
          ['Verdict', r.verdict ?? '—'],
          ['Zone', r.zone ?? '—'],
          [
            'EK certificate',
            r.ekCert
              ? `${r.ekCert.subject || '(empty subject)'} · issuer ${r.ekCert.issuer} · serial ${r.ekCert.serial}`
              : '—',
          ],
          [
            'Log',
            r.logIndex === undefined
              ? '—'
              : `leaf ${r.logIndex} of ${r.treeSize}, tree head ${fmtTime(new Date(record.sth.timestamp).toISOString())}`,
          ],
        ] as [string, string][]
      ).flatMap(([k, v]) => [h('dt', null, k), h('dd', null, v)]),
    ),
    pcrRows.length
      ? h(
          'details',
          null,
          h('summary', null, `Quoted PCR values (${pcrRows.length})`),
          h('table', { class: 'pcrs' }, h('tbody', null, pcrRows)),
        )
      : null,
    downloadButton(record),
  )
}
