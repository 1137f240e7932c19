/**
 * Sign-in: paste a role token (development: `npx aegis token --role operator|auditor|viewer`).
 * The token is checked by the collector itself (GET /v1/me) before it is kept; under Cloudflare
 * Access this page is never shown, since the Access JWT already reaches the worker.
 */
import { api, ApiError } from '../api/client.ts'
import type { Me } from '../api/types.ts'
import { h, mount } from '../dom.ts'
import { problemBox } from './common.ts'

export function renderSignIn(
  root: HTMLElement,
  onSignedIn: (me: Me, token: string) => void,
  error?: unknown,
): void {
  const token = h('textarea', {
    id: 'token',
    name: 'token',
    rows: 5,
    spellcheck: 'false',
    autocomplete: 'off',
    placeholder: 'eyJhbGciOiJFUzI1NiIs…',
  })
  const status = h('div', { class: 'sign-in-status' }, error ? problemBox(error) : null)
  const submit = async (ev: Event) => {
    ev.preventDefault()
    const t = token.value.trim()
    if (!t) return
    mount(status, h('p', { class: 'loading' }, 'Checking the token with the collector…'))
    try {
      const me = await api<Me>('/v1/me', {}, t)
      onSignedIn(me, t)
    } catch (e) {
      mount(
        status,
        problemBox(e instanceof ApiError ? e : new ApiError('ERR_AUTH_INVALID', 401, String(e))),
      )
    }
  }
  mount(
    root,
    h(
      'section',
      { class: 'card sign-in' },
      h('h2', null, 'Sign in'),
      h(
        'p',
        null,
        'Paste a role token (a JWT with an operator, auditor or viewer role). It is kept in this tab only.',
      ),
      h(
        'form',
        { onsubmit: submit },
        h('label', { for: 'token' }, 'Role token'),
        token,
        h('button', { type: 'submit', id: 'sign-in' }, 'Sign in'),
      ),
      status,
      h(
        'details',
        { class: 'hint', open: true },
        h('summary', null, 'Where do I get a token?'),
        h('p', null, 'Development (', h('code', null, 'npm run dev'), '): in the repository run'),
        h('pre', null, 'npx aegis token --role operator   # or: auditor, viewer'),
        h(
          'p',
          null,
          'and paste what it prints. In production the console sits behind Cloudflare Access, which signs you in; see docs/console.md.',
        ),
      ),
    ),
  )
  token.focus()
}
