/**
 * Chains: cycles of participants where each gives what the next one needs.
 * Step i gives its offer to step i+1 (the last to the first), so
 * offer(step i) = need(step i+1).
 */
import { shortParticipantId } from '../identity/participant-id.ts'
import { CapOutOfRangeError } from './errors.ts'
import { CHAIN_LENGTH_MAX, CHAIN_LENGTH_MIN } from './limits.ts'

/** One participant's place in a chain. */
export interface ChainStep {
  /** the node hosting the participant */
  node: string
  /** what it receives (from the previous step) */
  need: string
  /** what it gives (to the next step) */
  offer: string
  /** its id, when the instance knows it (local participants); absent for a unit of a remote summary */
  participant?: string
}

/** A chain: its steps in giving order. */
export interface Chain {
  steps: ChainStep[]
}

/** Checks a length cap: an integer CHAIN_LENGTH_MIN…CHAIN_LENGTH_MAX; throws CapOutOfRangeError. */
export function validateCap (cap: number): number {
  if (!Number.isInteger(cap) || cap < CHAIN_LENGTH_MIN || cap > CHAIN_LENGTH_MAX) {
    throw new CapOutOfRangeError(`chain length cap must be an integer between ${CHAIN_LENGTH_MIN} and ${CHAIN_LENGTH_MAX}, got ${cap}`)
  }
  return cap
}

function who (step: ChainStep): string {
  return step.participant === undefined ? `a participant of ${step.node}` : shortParticipantId(step.participant)
}

/** A sentence per chain: "alice@A gives legal.contracts to carol@A, carol@A gives design to bob@B, bob@B gives food.catering to alice@A". */
export function explainChain (chain: Chain): string {
  const { steps } = chain
  return steps.map((step, i) => `${who(step)} gives ${step.offer} to ${who(steps[(i + 1) % steps.length]!)}`).join(', ')
}
