/**
 * Pieces every view uses: the view contract, status badges, and how API failures are shown
 * (a refusal panel for 401/403 naming the role needed, an error box with code and reason otherwise,
 * inline field errors pointing at the problem's `path` member, ApiError.detail.path).
 */
import { ApiError } from '../api/client.ts'
import type { Me } from '../api/types.ts'
import { h } from '../dom.ts'
import { reasonFor } from '../reasons.ts'
import { highestRole, type Route } from '../session/nav.ts'

export interface ViewContext {
  me: Me
  route: Route
  /** Run when the user leaves the view (maps and charts free their resources). */
  onLeave(f: () => void): void
}

export type View = (root: HTMLElement, ctx: ViewContext) => Promise<void>

export function badge(state: string, text = state): HTMLElement {
  return h('span', { class: `badge badge-${state}`, 'data-state': state }, text)
}

export function codeChip(code: string | null | undefined): HTMLElement | string {
  if (!code) return '—'
  return h('span', { class: 'code', title: reasonFor(code) || code, 'data-code': code }, code)
}

/** A failed API call, shown in place of (or inside) a view. */
export function problemBox(e: unknown, me?: Me): HTMLElement {
  if (e instanceof ApiError && (e.status === 403 || e.status === 401)) {
    const required = (e.detail?.required as string[] | undefined)?.join(' or ')
    return h(
      'div',
      { class: 'refusal', role: 'alert', 'data-code': e.code, 'data-status': e.status },
      h('h2', null, e.status === 403 ? 'Not allowed' : 'Not signed in'),
      h(
        'p',
        null,
        h('strong', null, `${e.status} ${e.code}`),
        ': ',
        reasonFor(e.code) || e.message,
      ),
      e.status === 403 && me
        ? h(
            'p',
            null,
            `You are signed in as ${me.sub} with role ${highestRole(me.roles) ?? 'none'}`,
            required ? `; this needs ${required}.` : '.',
          )
        : null,
    )
  }
  const code = e instanceof ApiError ? e.code : ((e as { code?: string })?.code ?? 'ERR_INTERNAL')
  const msg = e instanceof Error ? e.message : String(e)
  return h(
    'div',
    { class: 'error', role: 'alert', 'data-code': code },
    h('strong', null, code),
    ': ',
    reasonFor(code) ? `${reasonFor(code)} ` : '',
    h('span', { class: 'error-message' }, msg),
    e instanceof ApiError && e.detail?.path
      ? h('span', { class: 'error-path' }, ` at ${String(e.detail.path)}`)
      : null,
  )
}

export function loading(what = 'Loading…'): HTMLElement {
  return h('p', { class: 'loading' }, what)
}

export function section(title: string, ...children: (Node | string | null)[]): HTMLElement {
  return h('section', { class: 'card' }, h('h2', null, title), ...children)
}
