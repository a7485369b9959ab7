import test from 'ava'
import { toString, fromString } from 'uint8arrays'
import { DAY, realParticipantSigner, realVerifier, statementBy } from './fixtures.ts'
import { committedSeedExample } from './seed-example.ts'
import { drawArbitrators, drawScore } from '../../../src/core/chain/arbitration.ts'
import { certificateHash, verifyCertificate, type CommitCertificate } from '../../../src/core/chain/certificate.ts'
import { applyNodeDisputeStatement, applyPartyStatement, openDispute, type DisputeContext } from '../../../src/core/chain/dispute.ts'
import { evidenceBundle, verifyEvidenceBundle } from '../../../src/core/chain/evidence.ts'
import { signNodeStatement } from '../../../src/core/chain/node-statement.ts'
import { certificateOf } from '../../../src/core/chain/state.ts'
import { DisputeStateError, InvalidCertificateError, NoArbitratorsError, NotADisputePartyError } from '../../../src/core/chain/errors.ts'

/** The certificate as it would travel or sit in a file: JSON with base64 signatures. */
function throughJson (certificate: CommitCertificate): CommitCertificate {
  const json = JSON.parse(JSON.stringify({ chain: certificate.chain, commits: certificate.commits.map((c) => ({ chain: c.chain, node: c.node, ed25519: toString(c.signature.ed25519, 'base64pad'), mldsa: toString(c.signature.mldsa, 'base64pad') })) }))
  return { chain: json.chain, commits: json.commits.map((c: Record<string, string>) => ({ chain: c['chain'], node: c['node'], signature: { ed25519: fromString(c['ed25519']!, 'base64pad'), mldsa: fromString(c['mldsa']!, 'base64pad') } })) }
}

test('the arbitration draw is reproducible from the commit certificate alone and never picks an involved node', (t) => {
  const seed = committedSeedExample()
  const uninvolved = ['C', 'D', 'E', 'F', 'G'].map((label) => seed.cluster.addNode(label).id)
  const members = [seed.a, seed.b, ...uninvolved]
  const onA = certificateOf(seed.record(seed.a))!
  const onB = certificateOf(seed.record(seed.b))!
  const panel = drawArbitrators(onA, members)
  t.is(panel.length, 3)
  for (const node of panel) t.true(uninvolved.includes(node))
  t.deepEqual(drawArbitrators(onB, members), panel, 'both involved nodes hold the same certificate')
  t.deepEqual(drawArbitrators(throughJson(onA), [...members].reverse()), panel, 'a stranger with the certificate file and the member list, in any order')
  // by hand: the three lowest SHA-256 scores under the certificate hash
  const hash = certificateHash(onA)
  t.deepEqual(panel, [...uninvolved].sort((x, y) => (drawScore(hash, x) < drawScore(hash, y) ? -1 : 1)).slice(0, 3))
  const other = { ...onA, commits: onA.commits.map((c, i) => (i === 0 ? { ...c, signature: { ...c.signature, ed25519: c.signature.ed25519.map((b, j) => (j === 0 ? b ^ 1 : b)) } } : c)) }
  t.not(certificateHash(other), hash, 'the seed depends on every signature byte')
  t.throws(() => verifyCertificate(other, seed.content, (n) => seed.cluster.keys.get(n), realVerifier), { instanceOf: InvalidCertificateError })
  t.throws(() => drawArbitrators(onA, [seed.a, seed.b, uninvolved[0]!, uninvolved[1]!]), { instanceOf: NoArbitratorsError })
})

