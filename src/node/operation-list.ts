/**
 * Registers every feature's operations in the shared registry. Imported once
 * by the CLI and the node so both see the same set.
 */
import { operations } from './operations.ts'
import { consensusGenesis, consensusMembers, consensusTrust, consensusTrustAdjust, consensusHistory, consensusCheck, consensusPropose, consensusVote } from './consensus-operations.ts'
import { participantAdd, participantList, participantRemove, match } from './matching-operations.ts'

operations.register(consensusGenesis)
operations.register(consensusMembers)
operations.register(consensusTrust)
operations.register(consensusTrustAdjust)
operations.register(consensusHistory)
operations.register(consensusCheck)
operations.register(consensusPropose)
operations.register(consensusVote)
operations.register(participantAdd)
operations.register(participantList)
operations.register(participantRemove)
operations.register(match)

export { operations }
