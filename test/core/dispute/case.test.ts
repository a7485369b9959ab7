/**
 * core/dispute: a panelist rebuilds the chain and the dispute from the case
 * alone (every tampering caught by its named error), routes, sender checks,
 * and what a binding ruling rewrites.
 */
import test from 'ava'
import { DAY, realParticipantSigner, realVerifier, statementBy, MINUTE } from '../chain/fixtures.ts'
import { committedSeedExample, type SeedExample } from '../chain/seed-example.ts'
import { applyNodeDisputeStatement, applyPartyStatement, openDispute, type Dispute, type DisputeContext } from '../../../src/core/chain/dispute.ts'
import { signNodeStatement } from '../../../src/core/chain/node-statement.ts'
import { certificateOf, type ChainRecord, type ExchangeRecord } from '../../../src/core/chain/state.ts'
import { drawArbitrators } from '../../../src/core/chain/arbitration.ts'
import { caseOf, caseParties, recordFromCase, replayDispute } from '../../../src/core/dispute/case.ts'
import { checkCaseSender, checkIssuedAt, checkNodeSender, checkPartySender, routeOf, rulingEffects } from '../../../src/core/dispute/flow.ts'
import { decodeDisputeMessage, encodeDisputeMessage } from '../../../src/services/disputes/codec.ts'

interface Arbitrated { seed: SeedExample, record: ChainRecord, ctx: DisputeContext, dispute: Dispute, before: Dispute, outsider: string }

/** Bob (B) disputes carol's (A) delivery of edge 1, both recommend, carol escalates into arbitration. */
function arbitrated (): Arbitrated {
  const seed = committedSeedExample()
  const { cluster, a, b, carol, bob } = seed
  const others = ['C', 'D', 'E', 'F'].map((label) => cluster.addNode(label).id)
  const record = seed.record(b)
  const ctx: DisputeContext = { nowMs: cluster.nowMs, verifier: realVerifier, nodeKey: (n) => cluster.keys.get(n), members: [a, b, ...others] }
  const bobKey = realParticipantSigner(`${b}/bob`)
  let dispute = openDispute(record, statementBy(bobKey, bob, 'dispute.open', { chain: seed.id, edge: 1, text: 'no logo' }, cluster.nowMs), ctx)
  dispute = applyPartyStatement(dispute, record, statementBy(bobKey, bob, 'dispute.escalate', { dispute: dispute.id }, cluster.nowMs + 1), ctx)
  for (const node of [a, b]) dispute = applyNodeDisputeStatement(dispute, signNodeStatement({ kind: 'dispute.recommendation', node, subject: dispute.id, issuedAtMs: cluster.nowMs + 2, claims: { text: 'redo it' } }, cluster.node(node).signer), ctx)
  const before = dispute
  dispute = applyPartyStatement(dispute, record, statementBy(realParticipantSigner(`${a}/carol`), carol, 'dispute.escalate', { dispute: dispute.id }, cluster.nowMs + 3), ctx)
  return { seed, record, ctx, dispute, before, outsider: others.find((n) => !dispute.panel!.includes(n))! }
}

/** The case as it travels: encoded and decoded. */
function throughWire (c: ReturnType<typeof caseOf>): ReturnType<typeof caseOf> {
  const decoded = decodeDisputeMessage(encodeDisputeMessage({ kind: 'case', case: c }))
  if (decoded.kind !== 'case') throw new Error('not a case')
  return decoded.case
}

test('a panelist rebuilds the chain and the dispute from the case alone: same id, layer, panel, certificate', (t) => {
  const { record, ctx, dispute } = arbitrated()
  const c = throughWire(caseOf(record, dispute))
  const parties = caseParties(c, ctx.members)
  t.deepEqual(parties.panel, dispute.panel)
  t.deepEqual(parties.home.sort(), [dispute.provider.node, dispute.recipient.node].sort())
  const rebuilt = recordFromCase(c.chain, ctx)
  t.is(rebuilt.id, record.id)
  t.deepEqual(certificateOf(rebuilt), certificateOf(record))
  t.deepEqual(rebuilt.bindings.map((b) => b?.participant), record.bindings.map((b) => b?.participant))
  const replayed = replayDispute(rebuilt, c.dispute, { ...ctx, members: [...ctx.members].reverse() })
  t.like(replayed, { id: dispute.id, layer: 'arbitration', status: 'open', panel: dispute.panel })
  t.is(replayed.messages.length, dispute.messages.length)
  t.deepEqual(replayed.panel, drawArbitrators(certificateOf(rebuilt)!, ctx.members))
})

