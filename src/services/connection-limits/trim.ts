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
  /** how many of the node's gossipsub topic meshes each peer is in (absent: none) */
  meshes: ReadonlyMap<string, number>
}

/** Counts a peer once per topic mesh it is in: `meshEntries` has one entry per (topic, mesh peer). */
export function meshCounts (meshEntries: Iterable<string>): Map<string, number> {
  const counts = new Map<string, number>()
  for (const peer of meshEntries) counts.set(peer, (counts.get(peer) ?? 0) + 1)
  return counts
}

/**
 * The peers whose connections are never trimmed: mesh peers, at most `lowWater` of them, those in the
 * most topic meshes first, then the longest connected, then by peer id. A node subscribes to a dozen
 * topics, each with a mesh of ~6 drawn from its connections, so protecting every mesh peer protected
 * nearly every connection and the node never came down to its target (16-24 connections at 50 sim
 * nodes against a target of 6). A trimmed mesh peer leaves that topic's mesh; gossipsub grafts another
 * of the remaining connections at its next heartbeat.
 */
export function protectedPeers (connections: TrimCandidate[], limits: Pick<TrimLimits, 'lowWater' | 'meshes'>): Set<string> {
  const oldest = new Map<string, number>()
  for (const c of connections) oldest.set(c.peer, Math.min(oldest.get(c.peer) ?? Infinity, c.openedAtMs))
  const ranked = [...oldest.keys()]
    .filter((peer) => (limits.meshes.get(peer) ?? 0) > 0)
    .sort((a, b) => (limits.meshes.get(b) ?? 0) - (limits.meshes.get(a) ?? 0) || oldest.get(a)! - oldest.get(b)! || (a < b ? -1 : a > b ? 1 : 0))
  return new Set(ranked.slice(0, Math.max(0, limits.lowWater)))
}

/**
 * Above `highWater`, the connections to close to come down to `lowWater`:
 * never a protected peer's (`protectedPeers`) nor one younger than `graceMs`;
 * the newest first, so long-lived connections (the settled topology) stay.
 * Ties by id, so the same inputs give the same choice.
 */
export function connectionsToTrim (connections: TrimCandidate[], limits: TrimLimits): TrimCandidate[] {
  if (connections.length <= limits.highWater) return []
  const excess = connections.length - limits.lowWater
  const spared = protectedPeers(connections, limits)
  return connections
    .filter((c) => !spared.has(c.peer) && limits.nowMs - c.openedAtMs >= limits.graceMs)
    .sort((a, b) => b.openedAtMs - a.openedAtMs || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    .slice(0, excess)
}
