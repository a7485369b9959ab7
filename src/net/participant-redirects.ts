/**
 * Participant redirects in the DHT: the `/fedmesh-participant/` namespace's
 * validator and selector (core/migration/redirect.ts decides; this adapts it
 * to kad-dht), and the put and lookup of redirect records.
 *
 * kad-dht keeps one record per key per peer and calls the validator on every
 * write it stores and every record it receives in a lookup, so a forged,
 * uncountersigned or expired redirect is never stored nor believed. A lookup
 * collects every valid record the queried peers hold and the core selector
 * picks one (the same choice on every node).
 */
import type { SelectFn, ValidateFn } from '@libp2p/kad-dht'
import type { AbortOptions } from '@libp2p/interface'
import type { DhtRecordTypes } from './dht-records.ts'
import type { SignatureVerifier } from '../core/signature.ts'
import { PARTICIPANT_REDIRECT_NAMESPACE } from '../core/migration/constants.ts'
import { decodeRedirect, selectRedirect, validateRedirect, type Redirect, type RedirectMembership, type SignedRedirect } from '../core/migration/redirect.ts'

/** What the redirect validator reads: the membership now, the verifier, the clock. */
export interface RedirectDhtInit {
  membership: RedirectMembership
  verifier: SignatureVerifier
  federationId: string
  now: () => number
  recoveryWindowMs: number
}

const utf8 = new TextDecoder()

/** Validates a record under `key` (as text); throws a RedirectError subclass. */
export function validateRedirectRecord (init: RedirectDhtInit, key: string, value: Uint8Array): { signed: SignedRedirect, redirect: Redirect } {
  const signed = decodeRedirect(value)
  const redirect = validateRedirect(signed, { membership: init.membership, verifier: init.verifier, federationId: init.federationId, nowMs: init.now(), dhtKey: key })
  return { signed, redirect }
}

/** The namespace's validator and selector, for the host's DHT. */
export function participantRedirectDhtTypes (init: RedirectDhtInit): DhtRecordTypes {
  const validate: ValidateFn = async (key, value) => {
    validateRedirectRecord(init, utf8.decode(key), value)
  }
  const select: SelectFn = (_key, records) => {
    // records reach the selector validated; one that no longer decodes ranks last
    const decoded = records.map((bytes) => { try { return decodeRedirect(bytes).redirect } catch { return undefined } })
    const valid = decoded.flatMap((r, i) => (r === undefined ? [] : [{ r, i }]))
    const best = selectRedirect(valid.map((v) => v.r), init.recoveryWindowMs)
    return best < 0 ? 0 : valid[best]!.i
  }
  return { [PARTICIPANT_REDIRECT_NAMESPACE]: { validate, select } }
}

/** The part of kad-dht redirects use. */
export interface RedirectDht {
  put: (key: Uint8Array, value: Uint8Array, options?: AbortOptions) => AsyncIterable<{ name: string }>
  get: (key: Uint8Array, options?: AbortOptions) => AsyncIterable<{ name: string, value?: Uint8Array, record?: { value: Uint8Array } }>
}

const utf8Encode = new TextEncoder()

/** Stores a redirect under `key` locally and at the closest peers; returns how many peers took it. */
export async function putRedirect (dht: RedirectDht, key: string, value: Uint8Array, options: AbortOptions): Promise<number> {
  let stored = 0
  try {
    for await (const event of dht.put(utf8Encode.encode(key), value, options)) {
      if (event.name === 'PEER_RESPONSE') stored++
    }
  } catch (err) {
    // no peer reachable (or the deadline): the local copy is kept, the caller decides
    if (stored === 0) throw err
  }
  return stored
}

/**
 * Every distinct record the DHT gives for `key` (the local one and each
 * responding peer's; kad-dht has validated each). A lookup that fails part
 * way (a peer refusing kad-dht's correction) keeps what it collected.
 */
export async function lookupRedirects (dht: RedirectDht, key: string, options: AbortOptions): Promise<Uint8Array[]> {
  const seen = new Map<string, Uint8Array>()
  const keep = (value: Uint8Array | undefined): void => {
    if (value !== undefined) seen.set(Buffer.from(value).toString('base64'), value)
  }
  try {
    for await (const event of dht.get(utf8Encode.encode(key), options)) {
      if (event.name === 'VALUE') keep(event.value)
      if (event.name === 'PEER_RESPONSE') keep(event.record?.value)
    }
  } catch {
    // not found anywhere, or the correction step failed: what was collected stands
  }
  return [...seen.values()]
}