test('a tampered case is refused by the check that fails', (t) => {
  const { seed, record, ctx, dispute } = arbitrated()
  const c = caseOf(record, dispute)
  const without = (kind: string, node?: string): typeof c.chain => c.chain.filter((m) => !(m.kind === kind && (node === undefined || (m.kind === 'commit' && m.commit.node === node) || (m.kind === 'validation' && m.validation.statement.node === node))))
  t.throws(() => recordFromCase(without('commit', seed.a), ctx), { name: 'InvalidCertificateError' }, 'a commit missing: not committed')
  t.throws(() => recordFromCase(without('validation', seed.b), ctx), { name: 'InvalidCaseError' }, 'a validation missing: no keys for its participants')
  t.throws(() => recordFromCase(without('proposal'), ctx), { name: 'InvalidCaseError' })
  const flip = (bytes: Uint8Array): Uint8Array => bytes.map((x, i) => (i === 0 ? x ^ 1 : x))
  const forgedValidation = c.chain.map((m) => (m.kind === 'validation' && m.validation.statement.node === seed.b ? { ...m, validation: { ...m.validation, signature: { ...m.validation.signature, ed25519: flip(m.validation.signature.ed25519) } } } : m))
  t.throws(() => recordFromCase(forgedValidation, ctx), { name: 'NodeSignatureError' })
  const forgedConsent = c.chain.map((m) => (m.kind === 'consent' && m.index === 2 ? { ...m, statement: { ...m.statement, signature: { ...m.statement.signature, mldsa: flip(m.statement.signature.mldsa) } } } : m))
  t.throws(() => recordFromCase(forgedConsent, ctx), { name: 'ForgedConsentError' })
  const rebuilt = recordFromCase(c.chain, ctx)
  const open = c.dispute[0]!
  const forgedOpen = open.by === 'participant' ? { ...open, signed: { ...open.signed, signature: { ...open.signed.signature, ed25519: flip(open.signed.signature.ed25519) } } } : open
  t.throws(() => replayDispute(rebuilt, [forgedOpen, ...c.dispute.slice(1)], ctx), { name: 'ForgedStatementError' })
  t.throws(() => replayDispute(rebuilt, [open, c.dispute[1]!, c.dispute[1]!], ctx), { name: 'InvalidCaseError' }, 'a repeated message')
  t.throws(() => replayDispute(rebuilt, c.dispute.slice(1), ctx), { name: 'InvalidCaseError' }, 'no open first')
  t.throws(() => replayDispute(rebuilt, c.dispute.filter((m) => m.by === 'participant'), ctx), { name: 'DisputeStateError' }, 'arbitration without recommendations within the window')
})

test('routes: a party\'s statement to the other home node, the escalation into arbitration sends the case to the panel, rulings to homes and the other panelists', (t) => {
  const { seed, dispute, before } = arbitrated()
  const [first] = dispute.messages
  const opened = { ...dispute, layer: 'direct' as const, panel: null, messages: [first!] }
  t.deepEqual(routeOf(first!, undefined, opened, seed.b), { message: [seed.a], case: [] })
  const escalation = dispute.messages.at(-1)!
  const panel = [...dispute.panel!].sort()
  t.deepEqual(routeOf(escalation, before, dispute, seed.a), { message: [seed.b], case: panel })
  const recommendation = dispute.messages.find((m) => m.by === 'node')!
  t.deepEqual(routeOf(recommendation, before, before, seed.a), { message: [seed.b], case: [] })
  const p0 = dispute.panel![0]!
  const ruling = { by: 'node' as const, signed: signNodeStatement({ kind: 'dispute.ruling', node: p0, subject: dispute.id, issuedAtMs: seed.cluster.nowMs, claims: { outcome: 'provider', satisfaction_permille: 500 } }, seed.cluster.node(p0).signer) }
  t.deepEqual(routeOf(ruling, dispute, dispute, p0), { message: [seed.a, seed.b, ...dispute.panel!.slice(1)].sort(), case: [] })
  const resolve = { by: 'participant' as const, signed: statementBy(realParticipantSigner(`${seed.b}/bob`), seed.bob, 'dispute.resolve', { dispute: dispute.id }, seed.cluster.nowMs + 5) }
  t.deepEqual(routeOf(resolve, dispute, { ...dispute, status: 'resolved' }, seed.b), { message: [seed.a, ...panel].sort(), case: [] }, 'in arbitration the panel hears a resolution')
})

