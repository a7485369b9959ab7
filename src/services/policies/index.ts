/**
 * Data policies in force on this node: the config's per-site `allowed_data`
 * (and default), answered on every send path. The handshake calls
 * `agreeBilateral(site, classes)` with the bilateral classes both sides
 * agreed; from then on that site's entry carries the agreed ones (see
 * core/policy/data-policy.ts), and the bilateral stream's send path sees it.
 */
import {
  allowedFor, DataClassNotAllowedError, mayDeliver, mayGossip, withAgreedPolicy, type DataPolicy
} from '../../core/policy/data-policy.ts'
import { BILATERAL_CLASSES, FEDERATION_WIDE_CLASSES, type DataClass } from '../../core/data-class.ts'

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
  /** The policy the config gave (what each handshake starts from, whatever earlier ones agreed). */
  configured: () => DataPolicy
  /**
   * The classes that travel only by the bilateral stream: the bilateral classes
   * (but `chain`, which has its own protocol) and every federation-wide class a
   * configured policy keeps out of gossip.
   */
  bilateralClasses: () => DataClass[]
  /** The bilateral classes the config allows between this node and `site` (what a handshake offers and wants). */
  bilateralAllowed: (site: string | undefined) => DataClass[]
  /** A handshake agreed `classes` with `site`: its entry's bilateral classes become exactly these, its other classes stay. */
  agreeBilateral: (site: string, classes: Iterable<DataClass>) => void
}

/** The class `chain` is bilateral but travels on /fedmesh/chain/1.0.0, never on the bilateral stream. */
const OWN_PROTOCOL_CLASSES: ReadonlySet<DataClass> = new Set<DataClass>(['chain'])

/** The node's policies, starting from the config's. */
export function dataPolicies (init: { policy: DataPolicy }): DataPolicies {
  let policy = init.policy
  const configured = init.policy
  const bilateral = [...BILATERAL_CLASSES.filter((c) => !OWN_PROTOCOL_CLASSES.has(c)), ...FEDERATION_WIDE_CLASSES.filter((c) => !mayGossip(configured, c))]
  const bilateralSet = new Set(bilateral)
  return {
    mayGossip: (dataClass) => mayGossip(policy, dataClass),
    mayDeliver: (site, dataClass) => mayDeliver(policy, site, dataClass),
    checkDelivery: (site, dataClass) => {
      if (!mayDeliver(policy, site, dataClass)) throw new DataClassNotAllowedError(`${dataClass} may not go to site ${site ?? '(unknown)'}: its data policy does not allow it`)
    },
    agree: (site, classes) => { policy = withAgreedPolicy(policy, site, classes) },
    current: () => policy,
    configured: () => configured,
    bilateralClasses: () => [...bilateral],
    bilateralAllowed: (site) => [...allowedFor(configured, site)].filter((c) => bilateralSet.has(c)),
    agreeBilateral: (site, classes) => {
      const kept = [...allowedFor(policy, site)].filter((c) => !bilateralSet.has(c))
      const agreed = [...classes].filter((c) => bilateralSet.has(c))
      policy = withAgreedPolicy(policy, site, [...kept, ...agreed])
    }
  }
}
