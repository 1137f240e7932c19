/**
 * Generates the per-curve AssemblyScript modules the ECDSA kernel is built from: unrolled
 * Montgomery arithmetic on unsaturated limbs (P-256: 9 x 29 bits, P-384: 14 x 28 bits, products in
 * u64) for the prime p and the group order n, the curve constants in the layouts the kernel uses,
 * and the precomputed table of odd multiples of the generator. Run by wasm/build.mjs; the output
 * goes to wasm/build/gen/ and is never committed, so this file and the hand-written kernel in
 * wasm/ecdsa/ are the only source.
 *
 * Leaves out every curve but P-256 and P-384 and every a other than -3.
 * Follows: domain parameters from FIPS 186-5 / SP 800-186 §3.2.1.3-3.2.1.4 (SEC 2 §2.4.2, §2.5.1);
 * Montgomery multiplication (Montgomery 1985) in separated form: product, then word-by-word
 * reduction (Koc, Acar, Kaliski 1996, "SOS"), here with carry-free column sums.
 */

/** Window of the generator's wNAF; the table holds 2^(W_G-2) odd multiples (affine). */
export const W_G = 8

export const CURVES = [
  {
    id: 'p256',
    words: 8,
    limbs: 9,
    bits: 29,
    p: 0xffffffff00000001000000000000000000000000ffffffffffffffffffffffffn,
    n: 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n,
    b: 0x5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604bn,
    gx: 0x6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296n,
    gy: 0x4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5n,
  },
  {
    id: 'p384',
    words: 12,
    limbs: 14,
    bits: 28,
    p: 0xfffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffeffffffff0000000000000000ffffffffn,
    n: 0xffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973n,
    b: 0xb3312fa7e23ee7e4988e056be3f82d19181d9c6efe8141120314088f5013875ac656398d8a2ed19d2a85c8edd3ec2aefn,
    gx: 0xaa87ca22be8b05378eb1c71ef320ad746e1d3b628ba79b9859f741e082542a385502f25dbf55296c3a545e3872760ab7n,
    gy: 0x3617de4a96262c6f5d9e98bf9292dc29f8f41dbd289a147ce9da3113b5f0b8c00a60b1ce1d7e819d7a431d7c90ea0e5fn,
  },
]

function mod(a, m) {
  const r = a % m
  return r < 0n ? r + m : r
}

function modPow(b, e, m) {
  let r = 1n
  b = mod(b, m)
  for (; e > 0n; e >>= 1n) {
    if (e & 1n) r = (r * b) % m
    b = (b * b) % m
  }
  return r
}

/** a^-1 mod a prime m. */
const inv = (a, m) => modPow(a, m - 2n, m)

/** -m^-1 mod 2^bits for odd m (each Newton step doubles the number of correct low bits). */
function montNegInv(m, bits) {
  const B = 1n << BigInt(bits)
  let x = 1n
  for (let i = 0; i < 6; i++) x = mod(x * (2n - m * x), B)
  return Number(mod(-x, B))
}

/** Affine addition on y^2 = x^3 - 3x + b; null is the identity. Build-time only, not hot. */
function affineAdd(P, Q, c) {
  if (P === null) return Q
  if (Q === null) return P
  const { p } = c
  let l
  if (P[0] === Q[0]) {
    if (mod(P[1] + Q[1], p) === 0n) return null
    l = mod((3n * P[0] * P[0] - 3n) * inv(2n * P[1], p), p)
  } else {
    l = mod((Q[1] - P[1]) * inv(Q[0] - P[0], p), p)
  }
  const x = mod(l * l - P[0] - Q[0], p)
  return [x, mod(l * (P[0] - x) - P[1], p)]
}

/** Odd multiples 1G, 3G, ..., (2^(W_G-1) - 1)G as affine points. */
export function generatorTable(c) {
  const G = [c.gx, c.gy]
  const G2 = affineAdd(G, G, c)
  const out = [G]
  for (let i = 1; i < 1 << (W_G - 2); i++) out.push(affineAdd(out[i - 1], G2, c))
  return out
}

const hex = (v) => '0x' + v.toString(16).padStart(8, '0')
const dataOf = (words) =>
  `memory.data<u32>([\n  ${words
    .map(hex)
    .join(', ')
    .replace(/((?:0x[0-9a-f]{8}, ){8})/g, '$1\n  ')}\n])`

