/** A GeoJSON Polygon covering a lon/lat box (closed ring, RFC 7946 order); for node tests too. */
export function boxPolygon(w: number, s: number, e: number, n: number) {
  return {
    type: 'Polygon',
    coordinates: [
      [
        [w, s],
        [e, s],
        [e, n],
        [w, n],
        [w, s],
      ],
    ],
  }
}
