/**
 * The fleet map: an offline basemap of country outlines (Natural Earth 1:50m from the world-atlas
 * package, bundled, loaded on first use: no tile server), operator zones as GeoJSON polygons with
 * their names, and each agent's last accepted fix (with its accuracy circle), drawn by Leaflet as
 * SVG. A tile layer is added only when the deployment names one (meta aegis-tiles,
 * docs/console.md). Zones as wide as the development whole-world zone are drawn but do not frame
 * the view or get a label. The legend and the agents with no fix to show are listed beside the
 * map by fleet.ts (mapLegend, unplaced).
 */
import * as L from 'leaflet/dist/leaflet-src.esm.js'
import { feature } from 'topojson-client'
import type { FleetAgent, Fix, Zone } from '../api/types.ts'
import { h, shortId } from '../dom.ts'

export const STATUS_COLOR: Record<string, string> = {
  active: '#1a7f37',
  failing: '#cf222e',
  revoked: '#6e7781',
}
export const ZONE_COLOR = '#0969da'

/** Country outlines under everything else; a failure to load leaves the map without them. */
async function addBasemap(map: L.LeafletMap): Promise<void> {
  const topo = (await import('world-atlas/countries-50m.json')).default
  const countries = feature(topo, topo.objects.countries!)
  L.geoJSON(countries, {
    pane: 'basemap',
    interactive: false,
    style: {
      color: '#8c959f',
      weight: 0.6,
      fillColor: '#eaeef2',
      fillOpacity: 1,
      className: 'basemap',
    },
  }).addTo(map)
}

/** [[south, west], [north, east]] of a zone's exterior rings. */
function bbox(z: Zone): [L.LatLngTuple, L.LatLngTuple] {
  const polys = z.geometry.type === 'Polygon' ? [z.geometry.coordinates] : z.geometry.coordinates
  let [s, w, n, e] = [90, 180, -90, -180]
  for (const p of polys)
    for (const [lon, lat] of p[0] ?? []) {
      s = Math.min(s, lat)
      n = Math.max(n, lat)
      w = Math.min(w, lon)
      e = Math.max(e, lon)
    }
  return [
    [s, w],
    [n, e],
  ]
}

/** The fix of a refusal newer than the last accepted batch (a failing agent), if it recorded one. */
export function refusedFix(a: FleetAgent): Fix | undefined {
  const r = a.lastRejection
  if (!r?.fix) return undefined
  if (a.lastBatch && Date.parse(a.lastBatch.acceptedAt) >= Date.parse(r.at)) return undefined
  return r.fix
}

/** Agents the map cannot place: no accepted fix and no reported one. */
export function unplaced(agents: FleetAgent[]): FleetAgent[] {
  return agents.filter((a) => !a.lastBatch?.fix && !refusedFix(a))
}

/** Each zone as a GeoJSON layer, named on the map (the world-wide development zone on hover). */
function addZones(map: ReturnType<typeof L.map>, zones: Zone[]): void {
  for (const z of zones) {
    const [sw, ne] = bbox(z)
    const layer = L.geoJSON(
      { type: 'Feature', properties: { id: z.id }, geometry: z.geometry },
      {
        style: { color: ZONE_COLOR, weight: 2, fillOpacity: 0.12, className: `zone zone-${z.id}` },
      },
    )
    // A name on the zone itself; the world-wide development zone only on hover.
    if (ne[1] - sw[1] < 90) {
      layer.bindTooltip(z.name, {
        permanent: true,
        direction: 'center',
        className: `zone-label zone-label-${z.id}`,
      })
    } else layer.bindTooltip(`${z.name} (${z.id})`)
    layer.addTo(map)
  }
}

/** Each agent's last accepted fix (filled, status colour) and last refused one (hollow). */
function addFixes(map: ReturnType<typeof L.map>, agents: FleetAgent[]): void {
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
  for (const a of agents) {
    const fix = refusedFix(a)
    if (!fix) continue
    // Where a refused agent said it was: hollow, in the refusal colour, never taken as accepted.
    L.circleMarker([fix.lat, fix.lon], {
      radius: 7,
      color: STATUS_COLOR.failing,
      weight: 3,
      fillOpacity: 0,
      className: 'fix fix-refused',
    })
      .bindPopup(
        h(
          'div',
          null,
          h('strong', null, shortId(a.agentId)),
          h('br'),
          `refused ${a.lastRejection!.code}`,
          h('br'),
          `reported fix ${fix.lat.toFixed(5)}, ${fix.lon.toFixed(5)} ±${fix.accuracyM} m`,
        ),
      )
      .addTo(map)
  }
}

export function drawFleetMap(el: HTMLElement, zones: Zone[], agents: FleetAgent[]): () => void {
  const map = L.map(el, { attributionControl: false, worldCopyJump: true })
  // Frame the view first: Leaflet 1.9 fails to project vector layers added before a map has one.
  const frame: L.LatLngTuple[] = []
  for (const z of zones) {
    const [sw, ne] = bbox(z)
    if (ne[1] - sw[1] < 90) frame.push(sw, ne)
  }
  for (const a of agents) {
    const f = refusedFix(a) ?? a.lastBatch?.fix
    if (f) frame.push([f.lat, f.lon])
  }
  if (frame.length) map.fitBounds(L.latLngBounds(frame).pad(0.2), { maxZoom: 13 })
  else map.setView([20, 0], 1)

  const tiles = document.querySelector<HTMLMetaElement>('meta[name="aegis-tiles"]')?.content
  if (tiles) L.tileLayer(tiles, { maxZoom: 18 }).addTo(map)
  else {
    map.createPane('basemap').style.zIndex = '250' // below the overlay pane (400)
    addBasemap(map).catch((e: unknown) => console.warn('basemap not loaded', e))
  }
  addZones(map, zones)
  addFixes(map, agents)
  // The container may get its final size only after layout.
  const t = setTimeout(() => map.invalidateSize(), 50)
  return () => {
    clearTimeout(t)
    map.remove()
  }
}
