/** Policy view, Zones section: one form per zone (GeoJSON geometry, countries) and a new one. */
import { api } from '../../api/client.ts'
import type { Zone } from '../../api/types.ts'
import { h } from '../../dom.ts'
import { section } from '../common.ts'
import { attempt, jsonOf, lines, reload, status } from './forms.ts'

function zoneCard(z: Zone | null): HTMLElement {
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

export function zonesSection(zones: Zone[]): HTMLElement {
  return section(
    'Zones',
    h(
      'datalist',
      { id: 'zone-ids' },
      zones.map((z) => h('option', { value: z.id })),
    ),
    h(
      'div',
      { id: 'zones' },
      zones.map((z) => zoneCard(z)),
    ),
    h('h3', null, 'New zone'),
    zoneCard(null),
  )
}
