/**
 * The policy view's form plumbing: a status line beside each form, the save attempt that shows
 * the collector's refusal inline (problemBox: code and the `path` member), and the configuration
 * document form, whose writes carry `ifVersion` so two operators cannot silently overwrite each
 * other.
 */
import { api, ApiError } from '../../api/client.ts'
import type { ConfigDoc } from '../../api/types.ts'
import { h, mount } from '../../dom.ts'
import { problemBox } from '../common.ts'

export function status(): HTMLElement {
  return h('div', { class: 'form-status', 'aria-live': 'polite' })
}

function saved(el: HTMLElement, text: string): void {
  mount(el, h('p', { class: 'ok', role: 'status' }, text))
}

export function jsonOf(text: string, where: string): unknown {
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

export function lines(text: string): string[] {
  return text
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter(Boolean)
}

export async function attempt(out: HTMLElement, f: () => Promise<string>): Promise<void> {
  mount(out, h('p', { class: 'loading' }, 'Saving…'))
  try {
    saved(out, await f())
  } catch (e) {
    mount(out, problemBox(e))
  }
}

/** Reload the view (after a change that adds or removes a row). */
export function reload(): void {
  window.dispatchEvent(new HashChangeEvent('hashchange'))
}

export function configForm<T>(
  key: string,
  doc: ConfigDoc<T>,
  fields: HTMLElement,
  read: () => T,
): HTMLElement {
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