/** Base-2^bits digits of x, least significant first. */
function digitsOf(x, n, bits) {
  const out = []
  const mask = (1n << BigInt(bits)) - 1n
  for (let i = 0; i < n; i++) out.push(Number((x >> BigInt(bits * i)) & mask))
  return out
}

/**
 * Emits `name(o, a, b)` = a*b*R^-1 mod m (or a^2 R^-1 when `square`), R = 2^(bits*N), operands
 * N limbs of `bits` bits (stored one per u32, least significant first), inputs < m, output fully
 * reduced. Limbs are narrower than the 32-bit word on purpose: products then leave headroom in a
 * u64, so every column of the schoolbook product and of the Montgomery reduction is summed with no
 * carry handling at all (at most 2N products of < 2^(2 bits) plus one carry per column; the
 * generator checks that this stays below 2^64), and carries are propagated once per column.
 * That removes the serial carry chain that bounds 32-bit-limb code.
 */
function emitMontMul(name, m, N, bits, square) {
  const MB = 2 ** bits - 1
  const mw = digitsOf(m, N, bits)
  const n0 = montNegInv(m, bits)
  if ((2n * BigInt(N) + 1n) * (1n << BigInt(2 * bits)) >= 1n << 64n)
    throw new Error('limb overflow')
  const L = []
  const args = square ? 'o: usize, a: usize' : 'o: usize, a: usize, b: usize'
  L.push(`export function ${name}(${args}): void {`)
  for (let i = 0; i < N; i++) L.push(`  const a${i}: u64 = load<u32>(a, ${4 * i})`)
  if (square) for (let i = 1; i < N; i++) L.push(`  const d${i}: u64 = a${i} << 1`)
  else for (let i = 0; i < N; i++) L.push(`  const b${i}: u64 = load<u32>(b, ${4 * i})`)
  for (let k = 0; k < 2 * N - 1; k++) {
    const terms = []
    for (let i = Math.max(0, k - N + 1); i <= Math.min(k, N - 1); i++) {
      const j = k - i
      if (!square) terms.push(`a${i} * b${j}`)
      else if (i < j) terms.push(`a${i} * d${j}`)
      else if (i === j) terms.push(`a${i} * a${i}`)
    }
    L.push(`  let t${k}: u64 = ${terms.join(' + ')}`)
  }
  L.push(`  let t${2 * N - 1}: u64 = 0`)
  // Reduction: row i picks m_i so that column i becomes a multiple of 2^bits, then moves on.
  L.push('  let v: u64 = 0, m: u64 = 0, c: u64 = 0')
  for (let i = 0; i < N; i++) {
    L.push(i === 0 ? '  v = t0' : `  v = t${i} + c`)
    L.push(n0 === 1 ? `  m = v & ${MB}` : `  m = (v * ${n0}) & ${MB}`)
    if (n0 === 1 && mw[0] === MB) {
      // v + m (2^bits - 1) = (v - m) + m 2^bits, and v - m is v with its low bits cleared.
      L.push(`  c = (v >> ${bits}) + m`)
    } else {
      L.push(`  c = (v + m * ${mw[0]}) >> ${bits}`)
    }
    for (let j = 1; j < N; j++) {
      if (mw[j] === 0) continue
      L.push(mw[j] === 1 ? `  t${i + j} += m` : `  t${i + j} += m * ${hex(mw[j])}`)
    }
  }
  // The upper half plus the last carry is the result (< 2m < 2^(bits N)): normalise it.
  for (let k = 0; k < N; k++) {
    L.push(`  v = t${N + k} + c; const r${k} = v & ${MB}; c = v >> ${bits}`)
  }
  emitFinalSubtract(L, mw, N, bits, (k) => `r${k}`)
  L.push('}')
  return L.join('\n')
}

/** Stores value (normalised limbs `limb(k)`) or value - m, whichever is in [0, m); value < 2m. */
function emitFinalSubtract(L, mw, N, bits, limb) {
  const MB = 2 ** bits - 1
  L.push('  let s: i64 = 0, bw: i64 = 0')
  for (let k = 0; k < N; k++) {
    L.push(`  s = <i64>${limb(k)} - ${mw[k]} + bw; const e${k} = s & ${MB}; bw = s >> ${bits}`)
  }
  L.push('  if (bw == 0) {')
  for (let k = 0; k < N; k++) L.push(`    store<u32>(o, <u32>e${k}, ${4 * k})`)
  L.push('  } else {')
  for (let k = 0; k < N; k++) L.push(`    store<u32>(o, <u32>${limb(k)}, ${4 * k})`)
  L.push('  }')
}