test('a dispute goes direct → mediation → arbitration, a majority ruling binds, and the evidence bundle verifies alone', (t) => {
  const seed = committedSeedExample()
  const { cluster, a, b, carol, bob } = seed
  const others = ['C', 'D', 'E', 'F'].map((label) => cluster.addNode(label))
  const record = seed.record(b)
  const ctx: DisputeContext = { nowMs: cluster.nowMs, verifier: realVerifier, nodeKey: (n) => cluster.keys.get(n), members: [a, b, ...others.map((n) => n.id)] }
  const bobKey = realParticipantSigner(`${b}/bob`)
  const carolKey = realParticipantSigner(`${a}/carol`)
  // edge 1: carol (A) gives design to bob (B)
  t.throws(() => openDispute(record, statementBy(realParticipantSigner(`${a}/alice`), seed.alice, 'dispute.open', { chain: seed.id, edge: 1, text: 'x' }, cluster.nowMs), ctx), { instanceOf: NotADisputePartyError })
  let dispute = openDispute(record, statementBy(bobKey, bob, 'dispute.open', { chain: seed.id, edge: 1, text: 'the logo was never delivered' }, cluster.nowMs), ctx)
  t.is(dispute.layer, 'direct')
  const escalate = statementBy(bobKey, bob, 'dispute.escalate', { dispute: dispute.id }, cluster.nowMs + 1)
  dispute = applyPartyStatement(dispute, record, escalate, ctx)
  t.is(dispute.layer, 'mediation')
  t.is(applyPartyStatement(dispute, record, escalate, ctx), dispute, 'a repeated statement changes nothing')
  const toArbitration = statementBy(carolKey, carol, 'dispute.escalate', { dispute: dispute.id }, cluster.nowMs + 2)
  t.throws(() => applyPartyStatement(dispute, record, toArbitration, ctx), { instanceOf: DisputeStateError }, 'not before both recommendations')
  for (const [label, node] of [['A', a], ['B', b]] as const) {
    const signer = cluster.node(node).signer
    dispute = applyNodeDisputeStatement(dispute, signNodeStatement({ kind: 'dispute.recommendation', node, subject: dispute.id, issuedAtMs: cluster.nowMs, claims: { text: `${label} suggests a partial redo` } }, signer), ctx)
  }
  dispute = applyPartyStatement(dispute, record, toArbitration, ctx)
  t.is(dispute.layer, 'arbitration')
  t.deepEqual(dispute.panel, drawArbitrators(certificateOf(record)!, ctx.members))
  const panel = dispute.panel!.map((id) => cluster.node(id))
  const outsider = others.find((n) => !dispute.panel!.includes(n.id))!
  const rule = (node: typeof outsider, outcome: string, satisfaction: number): ReturnType<typeof signNodeStatement> =>
    signNodeStatement({ kind: 'dispute.ruling', node: node.id, subject: dispute.id, issuedAtMs: cluster.nowMs + DAY, claims: { outcome, satisfaction_permille: satisfaction } }, node.signer)
  t.throws(() => applyNodeDisputeStatement(dispute, rule(outsider, 'recipient', 0), ctx), { instanceOf: NotADisputePartyError })
  dispute = applyNodeDisputeStatement(dispute, rule(panel[0]!, 'recipient', 200), ctx)
  dispute = applyNodeDisputeStatement(dispute, rule(panel[1]!, 'provider', 900), ctx)
  t.is(dispute.status, 'open')
  dispute = applyNodeDisputeStatement(dispute, rule(panel[2]!, 'recipient', 100), ctx)
  t.is(dispute.status, 'decided')
  t.deepEqual(dispute.ruling, { outcome: 'recipient', satisfaction_permille: 100 })

  const bundle = evidenceBundle(record, (n) => cluster.keys.get(n), dispute)
  const parsed = JSON.parse(JSON.stringify(bundle))
  t.is(verifyEvidenceBundle(parsed, realVerifier), 1 + 2 + 3 + 2 + 1 + 2 + 2 + 3) // proposal, validations, consents, commits, open, two escalations, recommendations, rulings
  parsed.items[4].bytes = parsed.items[4].bytes.replace(/^./, (c: string) => (c === 'A' ? 'B' : 'A'))
  t.throws(() => verifyEvidenceBundle(parsed, realVerifier), { instanceOf: InvalidCertificateError })
})
