/**
 * The fleet map: operator zones as GeoJSON polygons and each agent's last accepted fix (with its
 * accuracy circle), drawn by Leaflet as SVG so it renders with no tiles and no network. A tile
 * layer is added only when the deployment names one (meta aegis-tiles, docs/console.md).
 * Zones as wide as the development whole-world zone are drawn but do not frame the view.
 */
import * as L from 'leaflet/dist/leaflet-src.esm.js'
import type { FleetAgent, Zone } from '../api/types.ts'
import { h, shortId } from '../dom.ts'

const STATUS_COLOR: Record<string, string> = {
  active: '#1a7f37',
  failing: '#cf222e',
  revoked: '#6e7781',
}

/** [[south, west], [north, east]] of a zone's exterior rings. */
function bbox(z: Zone): [L.LatLngTuple, L.LatLngTuple] {
  const polys = z.geometry.type === 'Polygon' ? [z.geometry.coordinates] : z.geometry.coordinates
  let [s, w, n, e] = [90, 180, -90, -180]
  for (const p of polys)
    for (const [lon, lat] of p[0] ?? [])
      ((s = Math.min(s, lat)),
        (n = Math.max(n, lat)),
        (w = Math.min(w, lon)),
        (e = Math.max(e, lon)))
  return [
    [s, w],
    [n, e],
  ]
}

export function drawFleetMap(el: HTMLElement, zones: Zone[], agents: FleetAgent[]): () => void {
  const map = L.map(el, { attributionControl: false, worldCopyJump: true })
  // Frame the view first: Leaflet 1.9 fails to project vector layers added before a map has one.
  const frame: L.LatLngTuple[] = []
  for (const z of zones) {
    const [sw, ne] = bbox(z)
    if (ne[1] - sw[1] < 90) frame.push(sw, ne)
  }
  for (const a of agents)
    if (a.lastBatch?.fix) frame.push([a.lastBatch.fix.lat, a.lastBatch.fix.lon])
  if (frame.length) map.fitBounds(L.latLngBounds(frame).pad(0.2), { maxZoom: 13 })
  else map.setView([20, 0], 1)

  const tiles = document.querySelector<HTMLMetaElement>('meta[name="aegis-tiles"]')?.content
  if (tiles) L.tileLayer(tiles, { maxZoom: 18 }).addTo(map)
  for (const z of zones) {
    L.geoJSON(
      { type: 'Feature', properties: { id: z.id }, geometry: z.geometry },
      { style: { color: '#0969da', weight: 2, fillOpacity: 0.12, className: `zone zone-${z.id}` } },
    )
      .bindTooltip(`${z.name} (${z.id})`)
      .addTo(map)
  }
  for (const a of agents) {
    const fix = a.lastBatch?.fix
    if (!fix) continue
    const at: L.LatLngTuple = [fix.lat, fix.lon]
    const color = STATUS_COLOR[a.status] ?? '#6e7781'
    L.circle(at, { radius: fix.accuracyM, color, weight: 1, fillOpacity: 0.1 }).addTo(map)
    L.circleMarker(at, {
      radius: 7,
      color: '#fff',
      weight: 2,
      fillColor: color,
      fillOpacity: 1,
      className: `fix fix-${a.status}`,
    })
      .bindPopup(
        h(
          'div',
          null,
          h('strong', null, shortId(a.agentId)),
          h('br'),
          `${a.status} · zone ${a.lastBatch?.zone ?? '—'}`,
          h('br'),
          `last fix ${fix.lat.toFixed(5)}, ${fix.lon.toFixed(5)} ±${fix.accuracyM} m`,
        ),
      )
      .addTo(map)
  }
  // The container may get its final size only after layout.
  const t = setTimeout(() => map.invalidateSize(), 50)
  return () => {
    clearTimeout(t)
    map.remove()
  }
}
