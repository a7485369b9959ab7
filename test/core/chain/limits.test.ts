import test from 'ava'
import { Cluster, MINUTE, T0, chainContent, peerId } from './fixtures.ts'
import {
  CHAIN_LENGTH_MAX, CHAIN_LENGTH_MIN, CLOCK_SKEW_MS_MAX, COMMENT_LENGTH_MAX, CONSENT_WINDOW_MS_MAX, CONSENT_WINDOW_MS_MIN, EXECUTION_DELAY_MS_MAX,
  EXECUTION_WINDOW_MS_MAX, MATCH_SCORE_PERMILLE_MAX, NOTE_LENGTH_MAX, SATISFACTION_PERMILLE_MAX, SITE_ID_LENGTH_MAX, CATEGORY_LENGTH_MAX
} from '../../../src/core/chain/constants.ts'
import { ChainLengthError, ChainNotACycleError, ChainTimelineError, DuplicateChainParticipantError, InvalidChainError, InvalidClaimsError, ProposalClockError, ProposerNotInvolvedError } from '../../../src/core/chain/errors.ts'
import { validateChainContent, type ChainContent, type ChainStepSpec } from '../../../src/core/chain/proposal.ts'
import { confirmationClaims, stepClaims } from '../../../src/core/chain/participant-statements.ts'
import { signProposal } from '../../../src/core/chain/proposal.ts'

const A = peerId('A')
const B = peerId('B')

function ring (n: number, node = A): ChainStepSpec[] {
  return Array.from({ length: n }, (_, i) => ({ node, site: 's', need: `c${(i + n - 1) % n}`, offer: `c${i}` }))
}

function content (change: (c: ChainContent) => void = () => {}): ChainContent {
  const c = chainContent(A, ring(3), T0)
  change(c)
  return c
}

type Case = [string, ChainContent, (new (...args: never[]) => Error) | null]
const t0 = T0
const cases: Case[] = [
  [`${CHAIN_LENGTH_MIN} steps`, chainContent(A, ring(CHAIN_LENGTH_MIN), t0), null],
  [`${CHAIN_LENGTH_MIN - 1} step`, chainContent(A, ring(CHAIN_LENGTH_MIN - 1).map((s) => ({ ...s, need: 'x' })), t0), ChainLengthError],
  [`${CHAIN_LENGTH_MAX} steps`, chainContent(A, ring(CHAIN_LENGTH_MAX), t0), null],
  [`${CHAIN_LENGTH_MAX + 1} steps`, chainContent(A, ring(CHAIN_LENGTH_MAX + 1), t0), ChainLengthError],
  ['consent window at its minimum', chainContent(A, ring(3), t0, { consentMs: CONSENT_WINDOW_MS_MIN }), null],
  ['consent window 1 ms short', chainContent(A, ring(3), t0, { consentMs: CONSENT_WINDOW_MS_MIN - 1 }), ChainTimelineError],
  ['consent window at its maximum', chainContent(A, ring(3), t0, { consentMs: CONSENT_WINDOW_MS_MAX }), null],
  ['consent window 1 ms long', chainContent(A, ring(3), t0, { consentMs: CONSENT_WINDOW_MS_MAX + 1 }), ChainTimelineError],
  ['execution delay at its maximum', chainContent(A, ring(3), t0, { startMs: EXECUTION_DELAY_MS_MAX }), null],
  ['execution delay 1 ms long', chainContent(A, ring(3), t0, { startMs: EXECUTION_DELAY_MS_MAX + 1 }), ChainTimelineError],
  ['execution window at its maximum', chainContent(A, ring(3), t0, { executionMs: EXECUTION_WINDOW_MS_MAX }), null],
  ['execution window 1 ms long', chainContent(A, ring(3), t0, { executionMs: EXECUTION_WINDOW_MS_MAX + 1 }), ChainTimelineError],
  ['empty execution window', chainContent(A, ring(3), t0, { executionMs: 0 }), ChainTimelineError],
  ['execution before the consent deadline', content((c) => { c.timeline.execution_start_ms = c.timeline.consent_deadline_ms - 1 }), ChainTimelineError],
  [`score ${MATCH_SCORE_PERMILLE_MAX}`, content((c) => { c.edges[0]!.score_permille = MATCH_SCORE_PERMILLE_MAX }), null],
  [`score ${MATCH_SCORE_PERMILLE_MAX + 1}`, content((c) => { c.edges[0]!.score_permille = MATCH_SCORE_PERMILLE_MAX + 1 }), InvalidChainError],
  ['fractional score', content((c) => { c.edges[0]!.score_permille = 0.5 }), InvalidChainError],
  [`site of ${SITE_ID_LENGTH_MAX}`, content((c) => { c.steps[0]!.site = 's'.repeat(SITE_ID_LENGTH_MAX) }), null],
  [`site of ${SITE_ID_LENGTH_MAX + 1}`, content((c) => { c.steps[0]!.site = 's'.repeat(SITE_ID_LENGTH_MAX + 1) }), InvalidChainError],
  [`category of ${CATEGORY_LENGTH_MAX}`, chainContent(A, ring(2).map((s, i) => ({ ...s, need: i === 0 ? 'c'.repeat(CATEGORY_LENGTH_MAX) : 'b', offer: i === 0 ? 'b' : 'c'.repeat(CATEGORY_LENGTH_MAX) })), t0), null],
  [`category of ${CATEGORY_LENGTH_MAX + 1}`, chainContent(A, ring(2).map((s, i) => ({ ...s, need: i === 0 ? 'c'.repeat(CATEGORY_LENGTH_MAX + 1) : 'b', offer: i === 0 ? 'b' : 'c'.repeat(CATEGORY_LENGTH_MAX + 1) })), t0), InvalidChainError],
  ['an offer that is not the next need', content((c) => { c.steps[1]!.need = 'zz' }), ChainNotACycleError],
  ['edges out of order', content((c) => { c.edges.reverse() }), ChainNotACycleError],
  ['a participant named twice', chainContent(A, ring(2).map((s) => ({ ...s, participant: `sep://ada@${A}` })), t0), DuplicateChainParticipantError],
  ['a named participant of another node', content((c) => { c.steps[0]!.participant = `sep://ada@${B}` }), InvalidChainError],
  ['a proposer hosting no step', chainContent(B, ring(3), t0), ProposerNotInvolvedError],
  ['a proposer that is not a PeerId', content((c) => { c.proposer = 'node-a' }), InvalidChainError]
]

