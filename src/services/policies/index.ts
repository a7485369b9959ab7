/**
 * Data policies in force on this node: the config's per-site `allowed_data`
 * (and default), answered on every send path. The handshake, when it lands,
 * calls `agree(site, classes)` with the policy both sides agreed; from then
 * on that site's entry is the agreed one (see core/policy/data-policy.ts).
 */
import {
  DataClassNotAllowedError, mayDeliver, mayGossip, withAgreedPolicy, type DataPolicy
} from '../../core/policy/data-policy.ts'
import type { DataClass } from '../../core/data-class.ts'

export { DataClassNotAllowedError }

/** What the send paths ask. */
export interface DataPolicies {
  /** May `dataClass` enter gossip (it reaches every member)? */
  mayGossip: (dataClass: DataClass) => boolean
  /** May `dataClass` go to `site` (a direct stream to one peer)? */
  mayDeliver: (site: string | undefined, dataClass: DataClass) => boolean
  /** Throws DataClassNotAllowedError unless `dataClass` may go to `site`: call it before anything is written to the peer. */
  checkDelivery: (site: string | undefined, dataClass: DataClass) => void
  /** Replaces `site`'s entry with the classes the handshake agreed. */
  agree: (site: string, classes: Iterable<DataClass>) => void
  /** The policy now in force. */
  current: () => DataPolicy
}

/** The node's policies, starting from the config's. */
export function dataPolicies (init: { policy: DataPolicy }): DataPolicies {
  let policy = init.policy
  return {
    mayGossip: (dataClass) => mayGossip(policy, dataClass),
    mayDeliver: (site, dataClass) => mayDeliver(policy, site, dataClass),
    checkDelivery: (site, dataClass) => {
      if (!mayDeliver(policy, site, dataClass)) throw new DataClassNotAllowedError(`${dataClass} may not go to site ${site ?? '(unknown)'}: its data policy does not allow it`)
    },
    agree: (site, classes) => { policy = withAgreedPolicy(policy, site, classes) },
    current: () => policy
  }
}
