/**
 * The node's identity as the store remembers it: the fingerprint of its keys
 * (Ed25519 PeerId key and ML-DSA key), recorded on the first start. A key
 * file that changed since — a flipped byte, another node's `mldsa.key` copied
 * in — would silently change what the node signs with and what its record
 * publishes; the node refuses to start instead, until the operator confirms
 * the change (`fedmesh start --accept-new-keys`), which is recorded.
 */
import { createHash } from 'node:crypto'
import { InputError } from '../core/errors.ts'
import type { HybridPublicKey } from '../core/signature.ts'
import type { Store } from './store.ts'

export const NODE_IDENTITY_SUBLEVEL = 'node-identity'
const CURRENT_KEY = 'current'
/** Earlier fingerprints kept after confirmed changes. */
export const KEY_CHANGES_KEPT_MAX = 64

/** The key files hold other keys than the ones this store was used with. */
export class NodeKeysChangedError extends InputError {
  static override readonly code = 'NodeKeysChangedError'
  override readonly name = 'NodeKeysChangedError'
}

/** What the store keeps. */
export interface NodeIdentityRecord {
  fingerprint: string
  peer_id: string
  mldsa_level: number
  recorded_at: number
  /** confirmed changes, oldest first */
  previous: Array<{ fingerprint: string, peer_id: string, replaced_at: number }>
}

/** SHA-256 over both public keys and the ML-DSA level: changes when either key file does. */
export function keyFingerprint (publicKey: HybridPublicKey): string {
  return createHash('sha256').update('fedmesh/node-keys/1\n').update(publicKey.ed25519).update(new Uint8Array([publicKey.mldsaLevel])).update(publicKey.mldsa).digest('hex')
}

/**
 * Compares the keys with the store's record: records them on first use,
 * refuses changed keys (NodeKeysChangedError) unless `acceptNewKeys`, which
 * records the change. Resolves to what happened.
 */
export async function checkNodeKeys (store: Store, init: { publicKey: HybridPublicKey, peerId: string, nowMs: number, acceptNewKeys?: boolean }): Promise<'recorded' | 'unchanged' | 'changed'> {
  const sublevel = store.sublevel<NodeIdentityRecord>(NODE_IDENTITY_SUBLEVEL)
  const fingerprint = keyFingerprint(init.publicKey)
  const held = await sublevel.get(CURRENT_KEY)
  const record = (previous: NodeIdentityRecord['previous']): NodeIdentityRecord => ({ fingerprint, peer_id: init.peerId, mldsa_level: init.publicKey.mldsaLevel, recorded_at: init.nowMs, previous })
  if (held === undefined) {
    await sublevel.put(CURRENT_KEY, record([]))
    return 'recorded'
  }
  if (held.fingerprint === fingerprint) return 'unchanged'
  if (init.acceptNewKeys !== true) {
    const what = held.peer_id === init.peerId ? 'mldsa.key holds another ML-DSA key' : `node.key holds another key (PeerId ${init.peerId}, the store was used by ${held.peer_id})`
    throw new NodeKeysChangedError(`the node's keys changed since this store last ran: ${what}. Restore the key files, or confirm a deliberate change with "fedmesh start --accept-new-keys"`)
  }
  await sublevel.put(CURRENT_KEY, record([...held.previous, { fingerprint: held.fingerprint, peer_id: held.peer_id, replaced_at: init.nowMs }].slice(-KEY_CHANGES_KEPT_MAX)))
  return 'changed'
}