for (const [name, c, error] of cases) {
  test(`chain content: ${name} is ${error === null ? 'accepted' : error.name}`, (t) => {
    if (error === null) t.notThrows(() => validateChainContent(c))
    else t.throws(() => validateChainContent(c), { instanceOf: error })
  })
}

const chain = 'ab'.repeat(32)
const claimCases: Array<[string, () => unknown, boolean]> = [
  [`note of ${NOTE_LENGTH_MAX}`, () => stepClaims({ kind: 'chain.refusal', participant: `sep://ada@${A}`, issuedAtMs: 1, claims: { chain, index: 0, note: 'n'.repeat(NOTE_LENGTH_MAX) } }, 'chain.refusal'), true],
  [`note of ${NOTE_LENGTH_MAX + 1}`, () => stepClaims({ kind: 'chain.refusal', participant: `sep://ada@${A}`, issuedAtMs: 1, claims: { chain, index: 0, note: 'n'.repeat(NOTE_LENGTH_MAX + 1) } }, 'chain.refusal'), false],
  [`index ${CHAIN_LENGTH_MAX - 1}`, () => stepClaims({ kind: 'chain.consent', participant: `sep://ada@${A}`, issuedAtMs: 1, claims: { chain, index: CHAIN_LENGTH_MAX - 1 } }, 'chain.consent'), true],
  [`index ${CHAIN_LENGTH_MAX}`, () => stepClaims({ kind: 'chain.consent', participant: `sep://ada@${A}`, issuedAtMs: 1, claims: { chain, index: CHAIN_LENGTH_MAX } }, 'chain.consent'), false],
  [`comment of ${COMMENT_LENGTH_MAX}`, () => confirmationClaims({ kind: 'chain.confirmation', participant: `sep://ada@${A}`, issuedAtMs: 1, claims: { chain, index: 0, satisfaction_permille: 1, comment: 'c'.repeat(COMMENT_LENGTH_MAX) } }), true],
  [`comment of ${COMMENT_LENGTH_MAX + 1}`, () => confirmationClaims({ kind: 'chain.confirmation', participant: `sep://ada@${A}`, issuedAtMs: 1, claims: { chain, index: 0, satisfaction_permille: 1, comment: 'c'.repeat(COMMENT_LENGTH_MAX + 1) } }), false],
  [`satisfaction ${SATISFACTION_PERMILLE_MAX}`, () => confirmationClaims({ kind: 'chain.confirmation', participant: `sep://ada@${A}`, issuedAtMs: 1, claims: { chain, index: 0, satisfaction_permille: SATISFACTION_PERMILLE_MAX } }), true],
  [`satisfaction ${SATISFACTION_PERMILLE_MAX + 1}`, () => confirmationClaims({ kind: 'chain.confirmation', participant: `sep://ada@${A}`, issuedAtMs: 1, claims: { chain, index: 0, satisfaction_permille: SATISFACTION_PERMILLE_MAX + 1 } }), false],
  ['an unknown claim', () => stepClaims({ kind: 'chain.consent', participant: `sep://ada@${A}`, issuedAtMs: 1, claims: { chain, index: 0, extra: true } }, 'chain.consent'), false]
]

