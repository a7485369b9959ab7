/**
 * The consensus policy a node's config gives, used until the store holds the
 * federation's own (from the genesis or a decided policy change).
 */
import type { ConsensusPolicy } from '../core/consensus/threshold.ts'
import type { Config } from './schema.ts'

/** The config's policy. */
export function configPolicy (config: Config): ConsensusPolicy {
  const { threshold, min_participating_nodes: minParticipating, tie_breaking: tieBreaking } = config.consensus
  return { threshold, min_participating_nodes: minParticipating, tie_breaking: tieBreaking }
}
