/**
 * Aegis Edge console: a single page served by the worker as static assets (console/dist). Signs in
 * (pasted role token, or Cloudflare Access), shows the views the role may use, and routes on the
 * URL hash (#/fleet, #/metrics, #/decisions, #/provenance/<batchId>, #/policy) so no server
 * routing is needed. Each view talks to the collector's JSON APIs only (api/client.ts).
 */
import './app.css'
import { ApiError, api, setUnauthorizedHandler } from './api/client.ts'
import type { Me } from './api/types.ts'
import { h, mount } from './dom.ts'
import { highestRole, parseHash, VIEWS, visibleViews, type ViewName } from './session/nav.ts'
import { currentToken, storeToken } from './session/token-store.ts'
import { problemBox, type View } from './views/common.ts'
import { renderSignIn } from './views/sign-in.ts'

const LOADERS: Record<ViewName, () => Promise<View>> = {
  fleet: () => import('./views/fleet.ts').then((m) => m.fleetView),
  metrics: () => import('./views/metrics.ts').then((m) => m.metricsView),
  decisions: () => import('./views/decisions.ts').then((m) => m.decisionsView),
  provenance: () => import('./views/provenance.ts').then((m) => m.provenanceView),
  policy: () => import('./views/policy.ts').then((m) => m.policyView),
}

const nav = document.getElementById('nav')!
const who = document.getElementById('who')!
const main = document.getElementById('view')!

let me: Me | null = null
let via: 'token' | 'access' = 'token'
let leave: (() => void)[] = []

function signOut(): void {
  storeToken(null)
  me = null
  if (via === 'access') {
    location.href = '/cdn-cgi/access/logout'
    return
  }
  showSignIn()
}

function showSignIn(error?: unknown): void {
  runLeave()
  document.body.dataset.signedIn = 'false'
  mount(nav)
  mount(who)
  renderSignIn(
    main,
    (m, token) => {
      storeToken(token)
      via = 'token'
      signedIn(m)
    },
    error,
  )
}

function signedIn(m: Me): void {
  me = m
  document.body.dataset.signedIn = 'true'
  document.body.dataset.role = highestRole(m.roles) ?? ''
  mount(
    who,
    h(
      'span',
      { id: 'whoami', 'data-role': highestRole(m.roles) ?? '' },
      `${m.sub} · ${highestRole(m.roles) ?? 'no role'}`,
    ),
    h(
      'button',
      { id: 'sign-out', class: 'link', onclick: signOut },
      via === 'access' ? 'Sign out (Access)' : 'Sign out',
    ),
  )
  void route()
}

function runLeave(): void {
  for (const f of leave) {
    try {
      f()
    } catch {
      /* a view's cleanup must not block the next view */
    }
  }
  leave = []
}

async function route(): Promise<void> {
  if (!me) return
  const r = parseHash(location.hash)
  const allowed = visibleViews(me.roles)
  mount(
    nav,
    VIEWS.filter((v) => allowed.includes(v.name)).map((v) =>
      h(
        'a',
        { href: `#/${v.name}`, 'data-view': v.name, class: v.name === r.view ? 'active' : '' },
        v.title,
      ),
    ),
  )
  runLeave()
  // Each render gets a fresh container: an older view still loading writes into a detached node.
  const container = h('div', { class: `view view-${r.view}`, 'data-view': r.view })
  mount(main, container)
  document.title = `${VIEWS.find((v) => v.name === r.view)!.title} · Aegis Edge`
  const cleanups: (() => void)[] = []
  leave = cleanups
  try {
    const view = await LOADERS[r.view]()
    await view(container, { me, route: r, onLeave: (f) => cleanups.push(f) })
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) return
    if (!(e instanceof ApiError)) console.error(e) // a bug, not a refusal: keep the stack for devtools
    mount(container, problemBox(e, me))
  }
}

setUnauthorizedHandler((e) => {
  storeToken(null)
  if (me) showSignIn(e)
})
window.addEventListener('hashchange', () => void route())

async function boot(): Promise<void> {
  const token = currentToken()
  try {
    if (token) {
      via = 'token'
      signedIn(await api<Me>('/v1/me', {}, token))
      return
    }
    // Behind Cloudflare Access the worker sees the Access JWT without any token here.
    const m = await api<Me>('/v1/me', {}, null)
    via = 'access'
    signedIn(m)
  } catch (e) {
    showSignIn(token ? e : undefined)
  }
}

void boot()