for (const [name, run, ok] of claimCases) {
  test(`statement claims: ${name} is ${ok ? 'accepted' : 'InvalidClaimsError'}`, (t) => {
    if (ok) t.notThrows(run)
    else t.throws(run, { instanceOf: InvalidClaimsError })
  })
}

test(`a proposal up to ${CLOCK_SKEW_MS_MAX} ms in the future is accepted, 1 ms more is ProposalClockError, and one past its consent deadline too`, (t) => {
  for (const [aheadMs, ok] of [[CLOCK_SKEW_MS_MAX, true], [CLOCK_SKEW_MS_MAX + 1, false]] as const) {
    const cluster = new Cluster('digest')
    const nodeA = cluster.addNode('A')
    const nodeB = cluster.addNode('B')
    cluster.addParticipant(nodeB, 'bob', ['c0'], ['c1'])
    const c = chainContent(nodeA.id, [{ node: nodeA.id, site: 'a', need: 'c0', offer: 'c1' }, { node: nodeB.id, site: 'b', need: 'c1', offer: 'c0' }], cluster.nowMs + aheadMs)
    const proposal = signProposal(c, nodeA.signer)
    const receive = (): unknown => cluster.step(nodeB.id, { type: 'receive', from: nodeA.id, message: { kind: 'proposal', proposal } })
    if (ok) t.notThrows(receive)
    else t.throws(receive, { instanceOf: ProposalClockError })
    if (ok) {
      cluster.nowMs = c.timeline.consent_deadline_ms
      const late = new Cluster('digest')
      late.addNode('A')
      const lateB = late.addNode('B')
      late.nowMs = c.timeline.consent_deadline_ms
      t.throws(() => late.step(lateB.id, { type: 'receive', from: nodeA.id, message: { kind: 'proposal', proposal } }), { instanceOf: ProposalClockError })
    }
  }
})

test('a home node at its open-chain limit rejects further chains with reason policy', (t) => {
  const cluster = new Cluster('digest')
  const nodeA = cluster.addNode('A')
  const nodeB = cluster.addNode('B', { chainLengthMax: CHAIN_LENGTH_MAX, blockedProposers: [], chainsOpenMax: 1 })
  for (const name of ['p', 'q']) {
    cluster.addParticipant(nodeA, name, ['c1'], ['c0'])
    cluster.addParticipant(nodeB, name, ['c0'], ['c1'])
  }
  const ids: string[] = []
  for (let i = 0; i < 2; i++) {
    cluster.nowMs = T0 + i * MINUTE
    cluster.step(nodeA.id, { type: 'propose', content: chainContent(nodeA.id, [{ node: nodeA.id, site: 'a', need: 'c0', offer: 'c1' }, { node: nodeB.id, site: 'b', need: 'c1', offer: 'c0' }], cluster.nowMs) })
    cluster.deliverAll()
    ids.push([...nodeB.state.chains.keys()].find((k) => !ids.includes(k))!)
  }
  t.is(nodeB.state.chains.get(ids[0]!)!.phase, 'consenting')
  t.deepEqual(nodeB.state.chains.get(ids[1]!)!.cancel, { reason: 'rejected', node: nodeB.id, reject: 'policy' })
})
