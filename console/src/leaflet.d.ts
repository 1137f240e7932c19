/**
 * The part of Leaflet 1.9's API the console uses, typed by hand (Leaflet ships no types and the
 * project adds no @types packages). Imports go to the ESM build, leaflet/dist/leaflet-src.esm.js.
 */
declare module 'leaflet/dist/leaflet-src.esm.js' {
  export type LatLngTuple = [number, number]
  export interface LatLngBounds {
    extend(p: LatLngTuple | LatLngBounds): LatLngBounds
    isValid(): boolean
    pad(r: number): LatLngBounds
  }
  export interface PathOptions {
    color?: string
    weight?: number
    opacity?: number
    fillColor?: string
    fillOpacity?: number
    className?: string
    radius?: number
    /** a pane made with createPane (draw order) */
    pane?: string
    interactive?: boolean
  }
  export interface Layer {
    addTo(m: LeafletMap | LayerGroup): this
    bindTooltip(
      content: string | HTMLElement,
      options?: { permanent?: boolean; direction?: string; className?: string },
    ): this
    bindPopup(content: string | HTMLElement): this
    remove(): this
  }
  export interface LayerGroup extends Layer {
    clearLayers(): this
  }
  export interface LeafletMap {
    fitBounds(b: LatLngBounds, options?: { maxZoom?: number; padding?: [number, number] }): this
    setView(center: LatLngTuple, zoom: number): this
    invalidateSize(): this
    remove(): this
    createPane(name: string): HTMLElement
  }
  export function map(
    el: HTMLElement,
    options?: {
      attributionControl?: boolean
      zoomControl?: boolean
      worldCopyJump?: boolean
      preferCanvas?: boolean
    },
  ): LeafletMap
  export function geoJSON(
    data: unknown,
    options?: {
      style?: PathOptions | ((f: unknown) => PathOptions)
      pane?: string
      interactive?: boolean
    },
  ): Layer
  export function circleMarker(at: LatLngTuple, options?: PathOptions): Layer
  export function circle(at: LatLngTuple, options?: PathOptions): Layer
  export function layerGroup(): LayerGroup
  export function latLngBounds(points: LatLngTuple[]): LatLngBounds
  export function tileLayer(
    url: string,
    options?: { attribution?: string; maxZoom?: number },
  ): Layer
}

/** world-atlas's TopoJSON files (Natural Earth), bundled as JSON by esbuild. */
declare module 'world-atlas/countries-50m.json' {
  const topology: import('topojson-specification').Topology
  export default topology
}
