/**
 * Relations with peers (protocols/handshake.md): `relations` lists each
 * relation's state, agreed policy and last heartbeat; `relations.terminate`
 * ends one, with notice or by force; `relations.establish` handshakes again
 * (also after a forced termination, which it lifts). They read the running
 * node's handshake service: relations live in memory.
 */
import { z } from 'zod'
import { TERMINATION_NOTICE_MS_MAX } from '../core/handshake/constants.ts'
import { UnknownRelationError, type RelationView } from '../services/handshake/index.ts'
import type { Handshake } from '../services/handshake/index.ts'
import type { BilateralPeerStatus } from '../services/bilateral/index.ts'
import { parseArguments } from './arguments.ts'
import { requireServices, type Operation, type OperationComponents } from './operation.ts'

export interface RelationsResult {
  relations: RelationView[]
  /** per peer, both bilateral logs: this node's to it (queued, the peer's frontier) and its to this node (frontier, held, lost); protocols/bilateral.md "Log sync" */
  bilateral: BilateralPeerStatus[]
}

function handshakeOf (components: OperationComponents, operation: string): Handshake {
  const handshake = requireServices(components, operation).handshake
  if (handshake === undefined) throw new UnknownRelationError(`${operation}: this node runs no handshake service`)
  return handshake
}

/** The peer a site id or PeerId names among the relations. */
function peerOf (handshake: Handshake, to: string): string {
  const found = handshake.relations().find((r) => r.peer === to || r.site === to)
  if (found === undefined) throw new UnknownRelationError(`no relation with ${to.slice(0, 100)}`)
  return found.peer
}

/** `fedmesh relations`: every relation, by peer. */
export const relationsList: Operation<Record<string, never>, RelationsResult> = {
  name: 'relations',
  audited: false,
  async run (components, args) {
    parseArguments(z.strictObject({}), args, 'relations')
    const relations = handshakeOf(components, 'relations').relations()
    return { relations, bilateral: await requireServices(components, 'relations').bilateral?.logs() ?? [] }
  }
}

const target = z.string().min(1).max(128)

/** Ends a relation: graceful with notice (default), or forced (security: no re-establishment until `relations.establish`). */
export const relationsTerminate: Operation<{ to: string, forced?: boolean, notice_seconds?: number, reason?: string }, RelationView> = {
  name: 'relations.terminate',
  async run (components, args) {
    const parsed = parseArguments(z.strictObject({
      to: target,
      forced: z.boolean().default(false),
      notice_seconds: z.number().int().min(0).max(TERMINATION_NOTICE_MS_MAX / 1000).optional(),
      reason: z.string().regex(/^[a-z][a-z0-9_]{0,63}$/, 'a snake_case word').default('operator')
    }), args, 'relations.terminate')
    const handshake = handshakeOf(components, 'relations.terminate')
    const peer = peerOf(handshake, parsed.to)
    await handshake.terminate(peer, { forced: parsed.forced, reason: parsed.reason, ...(parsed.notice_seconds === undefined ? {} : { noticeMs: parsed.notice_seconds * 1000 }) })
    return handshake.relations().find((r) => r.peer === peer)!
  }
}

/** Handshakes with a peer now (lifting a forced termination first). */
export const relationsEstablish: Operation<{ to: string }, RelationView> = {
  name: 'relations.establish',
  async run (components, args) {
    const parsed = parseArguments(z.strictObject({ to: target }), args, 'relations.establish')
    const handshake = handshakeOf(components, 'relations.establish')
    const peer = peerOf(handshake, parsed.to)
    handshake.allow(peer)
    await handshake.establish(peer)
    return handshake.relations().find((r) => r.peer === peer)!
  }
}

export const relationOperations = [relationsList, relationsTerminate, relationsEstablish]