test('sender checks: the party\'s own home node, the signing node, a drawn panelist; no statement from the future', (t) => {
  const { seed, dispute, outsider } = arbitrated()
  t.notThrows(() => checkPartySender(dispute, seed.bob, seed.b, seed.a))
  t.throws(() => checkPartySender(dispute, seed.bob, seed.a, seed.a), { name: 'DisputeSenderError' })
  t.throws(() => checkPartySender(dispute, seed.alice, seed.a, seed.b), { name: 'NotADisputePartyError' })
  t.throws(() => checkPartySender(dispute, seed.bob, seed.b, outsider), { name: 'NotADisputePartyError' }, 'this node has no part in it')
  t.notThrows(() => checkNodeSender(dispute, 'dispute.ruling', dispute.panel![0]!, dispute.panel![0]!))
  t.throws(() => checkNodeSender(dispute, 'dispute.ruling', outsider, outsider), { name: 'NotAPanelistError' })
  t.throws(() => checkNodeSender(dispute, 'dispute.ruling', dispute.panel![0]!, outsider), { name: 'DisputeSenderError' })
  t.throws(() => checkNodeSender(dispute, 'dispute.recommendation', outsider, outsider), { name: 'NotADisputePartyError' })
  t.notThrows(() => checkCaseSender([seed.a, seed.b], dispute.panel!, seed.a, dispute.panel![1]!))
  t.throws(() => checkCaseSender([seed.a, seed.b], dispute.panel!, outsider, dispute.panel![1]!), { name: 'DisputeSenderError' })
  t.throws(() => checkCaseSender([seed.a, seed.b], dispute.panel!, seed.a, outsider), { name: 'NotAPanelistError' })
  t.notThrows(() => checkIssuedAt(seed.cluster.nowMs - DAY, seed.cluster.nowMs), 'an old statement: a retry')
  t.throws(() => checkIssuedAt(seed.cluster.nowMs + 6 * MINUTE, seed.cluster.nowMs), { name: 'DisputeClockError' })
})

test('a binding ruling rewrites the edge\'s exchanges on each home node and, on the recipient\'s, the observation of the provider\'s node', (t) => {
  const { seed, dispute } = arbitrated()
  // edge 1: carol (A) provides to bob (B)
  const decided: Dispute = { ...dispute, status: 'decided', ruling: { outcome: 'provider', satisfaction_permille: 800 } }
  const exchange = (participant: string, edge: number, role: 'provider' | 'recipient', s: number): ExchangeRecord => ({ participant, chain: seed.id, edge, role, counterpart: 'x', satisfaction_permille: s, completed_at_ms: 1 })
  const onB = {
    exchanges: [exchange(seed.bob, 1, 'recipient', 100), exchange(seed.bob, 2, 'provider', 900)],
    observations: [{ node: seed.a, participant: seed.carol, chain: seed.id, observed_permille: 100 }],
    accuracy: [{ node: seed.a, participant: seed.carol, chain: seed.id, attested_permille: 950, observed_permille: 100 }, { node: seed.a, participant: seed.carol, chain: 'other', attested_permille: 950, observed_permille: 100 }]
  }
  const effects = rulingEffects(decided, seed.b, onB)
  t.deepEqual(effects.exchanges.map((e) => [e.edge, e.satisfaction_permille]), [[1, 800]], 'only the disputed edge')
  t.deepEqual(effects.observations.map((o) => o.observed_permille), [800])
  t.deepEqual(effects.accuracy, [{ ...onB.accuracy[0]!, observed_permille: 800 }])
  const onA = { exchanges: [exchange(seed.carol, 1, 'provider', 100)], observations: [], accuracy: [] }
  t.deepEqual(rulingEffects(decided, seed.a, onA).exchanges.map((e) => e.satisfaction_permille), [800])
  t.deepEqual(rulingEffects(dispute, seed.b, onB), { exchanges: [], observations: [], accuracy: [] }, 'nothing before a decision')
  const applied = { exchanges: onB.exchanges.map((e) => (e.edge === 1 ? { ...e, satisfaction_permille: 800 } : e)), observations: effects.observations, accuracy: effects.accuracy }
  t.deepEqual(rulingEffects(decided, seed.b, applied), { exchanges: [], observations: [], accuracy: [] }, 'idempotent')
})
