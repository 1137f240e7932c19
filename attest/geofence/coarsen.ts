/**
 * What of a restricted agent's location may leave its jurisdiction: the centre of a grid cell of
 * `deg` degrees (RESIDENCY_GRID_DEG, default 0.1, about 11 km of latitude), and as accuracy the
 * cell's half-diagonal in metres, so a reader never takes the centre for a precise fix. The exact
 * fix stays in the bundle, in the jurisdiction's bucket.
 */
const M_PER_DEG = 111_320

export interface CoarseLocation {
  lat: number
  lon: number
  accuracyM: number
}

export function coarsen(lat: number, lon: number, deg: number): CoarseLocation {
  const centre = (v: number, max: number) => {
    const c = (Math.floor(v / deg) + 0.5) * deg
    // Round away float noise (0.1 steps) so the stored value is the cell, not the fix's digits.
    return Math.max(-max, Math.min(max, Number(c.toFixed(9))))
  }
  return {
    lat: centre(lat, 90),
    lon: centre(lon, 180),
    accuracyM: Math.round(((deg * M_PER_DEG) / 2) * Math.SQRT2),
  }
}
