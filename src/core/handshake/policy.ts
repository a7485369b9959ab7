/**
 * Policy negotiation: the terms a side proposes from both capability lists,
 * and how it answers terms proposed to it (accept, counter with the terms
 * clamped to what it allows, or refuse when a class it requires is missing).
 * Honest sides agree in round 1: the proposal already is the intersection.
 */
import { DATA_CLASSES, type DataClass } from '../data-class.ts'
import { HEARTBEAT_INTERVAL_MS_MAX, HEARTBEAT_INTERVAL_MS_MIN } from './constants.ts'
import type { Capabilities, HandshakeRole, PolicyTerms } from './messages.ts'

/** Classes in DATA_CLASSES order without repeats: two equal sets have equal lists. */
export function sortedClasses (classes: Iterable<DataClass>): DataClass[] {
  const set = new Set(classes)
  return DATA_CLASSES.filter((c) => set.has(c))
}

function intersect (a: readonly DataClass[], b: readonly DataClass[]): DataClass[] {
  const inB = new Set(b)
  return sortedClasses(a.filter((c) => inB.has(c)))
}

function subset (a: readonly DataClass[], b: readonly DataClass[]): boolean {
  const inB = new Set(b)
  return a.every((c) => inB.has(c))
}

const clampHeartbeat = (ms: number): number => Math.min(HEARTBEAT_INTERVAL_MS_MAX, Math.max(HEARTBEAT_INTERVAL_MS_MIN, ms))

/** Whether two terms say the same (class lists compared as sets). */
export function sameTerms (a: PolicyTerms, b: PolicyTerms): boolean {
  const same = (x: readonly DataClass[], y: readonly DataClass[]): boolean => sortedClasses(x).join() === sortedClasses(y).join()
  return same(a.initiatorSends, b.initiatorSends) && same(a.responderSends, b.responderSends) &&
    a.heartbeatIntervalMs === b.heartbeatIntervalMs && a.messageBytesMax === b.messageBytesMax
}

/** The terms `role` proposes: each side sends what it offers and the other wants; the slower heartbeat, the smaller message limit. */
export function proposeTerms (role: HandshakeRole, local: Capabilities, peer: Capabilities): PolicyTerms {
  const mine = intersect(local.offered, peer.wanted)
  const theirs = intersect(peer.offered, local.wanted)
  return {
    initiatorSends: role === 'initiator' ? mine : theirs,
    responderSends: role === 'initiator' ? theirs : mine,
    heartbeatIntervalMs: clampHeartbeat(Math.max(local.qos.heartbeatIntervalMs, peer.qos.heartbeatIntervalMs)),
    messageBytesMax: Math.min(local.qos.messageBytesMax, peer.qos.messageBytesMax)
  }
}

/** How `role` answers terms proposed to it. */
export type TermsAnswer = { verdict: 'accept' } | { verdict: 'counter', terms: PolicyTerms } | { verdict: 'refuse', missing: DataClass[] }

/**
 * Accept terms within what this side offers, wants and can carry; otherwise
 * counter with them clamped to that; refuse when even the clamped terms
 * leave out a class this side requires to receive.
 */
export function answerTerms (role: HandshakeRole, terms: PolicyTerms, local: Capabilities, required: readonly DataClass[]): TermsAnswer {
  const mySends = role === 'initiator' ? terms.initiatorSends : terms.responderSends
  const theirSends = role === 'initiator' ? terms.responderSends : terms.initiatorSends
  const clampedMine = intersect(mySends, local.offered)
  const clampedTheirs = intersect(theirSends, local.wanted)
  const missing = required.filter((c) => !clampedTheirs.includes(c))
  if (missing.length > 0) return { verdict: 'refuse', missing: sortedClasses(missing) }
  const heartbeat = clampHeartbeat(terms.heartbeatIntervalMs)
  const bytes = Math.min(terms.messageBytesMax, local.qos.messageBytesMax)
  const fits = subset(mySends, local.offered) && subset(theirSends, local.wanted) &&
    heartbeat === terms.heartbeatIntervalMs && bytes === terms.messageBytesMax && bytes > 0
  if (fits) return { verdict: 'accept' }
  return {
    verdict: 'counter',
    terms: {
      initiatorSends: role === 'initiator' ? clampedMine : clampedTheirs,
      responderSends: role === 'initiator' ? clampedTheirs : clampedMine,
      heartbeatIntervalMs: heartbeat,
      messageBytesMax: Math.max(1, bytes)
    }
  }
}
