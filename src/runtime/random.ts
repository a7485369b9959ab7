/**
 * The randomness component: envelope ids and other non-secret random values
 * come from it, so the sim can pass a seeded one and the same seed gives the
 * same envelopes. Secrets (keys, the API token) always come from the system's
 * CSPRNG and never from this component.
 *
 * `fork(label)` gives an independent stream per use (per data class, say), so
 * the number of values one use draws never shifts another's: the sim's load
 * envelopes keep their ids whatever timer-driven messages a node also sends.
 */
import { createHmac, randomBytes } from 'node:crypto'
import { assert } from '../core/errors.ts'

/** A source of random bytes. */
export interface Random {
  bytes: (length: number) => Uint8Array
  /** an independent stream for one use, named by `label` */
  fork: (label: string) => Random
}

/** The system CSPRNG; forks are the same stream (nothing to reproduce). */
export const systemRandom: Random = {
  bytes: (length) => new Uint8Array(randomBytes(length)),
  fork: () => systemRandom
}

/** Bytes one HMAC block gives. */
const BLOCK_BYTES = 32

/**
 * A deterministic stream: HMAC-SHA256(seed, label ‖ counter) blocks (a
 * counter-mode construction like HMAC-DRBG without reseeding). Not for
 * secrets: the sim and tests only.
 */
export function seededRandom (seed: Uint8Array, label = ''): Random {
  assert(seed.byteLength >= 16, 'a seeded random stream needs at least 16 bytes of seed')
  let counter = 0
  let buffered: Uint8Array = new Uint8Array(0)
  const block = (): Uint8Array => {
    const mac = createHmac('sha256', seed).update(label).update('\u0000').update(String(counter++))
    return new Uint8Array(mac.digest())
  }
  return {
    bytes (length) {
      const out = new Uint8Array(length)
      let at = 0
      while (at < length) {
        if (buffered.byteLength === 0) buffered = block()
        const take = Math.min(length - at, buffered.byteLength)
        out.set(buffered.subarray(0, take), at)
        buffered = buffered.subarray(take)
        at += take
      }
      return out
    },
    fork: (child) => seededRandom(seed, `${label}/${child}`)
  }
}

export { BLOCK_BYTES as SEEDED_RANDOM_BLOCK_BYTES }

/** A uniform fraction in [0, 1) from 48 random bits (jitter, not secrets). */
export function randomFraction (random: Random): number {
  const bytes = random.bytes(6)
  let value = 0
  for (const byte of bytes) value = value * 256 + byte
  return value / 2 ** 48
}

/** `baseMs` spread uniformly by ±`spread` (a fraction of it), so timers of nodes started together drift apart. */
export function jitteredMs (baseMs: number, spread: number, random: Random): number {
  return Math.round(baseMs * (1 - spread + 2 * spread * randomFraction(random)))
}