/** `name(o, a, b)` = a + b mod m for a, b < m. */
function emitAdd(name, m, N, bits) {
  const MB = 2 ** bits - 1
  const mw = digitsOf(m, N, bits)
  const L = [
    `export function ${name}(o: usize, a: usize, b: usize): void {`,
    '  let v: u64 = 0, c: u64 = 0',
  ]
  for (let k = 0; k < N; k++) {
    L.push(
      `  v = <u64>load<u32>(a, ${4 * k}) + <u64>load<u32>(b, ${4 * k}) + c; const r${k} = v & ${MB}; c = v >> ${bits}`,
    )
  }
  emitFinalSubtract(L, mw, N, bits, (k) => `r${k}`)
  L.push('}')
  return L.join('\n')
}

/** `name(o, a, b)` = a - b mod m for a, b < m. */
function emitSub(name, m, N, bits) {
  const MB = 2 ** bits - 1
  const mw = digitsOf(m, N, bits)
  const L = [
    `export function ${name}(o: usize, a: usize, b: usize): void {`,
    '  let s: i64 = 0, bw: i64 = 0',
  ]
  for (let k = 0; k < N; k++) {
    L.push(
      `  s = <i64>load<u32>(a, ${4 * k}) - <i64>load<u32>(b, ${4 * k}) + bw; const d${k} = s & ${MB}; bw = s >> ${bits}`,
    )
  }
  L.push('  if (bw == 0) {')
  for (let k = 0; k < N; k++) L.push(`    store<u32>(o, <u32>d${k}, ${4 * k})`)
  L.push('    return')
  L.push('  }')
  L.push('  let v: u64 = 0, c: u64 = 0')
  for (let k = 0; k < N; k++) {
    L.push(
      `  v = <u64>d${k} + ${mw[k]} + c; store<u32>(o, <u32>(v & ${MB}), ${4 * k}); c = v >> ${bits}`,
    )
  }
  L.push('}')
  return L.join('\n')
}

/** The AssemblyScript module for one curve. */
export function generateCurveModule(c) {
  const { limbs: N, bits, words: NW } = c
  const R = 1n << BigInt(bits * N)
  const L = (v) => digitsOf(v, N, bits)
  const Wd = (v) => digitsOf(v, NW, 32)
  const toMont = (v) => L(mod(v * R, c.p))
  const table = generatorTable(c)
  const g = []
  for (const [x, y] of table) g.push(...toMont(x), ...toMont(y))
  const out = [
    `// GENERATED by wasm/ecdsa/gen-curves.mjs for ${c.id}; do not edit.`,
    `// "Words": ${NW} x 32 bits, for I/O, range checks and recoding. "Limbs": ${N} x ${bits} bits, one`,
    `// per u32, for arithmetic; Mont values are v * 2^${bits * N} mod p (or mod n).`,
    '',
    `export const WORDS: i32 = ${NW}`,
    `export const LIMBS: i32 = ${N}`,
    `export const LIMB_BITS: i32 = ${bits}`,
    `export const P_WORDS: usize = ${dataOf(Wd(c.p))}`,
    `export const N_WORDS: usize = ${dataOf(Wd(c.n))}`,
    `export const N_MINUS_2_WORDS: usize = ${dataOf(Wd(c.n - 2n))}`,
    `export const B_MONT: usize = ${dataOf(toMont(c.b))}`,
    `export const ONE_MONT: usize = ${dataOf(L(R % c.p))}`,
    `export const R2_P: usize = ${dataOf(L((R * R) % c.p))}`,
    `export const R2_N: usize = ${dataOf(L((R * R) % c.n))}`,
    `/** ${table.length} odd multiples of G, affine, Montgomery limbs: x then y. */`,
    `export const G_TABLE: usize = ${dataOf(g)}`,
    '',
    emitMontMul('fpMul', c.p, N, bits, false),
    emitMontMul('fpSqr', c.p, N, bits, true),
    emitAdd('fpAdd', c.p, N, bits),
    emitSub('fpSub', c.p, N, bits),
    emitMontMul('fnMul', c.n, N, bits, false),
    emitMontMul('fnSqr', c.n, N, bits, true),
    '',
  ]
  return out.join('\n')
}

/** The shared constants module (window sizes), so the kernel and the tables cannot disagree. */
export function generateConfigModule() {
  return [
    '// GENERATED by wasm/ecdsa/gen-curves.mjs; do not edit.',
    `export const W_G: i32 = ${W_G}`,
    '',
  ].join('\n')
}
