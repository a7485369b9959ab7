/**
 * Moving participants between nodes (issue 14), as operations: export, move
 * (on the old node), accept (on the new one), resolve, move-status, a
 * recovery key, and recover (a recovery-key redirect, on the new node). All but recovery-key need the running node: they sign as
 * the node and talk to the DHT.
 */
import { z } from 'zod'
import { formatParticipantKey } from '../core/identity/participant-keys.ts'
import { publicKeyToClaims } from '../core/chain/node-statement.ts'
import type { ParticipantExport } from '../core/migration/export.ts'
import { generateParticipantSeeds, participantSignerFromSeeds } from '../crypto/participant-keys.ts'
import { ParticipantRepository } from '../store/participants.ts'
import type { Migration, MoveStart, MoveStatusView, ResolutionView } from '../services/migration/index.ts'
import { MoveStateError } from '../services/migration/migration.ts'
import { parseArguments as parseArgs } from './arguments.ts'
import { NodeNotRunningError, type Operation, type OperationComponents } from './operation.ts'
import { participantIdOf } from './chains.ts'

function migrationOf (components: OperationComponents, operation: string): Migration {
  const migration = components.services?.migration
  if (migration === undefined) throw new NodeNotRunningError(`${operation} signs as the node and uses the DHT: start the node ("fedmesh start") and run it again`)
  return migration
}

const participantArgs = z.strictObject({ participant: z.string().min(1) })

/** `participant.export`: the complete, signed history of a hosted participant. */
export const participantExport: Operation<z.input<typeof participantArgs>, ParticipantExport> = {
  name: 'participant.export',
  async run (context, args) {
    const { participant } = parseArgs(participantArgs, args, 'participant.export')
    return await migrationOf(context, 'participant.export').exportParticipant(participantIdOf(context, participant))
  }
}

const moveArgs = z.strictObject({ participant: z.string().min(1), to: z.string().min(1).max(128) })

/** `participant.move`: on the old node: pauses the participant, returns its export (naming the target) and its key. */
export const participantMove: Operation<z.input<typeof moveArgs>, MoveStart> = {
  name: 'participant.move',
  async run (context, args) {
    const { participant, to } = parseArgs(moveArgs, args, 'participant.move')
    const migration = migrationOf(context, 'participant.move')
    const id = participantIdOf(context, participant)
    // a participant bound to an open chain finishes it first: its chain partners hold its binding at this node
    const chain = context.services?.chains?.reserved().has(id) === true
    if (chain) throw new MoveStateError(`${id} is bound to an open chain; move it once the chain is finished`)
    return await migration.startMove(id, to)
  }
}

const acceptArgs = z.strictObject({
  /** the export document (`participant move` output) */
  export: z.record(z.string(), z.unknown()),
  /** the participant's key text, `fedmesh-participant-key:1:…` */
  key: z.string().min(1).max(1024),
  /** false: verify and import only, switch nothing (the second half runs on a later accept) */
  publish: z.boolean().default(true)
})

/** `participant.accept`: on the new node: verify, prove key control, import, then sign, countersign and publish the redirect and host. */
export const participantAccept: Operation<z.input<typeof acceptArgs>, MoveStatusView> = {
  name: 'participant.accept',
  async run (context, args) {
    const parsed = parseArgs(acceptArgs, args, 'participant.accept')
    const migration = migrationOf(context, 'participant.accept')
    const status = await migration.accept(parsed.export as unknown as ParticipantExport, parsed.key, { publish: parsed.publish })
    context.services?.summaries.changed()
    return status
  }
}

const recoverArgs = z.strictObject({
  /** an export of the participant (its last home's: a plain export or the one a move wrote) */
  export: z.record(z.string(), z.unknown()),
  /** the participant's recovery key text, `fedmesh-participant-key:1:…` */
  recovery_key: z.string().min(1).max(1024),
  /** the participant's own key text, when it still has it: this node then signs for it as for any hosted participant */
  key: z.string().min(1).max(1024).optional()
})

/** `participant.recover`: on the node the participant recovers to: publish a recovery-key redirect overriding a stolen-key one, then host it. */
export const participantRecover: Operation<z.input<typeof recoverArgs>, MoveStatusView> = {
  name: 'participant.recover',
  async run (context, args) {
    const parsed = parseArgs(recoverArgs, args, 'participant.recover')
    const status = await migrationOf(context, 'participant.recover').recover(parsed.export as unknown as ParticipantExport, parsed.recovery_key, parsed.key)
    context.services?.summaries.changed()
    return status
  }
}

const resolveArgs = z.strictObject({ id: z.string().min(1).max(256) })

/** `participant.resolve`: where a participant id leads, following redirects. */
export const participantResolve: Operation<z.input<typeof resolveArgs>, ResolutionView> = {
  name: 'participant.resolve',
  audited: false,
  async run (context, args) {
    const { id } = parseArgs(resolveArgs, args, 'participant.resolve')
    return await migrationOf(context, 'participant.resolve').resolve(participantIdOf(context, id))
  }
}

/** `participant.move-status`: this node's view of a participant's move, with its receipt (which members resolved the new home, failed, or are pending). */
export const participantMoveStatus: Operation<z.input<typeof participantArgs>, MoveStatusView> = {
  name: 'participant.move-status',
  audited: false,
  async run (context, args) {
    const { participant } = parseArgs(participantArgs, args, 'participant.move-status')
    const status = await migrationOf(context, 'participant.move-status').moveStatus(participantIdOf(context, participant))
    const redirect = status.outgoing?.redirect ?? status.incoming?.redirect
    const acks = context.services?.moveAcks
    if (redirect === undefined || acks === undefined) return status
    const receipt = await acks.receipt({ key: redirect.key, from: redirect.from, seq: redirect.seq, graceUntil: redirect.grace_until })
    return { ...status, receipt }
  }
}

/** `participant.recovery-key`: makes a recovery key for a hosted participant; the node keeps only its public half. */
export const participantRecoveryKey: Operation<z.input<typeof participantArgs>, { participant: string, recovery_key: string }> = {
  name: 'participant.recovery-key',
  async run (context, args) {
    const { participant } = parseArgs(participantArgs, args, 'participant.recovery-key')
    const id = participantIdOf(context, participant)
    const seeds = generateParticipantSeeds()
    const key = publicKeyToClaims(participantSignerFromSeeds(seeds).publicKey)
    await new ParticipantRepository(context.store).update(id, { recovery_key: { ed25519: key.ed25519, mldsa: key.mldsa, mldsa_level: key.mldsa_level } })
    return { participant: id, recovery_key: formatParticipantKey(seeds) }
  }
}

export const migrationOperations: ReadonlyArray<Operation<never, unknown>> = [
  participantExport, participantMove, participantAccept, participantResolve, participantMoveStatus, participantRecoveryKey, participantRecover
]
