/**
 * Which connections to close when a node holds too many: pure, so the choice
 * is testable apart from libp2p.
 */

/** One open connection as the trimmer sees it. */
export interface TrimCandidate {
  id: string
  peer: string
  openedAtMs: number
}

export interface TrimLimits {
  highWater: number
  lowWater: number
  graceMs: number
  nowMs: number
  /** peers never trimmed (the gossip mesh) */
  protectedPeers: ReadonlySet<string>
}

/**
 * Above `highWater`, the connections to close to come down to `lowWater`:
 * never a protected peer's nor one younger than `graceMs`; the newest
 * first, so long-lived connections (the settled topology) stay. Ties by id,
 * so the same inputs give the same choice.
 */
export function connectionsToTrim (connections: TrimCandidate[], limits: TrimLimits): TrimCandidate[] {
  if (connections.length <= limits.highWater) return []
  const excess = connections.length - limits.lowWater
  return connections
    .filter((c) => !limits.protectedPeers.has(c.peer) && limits.nowMs - c.openedAtMs >= limits.graceMs)
    .sort((a, b) => b.openedAtMs - a.openedAtMs || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    .slice(0, excess)
}
