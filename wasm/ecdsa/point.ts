/**
 * Jacobian point arithmetic on y^2 = x^3 - 3x + b: (X, Y, Z) stands for (X/Z^2, Y/Z^3), Z = 0 is
 * the point at infinity. A point is three field elements at a stride of FE bytes, Montgomery form.
 * Every exceptional case is handled (either input at infinity, P + P, P + (-P)), because the
 * double-scalar multiplication meets them on adversarial inputs.
 * Leaves out curves with a != -3 and constant time (inputs are public).
 * Follows: the Explicit-Formulas Database, dbl-2001-b, add-2007-bl and madd-2007-bl
 * (hyperelliptic.org/EFD/g1p/auto-shortw-jacobian-3.html), with their Z3 = (A + B)^2 - A^2 - B^2
 * terms computed as the product 2AB they stand for (cheaper in this kernel, where a square costs
 * 80% of a product and an addition a quarter of one); SEC 1 v2 §2.2.1 for the group law.
 */
import { FE, ONE_MONT, copy, fIsZero, fadd, fmul, fmulSmall, fsqr, fsub, setZero } from './field'

export const PT: usize = 3 * FE

const ZERO: usize = memory.data(<i32>FE, 16)
const t1: usize = memory.data(<i32>FE, 16)
const t2: usize = memory.data(<i32>FE, 16)
const t3: usize = memory.data(<i32>FE, 16)
const t4: usize = memory.data(<i32>FE, 16)
const t5: usize = memory.data(<i32>FE, 16)
const t6: usize = memory.data(<i32>FE, 16)
const t7: usize = memory.data(<i32>FE, 16)

export function X(p: usize): usize {
  return p
}
export function Y(p: usize): usize {
  return p + FE
}
export function Z(p: usize): usize {
  return p + 2 * FE
}

export function isInfinity(p: usize): bool {
  return fIsZero(Z(p))
}

export function setInfinity(o: usize): void {
  setZero(X(o))
  setZero(Y(o))
  setZero(Z(o))
}

export function copyPoint(o: usize, p: usize): void {
  if (o == p) return
  copy(X(o), X(p))
  copy(Y(o), Y(p))
  copy(Z(o), Z(p))
}

/** o = -p (o may be p). */
export function negatePoint(o: usize, p: usize): void {
  copyPoint(o, p)
  fsub(Y(o), ZERO, Y(p))
}

/** o = 2p; o may alias p. 4M + 4S. */
export function pointDouble(o: usize, p: usize): void {
  const delta = t1
  const gamma = t2
  const beta = t3
  const alpha = t4
  fsqr(delta, Z(p))
  fsqr(gamma, Y(p))
  fmul(beta, X(p), gamma)
  // alpha = 3 (X - delta)(X + delta): the a = -3 shortcut for 3X^2 + a Z^4.
  fsub(t5, X(p), delta)
  fadd(t6, X(p), delta)
  fmul(t5, t5, t6)
  fmulSmall(alpha, t5, 3)
  // Z3 = 2YZ (a product is cheaper here than (Y + Z)^2 - gamma - delta); last read of Y, Z.
  fmul(t5, Y(p), Z(p))
  fadd(Z(o), t5, t5)
  // X3 = alpha^2 - 8 beta
  fmulSmall(beta, beta, 4)
  fsqr(t5, alpha)
  fadd(t6, beta, beta)
  fsub(X(o), t5, t6)
  // Y3 = alpha (4 beta - X3) - 8 gamma^2
  fsub(t5, beta, X(o))
  fmul(t5, alpha, t5)
  fsqr(t6, gamma)
  fmulSmall(t6, t6, 8)
  fsub(Y(o), t5, t6)
}

