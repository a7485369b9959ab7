/**
 * RFC 9162 §2.1.1 hashing with SHA-256: a leaf is `H(0x00 ‖ leaf)`, an
 * interior node `H(0x01 ‖ left ‖ right)`, the empty tree `H()`. The prefixes
 * keep a leaf from ever being read as a node (second-preimage resistance).
 */
import { sha256 } from '@noble/hashes/sha2.js'
import { toString } from 'uint8arrays'
import { HASH_BYTES } from './constants.ts'

const LEAF_PREFIX = 0x00
const NODE_PREFIX = 0x01

/** The hash of one leaf: H(0x00 ‖ leaf). */
export function hashLeaf (leaf: Uint8Array): Uint8Array {
  const input = new Uint8Array(1 + leaf.length)
  input[0] = LEAF_PREFIX
  input.set(leaf, 1)
  return sha256(input)
}

/** The hash of an interior node: H(0x01 ‖ left ‖ right). */
export function hashChildren (left: Uint8Array, right: Uint8Array): Uint8Array {
  const input = new Uint8Array(1 + 2 * HASH_BYTES)
  input[0] = NODE_PREFIX
  input.set(left, 1)
  input.set(right, 1 + HASH_BYTES)
  return sha256(input)
}

/** MTH({}) = H(): the root of the empty tree. */
export function emptyRoot (): Uint8Array {
  return sha256(new Uint8Array(0))
}

/** Byte equality (not constant-time: every value compared here is public). */
export function equalBytes (a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}

/** Lowercase hex of a hash, for keys, JSON and messages. */
export function toHex (bytes: Uint8Array): string {
  return toString(bytes, 'base16')
}
