/**
 * RFC 9162 §2.1 written out as literally as the text reads, recursion and all:
 * MTH, PATH and PROOF over a list of leaves. Deliberately naive (it rehashes
 * whole subtrees at every step) so it can serve as the oracle for the fast,
 * iterative implementation in src/core/audit.
 */
import { createHash } from 'node:crypto'

const H = (...parts: Uint8Array[]): Uint8Array => {
  const h = createHash('sha256')
  for (const p of parts) h.update(p)
  return new Uint8Array(h.digest())
}

const k = (n: number): number => { let x = 1; while (x * 2 < n) x *= 2; return x }

/** MTH(D[n]). */
export function mth (d: readonly Uint8Array[]): Uint8Array {
  if (d.length === 0) return H()
  if (d.length === 1) return H(Uint8Array.of(0), d[0])
  const split = k(d.length)
  return H(Uint8Array.of(1), mth(d.slice(0, split)), mth(d.slice(split)))
}

/** PATH(m, D[n]). */
export function path (m: number, d: readonly Uint8Array[]): Uint8Array[] {
  if (d.length === 1) return []
  const split = k(d.length)
  if (m < split) return [...path(m, d.slice(0, split)), mth(d.slice(split))]
  return [...path(m - split, d.slice(split)), mth(d.slice(0, split))]
}

function subproof (m: number, d: readonly Uint8Array[], b: boolean): Uint8Array[] {
  if (m === d.length) return b ? [] : [mth(d)]
  const split = k(d.length)
  if (m <= split) return [...subproof(m, d.slice(0, split), b), mth(d.slice(split))]
  return [...subproof(m - split, d.slice(split), false), mth(d.slice(0, split))]
}

/** PROOF(m, D[n]). */
export function proof (m: number, d: readonly Uint8Array[]): Uint8Array[] {
  return subproof(m, d, true)
}