/** o = p + q (or p - q when `negQ`), both Jacobian; o may alias p or q. 12M + 4S. */
export function pointAdd(o: usize, p: usize, q: usize, negQ: bool): void {
  if (isInfinity(q)) {
    copyPoint(o, p)
    return
  }
  if (isInfinity(p)) {
    if (negQ) negatePoint(o, q)
    else copyPoint(o, q)
    return
  }
  const z1z1 = t1
  const z2z2 = t2
  const u1 = t3
  const s1 = t4
  const h = t5
  const r = t6
  fsqr(z1z1, Z(p))
  fsqr(z2z2, Z(q))
  fmul(u1, X(p), z2z2)
  fmul(h, X(q), z1z1)
  fsub(h, h, u1)
  fmul(s1, Y(p), Z(q))
  fmul(s1, s1, z2z2)
  fmul(r, Y(q), Z(p))
  fmul(r, r, z1z1)
  if (negQ) fsub(r, ZERO, r)
  fsub(r, r, s1)
  if (fIsZero(h)) {
    // Same x: p == q (double) or p == -q (infinity).
    if (fIsZero(r)) pointDouble(o, p)
    else setInfinity(o)
    return
  }
  // Z3 = 2 Z1 Z2 H, done first: o may alias p or q.
  fmul(t7, Z(p), Z(q))
  fadd(t7, t7, t7)
  fmul(Z(o), t7, h)
  const i = t1 // I = (2H)^2
  const j = t2 // J = H I
  fadd(i, h, h)
  fsqr(i, i)
  fmul(j, h, i)
  fadd(r, r, r)
  const v = t5 // V = U1 I (h is dead)
  fmul(v, u1, i)
  // X3 = r^2 - J - 2V
  fsqr(t7, r)
  fsub(t7, t7, j)
  fsub(t7, t7, v)
  fsub(X(o), t7, v)
  // Y3 = r (V - X3) - 2 S1 J
  fsub(t7, v, X(o))
  fmul(t7, r, t7)
  fmul(s1, s1, j)
  fadd(s1, s1, s1)
  fsub(Y(o), t7, s1)
}

/**
 * o = p + (qx, qy) (or p - (qx, qy) when `negQ`), the second point affine; o may alias p.
 * 8M + 3S.
 */
export function pointAddAffine(o: usize, p: usize, qx: usize, qy: usize, negQ: bool): void {
  if (isInfinity(p)) {
    copy(X(o), qx)
    if (negQ) fsub(Y(o), ZERO, qy)
    else copy(Y(o), qy)
    copy(Z(o), ONE_MONT)
    return
  }
  const z1z1 = t1
  const h = t2
  const r = t3
  fsqr(z1z1, Z(p))
  fmul(h, qx, z1z1)
  fsub(h, h, X(p))
  fmul(r, qy, Z(p))
  fmul(r, r, z1z1)
  if (negQ) fsub(r, ZERO, r)
  fsub(r, r, Y(p))
  if (fIsZero(h)) {
    if (fIsZero(r)) pointDouble(o, p)
    else setInfinity(o)
    return
  }
  const hh = t4
  fsqr(hh, h)
  // Z3 = 2 Z1 H, first: o may alias p.
  fmul(t5, Z(p), h)
  fadd(Z(o), t5, t5)
  const i = t1 // I = 4 HH (z1z1 is dead)
  fmulSmall(i, hh, 4)
  const j = t4 // J = H I
  fmul(j, h, i)
  fadd(r, r, r)
  const v = t5 // V = X1 I
  fmul(v, X(p), i)
  // Y1 J before X(o) is written (o may alias p).
  const y1j = t6
  fmul(y1j, Y(p), j)
  fadd(y1j, y1j, y1j)
  // X3 = r^2 - J - 2V
  fsqr(t7, r)
  fsub(t7, t7, j)
  fsub(t7, t7, v)
  fsub(X(o), t7, v)
  // Y3 = r (V - X3) - 2 Y1 J
  fsub(t7, v, X(o))
  fmul(t7, r, t7)
  fsub(Y(o), t7, y1j)
}
