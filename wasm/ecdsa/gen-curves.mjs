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
 * Montgomery multiplication (Montgomery 1985) in product-scanning form with the reduction folded
 * into each column (Koc, Acar, Kaliski 1996, "FIPS"), here with carry-free column sums; for p the
 * reduction uses the primes' sparse signed form (FIPS 186-5 Appendix / SP 800-186 §3.2.1: sums of
 * a few powers of two) as shifts instead of products.
 */

/** Window of the generator's wNAF; the table holds 2^(W_G-2) odd multiples (affine). */
export const W_G = 8

/**
 * `split`, per curve: the parts a scalar is split into on the cached path (wasm/ecdsa/key-cache.ts),
 * u = sum u_j 2^(j h) with h = bits / split a whole number of words, so the build adds the tables
 * of 2^(j h) G for 0 < j < split. More parts: fewer doublings, a few more additions, a larger
 * table per key. P-256 (the AKs' curve, where WebCrypto is fast) takes 8, P-384 4.
 */
export const CURVES = [
  {
    id: 'p256',
    words: 8,
    split: 8,
    limbs: 9,
    bits: 29,
    pSparse: [
      [-1, 0],
      [1, 96],
      [1, 192],
      [-1, 224],
      [1, 256],
    ],
    p: 0xffffffff00000001000000000000000000000000ffffffffffffffffffffffffn,
    n: 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n,
    b: 0x5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604bn,
    gx: 0x6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296n,
    gy: 0x4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5n,
  },
  {
    id: 'p384',
    words: 12,
    split: 4,
    limbs: 14,
    bits: 28,
    pSparse: [
      [-1, 0],
      [1, 32],
      [-1, 96],
      [-1, 128],
      [1, 384],
    ],
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

/**
 * Odd multiples 1P, 3P, ..., (2^(W_G-1) - 1)P as affine points, for P = 2^shift G: shift 0 is the
 * generator's table, shifts j * 32 * words / split the tables of the cached path's parts
 * (wasm/ecdsa/key-cache.ts).
 */
export function generatorTable(c, shift = 0) {
  let G = [c.gx, c.gy]
  if (mod(c.gy * c.gy - (c.gx * c.gx * c.gx - 3n * c.gx + c.b), c.p) !== 0n) {
    throw new Error(`${c.id}: G is not on the curve`)
  }
  for (let i = 0; i < shift; i++) G = affineAdd(G, G, c)
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

/** Loads limbs 0..N-1 of `ptr` into `type` locals `name0..`, two limbs per 64-bit access. */
function emitLoadLimbs(L, name, ptr, N, type = 'u64') {
  for (let i = 0; i + 1 < N; i += 2) {
    L.push(`  const ${name}${i}${i + 1}: ${type} = load<${type}>(${ptr}, ${4 * i})`)
    L.push(`  const ${name}${i}: ${type} = ${name}${i}${i + 1} & 0xffffffff`)
    L.push(`  const ${name}${i + 1}: ${type} = ${name}${i}${i + 1} >>> 32`)
  }
  if (N % 2) L.push(`  const ${name}${N - 1}: ${type} = load<u32>(${ptr}, ${4 * (N - 1)})`)
}

/** Stores limbs given by `limb(k)` (u64/i64 expressions < 2^32) to `o`, two per access. */
function emitStoreLimbs(L, N, limb, indent = '    ') {
  for (let k = 0; k + 1 < N; k += 2) {
    L.push(`${indent}store<u64>(o, <u64>${limb(k)} | (<u64>${limb(k + 1)} << 32), ${4 * k})`)
  }
  if (N % 2) L.push(`${indent}store<u32>(o, <u32>${limb(N - 1)}, ${4 * (N - 1)})`)
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
function emitMontMul(name, m, N, bits, square, sparse) {
  if (sparse) return emitMontMulSparse(name, m, N, bits, square, sparse)
  const MB = 2 ** bits - 1
  const mw = digitsOf(m, N, bits)
  const n0 = montNegInv(m, bits)
  if ((2n * BigInt(N) + 1n) * (1n << BigInt(2 * bits)) >= 1n << 64n) {
    throw new Error('limb overflow')
  }
  const L = []
  const args = square ? 'o: usize, a: usize' : 'o: usize, a: usize, b: usize'
  L.push(`export function ${name}(${args}): void {`)
  emitLoadLimbs(L, 'a', 'a', N)
  if (square) for (let i = 1; i < N; i++) L.push(`  const d${i}: u64 = a${i} << 1`)
  else emitLoadLimbs(L, 'b', 'b', N)
  L.push('  let acc: u64 = 0')
  // Column k of the product plus column k of sum(m_i p 2^(bits i)); m_k is chosen in column k so
  // that the column becomes a multiple of 2^bits, and the next column takes the rest.
  for (let k = 0; k < 2 * N - 1; k++) {
    const terms = []
    for (let i = Math.max(0, k - N + 1); i <= Math.min(k, N - 1); i++) {
      const j = k - i
      if (!square) terms.push(`a${i} * b${j}`)
      else if (i < j) terms.push(`a${i} * d${j}`)
      else if (i === j) terms.push(`a${i} * a${i}`)
    }
    for (let i = Math.max(0, k - N + 1); i <= Math.min(k - 1, N - 1); i++) {
      const pj = mw[k - i]
      if (pj === 0) continue
      terms.push(pj === 1 ? `m${i}` : `m${i} * ${hex(pj)}`)
    }
    L.push(`  acc += ${terms.join(' + ')}`)
    if (k < N) {
      L.push(
        n0 === 1
          ? `  const m${k}: u64 = acc & ${MB}`
          : `  const m${k}: u64 = (acc * ${n0}) & ${MB}`,
      )
      if (n0 === 1 && mw[0] === MB) {
        // acc + m (2^bits - 1) = (acc - m) + m 2^bits, and acc - m is acc with its low bits cleared.
        L.push(`  acc = (acc >> ${bits}) + m${k}`)
      } else {
        L.push(`  acc = (acc + m${k} * ${mw[0]}) >> ${bits}`)
      }
    } else {
      L.push(`  const r${k - N}: u64 = acc & ${MB}`)
      L.push(`  acc >>= ${bits}`)
    }
  }
  // The result is below 2m < 2^(bits N), so the last carry is its top limb.
  L.push(`  const r${N - 1}: u64 = acc`)
  emitFinalSubtract(L, mw, N, bits, (k) => `r${k}`)
  L.push('}')
  return L.join('\n')
}

/**
 * The same Montgomery product for a modulus given as a short signed sum of powers of two,
 * m = -1 + sum(+-2^e) (the NIST primes: P-256 = 2^256 - 2^224 + 2^192 + 2^96 - 1, P-384 =
 * 2^384 - 2^128 - 2^96 + 2^32 - 1). Then -m^-1 = 1 mod 2^bits, m_k is the column's low limb, and
 * each reduction row adds a handful of shifted copies of m_k instead of N products: in limb units
 * 2^e sits in column floor(e / bits) with shift e mod bits. Columns are signed (i64) because
 * of the negative terms; arithmetic shifts carry borrows along.
 */
function emitMontMulSparse(name, m, N, bits, square, sparse) {
  const MB = 2 ** bits - 1
  const mw = digitsOf(m, N, bits)
  const sum = sparse.reduce((acc, [sign, e]) => acc + BigInt(sign) * (1n << BigInt(e)), 0n)
  const terms = sparse.map(([sign, e]) => ({ sign, col: Math.floor(e / bits), shift: e % bits }))
  if (sum !== m || !sparse.some(([sign, e]) => sign === -1 && e === 0)) {
    throw new Error('sparse form does not match the modulus')
  }
  if (terms.some((t) => t.col >= N) || (2n * BigInt(N) + 1n) << BigInt(2 * bits) >= 1n << 63n) {
    throw new Error('limb overflow')
  }
  const L = []
  const args = square ? 'o: usize, a: usize' : 'o: usize, a: usize, b: usize'
  L.push(`export function ${name}(${args}): void {`)
  emitLoadLimbs(L, 'a', 'a', N, 'i64')
  if (square) for (let i = 1; i < N; i++) L.push(`  const d${i}: i64 = a${i} << 1`)
  else emitLoadLimbs(L, 'b', 'b', N, 'i64')
  L.push('  let acc: i64 = 0')
  for (let k = 0; k < 2 * N - 1; k++) {
    const parts = []
    for (let i = Math.max(0, k - N + 1); i <= Math.min(k, N - 1); i++) {
      const j = k - i
      if (!square) parts.push(`+ a${i} * b${j}`)
      else if (i < j) parts.push(`+ a${i} * d${j}`)
      else if (i === j) parts.push(`+ a${i} * a${i}`)
    }
    for (const t of terms) {
      const i = k - t.col
      if (t.col === 0 || i < 0 || i >= N || i >= k) continue
      const v = t.shift === 0 ? `m${i}` : `(m${i} << ${t.shift})`
      parts.push(`${t.sign < 0 ? '-' : '+'} ${v}`)
    }
    L.push(`  acc = acc ${parts.join(' ')}`)
    if (k < N) {
      // The -1 term: acc - m_k has its low limb cleared, so the shift is exact.
      L.push(`  const m${k}: i64 = acc & ${MB}`)
      L.push(`  acc = (acc - m${k}) >> ${bits}`)
    } else {
      L.push(`  const r${k - N}: i64 = acc & ${MB}`)
      L.push(`  acc >>= ${bits}`)
    }
  }
  L.push(`  const r${N - 1}: i64 = acc`)
  // No final subtraction: with inputs below 2m the result is below m + 4m^2/R < 2m, which is all
  // the other routines ask of their inputs (fpCanon reduces fully where equality matters).
  emitStoreLimbs(L, N, (k) => `r${k}`, '  ')
  L.push('}')
  return L.join('\n')
}

/** Stores value (normalised limbs `limb(k)`) or value - m, whichever is in [0, m); value < 2m. */
function emitFinalSubtract(L, mw, N, bits, limb) {
  const MB = 2 ** bits - 1
  L.push('  let z: i64 = 0, zb: i64 = 0')
  for (let k = 0; k < N; k++) {
    L.push(`  z = <i64>${limb(k)} - ${mw[k]} + zb; const e${k} = z & ${MB}; zb = z >> ${bits}`)
  }
  L.push('  if (zb == 0) {')
  emitStoreLimbs(L, N, (k) => `e${k}`)
  L.push('  } else {')
  emitStoreLimbs(L, N, limb)
  L.push('  }')
}

/**
 * `name(o, a, b)` = a + b mod m, inputs and output in [0, 2m) (see emitMontMulSparse): a + b - 2m
 * in one signed carry chain, and a second chain adding 2m back only when that went negative.
 */
function emitAdd(name, m, N, bits) {
  const MB = 2 ** bits - 1
  const mw = digitsOf(2n * m, N, bits)
  const L = [
    `export function ${name}(o: usize, a: usize, b: usize): void {`,
    '  let s: i64 = 0, c: i64 = 0',
  ]
  emitLoadLimbs(L, 'a', 'a', N)
  emitLoadLimbs(L, 'b', 'b', N)
  for (let k = 0; k < N; k++) {
    L.push(
      `  s = <i64>a${k} + <i64>b${k} - ${mw[k]} + c; const d${k} = s & ${MB}; c = s >> ${bits}`,
    )
  }
  emitStoreOrAddBack(L, mw, N, bits)
  L.push('}')
  return L.join('\n')
}

/** After a signed chain left limbs d_k and final carry c (0 or -1): store d, or d + mw if c < 0. */
function emitStoreOrAddBack(L, mw, N, bits) {
  const MB = 2 ** bits - 1
  L.push('  if (c == 0) {')
  emitStoreLimbs(L, N, (k) => `d${k}`)
  L.push('    return')
  L.push('  }')
  L.push('  let v: u64 = 0, u: u64 = 0')
  for (let k = 0; k < N; k++) {
    L.push(`  v = <u64>d${k} + ${mw[k]} + u; const f${k} = v & ${MB}; u = v >> ${bits}`)
  }
  emitStoreLimbs(L, N, (k) => `f${k}`, '  ')
}

/**
 * `name(o, a, k)` = k a mod m, fully reduced, for a < 2m and 1 <= k <= 8 (the 3, 4 and 8 of the
 * doubling formula): k a < 16m fits the limbs; subtracting q m with q = floor(k a / 2^bitlen(m))
 * leaves less than 2m, because 2^bitlen(m) - m is tiny for these moduli; one conditional
 * subtraction finishes.
 */
function emitMulSmall(name, m, N, bits) {
  const MB = 2 ** bits - 1
  const mw = digitsOf(m, N, bits)
  const mbits = m.toString(2).length
  const gap = (1n << BigInt(mbits)) - m
  if (mbits + 4 > bits * N || 17n * gap > 1n << BigInt(mbits)) throw new Error('mulSmall bound')
  const L = [
    `export function ${name}(o: usize, a: usize, k: u64): void {`,
    '  let v: u64 = 0, u: u64 = 0',
  ]
  emitLoadLimbs(L, 'a', 'a', N)
  for (let j = 0; j < N; j++) {
    L.push(`  v = a${j} * k + u; const r${j} = v & ${MB}; u = v >> ${bits}`)
  }
  L.push(`  const q = <i64>(r${N - 1} >> ${mbits - bits * (N - 1)})`)
  L.push('  let s: i64 = 0, c: i64 = 0')
  for (let j = 0; j < N; j++) {
    const term = mw[j] === 0 ? '' : mw[j] === 1 ? ' - q' : ` - q * ${mw[j]}`
    L.push(`  s = <i64>r${j}${term} + c; const t${j} = s & ${MB}; c = s >> ${bits}`)
  }
  emitFinalSubtract(L, mw, N, bits, (j) => `t${j}`)
  L.push('}')
  return L.join('\n')
}

/** `name(o, a)` = a mod m for a < 2m: the one place values mod p become canonical. */
function emitCanon(name, m, N, bits) {
  const mw = digitsOf(m, N, bits)
  const L = [`export function ${name}(o: usize, a: usize): void {`]
  emitLoadLimbs(L, 'a', 'a', N)
  emitFinalSubtract(L, mw, N, bits, (k) => `a${k}`)
  L.push('}')
  return L.join('\n')
}

/** `name(o, a, b)` = a - b mod m, inputs and output in [0, 2m): 2m is added back on a borrow. */
function emitSub(name, m, N, bits) {
  const MB = 2 ** bits - 1
  const mw = digitsOf(2n * m, N, bits)
  const L = [
    `export function ${name}(o: usize, a: usize, b: usize): void {`,
    '  let s: i64 = 0, c: i64 = 0',
  ]
  emitLoadLimbs(L, 'a', 'a', N)
  emitLoadLimbs(L, 'b', 'b', N)
  for (let k = 0; k < N; k++) {
    L.push(`  s = <i64>a${k} - <i64>b${k} + c; const d${k} = s & ${MB}; c = s >> ${bits}`)
  }
  emitStoreOrAddBack(L, mw, N, bits)
  L.push('}')
  return L.join('\n')
}

/** The AssemblyScript module for one curve. */
export function generateCurveModule(c) {
  const { limbs: N, bits, words: NW, split } = c
  const R = 1n << BigInt(bits * N)
  const L = (v) => digitsOf(v, N, bits)
  const Wd = (v) => digitsOf(v, NW, 32)
  const toMont = (v) => L(mod(v * R, c.p))
  // The generator's table, then the tables of 2^(j h) G, back to back (one stride apart).
  if (NW % split) throw new Error(`${c.id}: ${NW} words do not split into ${split} parts`)
  const h = (32 * NW) / split
  const g = []
  for (let j = 0; j < split; j++) {
    for (const [x, y] of generatorTable(c, j * h)) g.push(...toMont(x), ...toMont(y))
  }
  const out = [
    `// GENERATED by wasm/ecdsa/gen-curves.mjs for ${c.id}; do not edit.`,
    `// "Words": ${NW} x 32 bits, for I/O, range checks and recoding. "Limbs": ${N} x ${bits} bits, one`,
    `// per u32, for arithmetic; Mont values are v * 2^${bits * N} mod p (or mod n).`,
    '',
    `export const WORDS: i32 = ${NW}`,
    `export const LIMBS: i32 = ${N}`,
    `export const LIMB_BITS: i32 = ${bits}`,
    `export const SPLIT: i32 = ${split}`,
    `export const P_WORDS: usize = ${dataOf(Wd(c.p))}`,
    `export const N_WORDS: usize = ${dataOf(Wd(c.n))}`,
    `export const N_LIMBS: usize = ${dataOf(L(c.n))}`,
    `/** n^-1 mod 2^${bits} (scalar-inverse.ts). */`,
    `export const N_INV_LIMB: i64 = ${(1 << bits) - montNegInv(c.n, bits)}`,
    `export const B_MONT: usize = ${dataOf(toMont(c.b))}`,
    `export const ONE_MONT: usize = ${dataOf(L(R % c.p))}`,
    `export const R2_P: usize = ${dataOf(L((R * R) % c.p))}`,
    `export const R2_N: usize = ${dataOf(L((R * R) % c.n))}`,
    `/** ${1 << (W_G - 2)} odd multiples of G, affine, Montgomery limbs: x then y; then the same`,
    ` * for 2^${h} G, ... 2^${h * (split - 1)} G (the parts of a split scalar). */`,
    `export const G_TABLE: usize = ${dataOf(g)}`,
    `export const P_MINUS_2_WORDS: usize = ${dataOf(Wd(c.p - 2n))}`,
    '',
    emitMontMul('fpMul', c.p, N, bits, false, c.pSparse),
    emitMontMul('fpSqr', c.p, N, bits, true, c.pSparse),
    emitAdd('fpAdd', c.p, N, bits),
    emitSub('fpSub', c.p, N, bits),
    emitMulSmall('fpMulSmall', c.p, N, bits),
    emitCanon('fpCanon', c.p, N, bits),
    emitMontMul('fnMul', c.n, N, bits, false),
    '',
  ]
  return out.join('\n')
}

/** The shared constants module (window sizes), so the kernel and the tables cannot disagree. */
export function generateConfigModule() {
  return [
    '// GENERATED by wasm/ecdsa/gen-curves.mjs; do not edit.',
    `export const W_G: i32 = ${W_G}`,
    `export const MAX_SPLIT: i32 = ${Math.max(...CURVES.map((c) => c.split))}`,
    '',
  ].join('\n')
}
