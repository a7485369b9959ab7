/**
 * The penalty for an origin caught equivocating in its log: the same consensus
 * trust rule as vote equivocation (`admin_penalty`, −20: core/consensus/trust.ts),
 * written like the operator's `trust --penalize` (operations/consensus.ts) and
 * then reloaded into the running consensus.
 */
import { applyTrustRule, initialTrust } from '../../core/consensus/trust.ts'
import type { ConsensusStore } from '../../store/consensus.ts'
import type { Clock } from '../../runtime/clock.ts'

/** A `penalise(origin)` for SyncComponents. */
export function trustPenalty (input: { consensusStore: ConsensusStore, clock: Clock, reload: () => Promise<void> }): (origin: string) => Promise<void> {
  return async (origin) => {
    const now = input.clock.now()
    const current = (await input.consensusStore.trust()).find((r) => r.node_id === origin) ?? initialTrust(origin, now)
    await input.consensusStore.persist([{ kind: 'trust', record: applyTrustRule(current, 'admin_penalty', now) }])
    await input.reload()
  }
}
