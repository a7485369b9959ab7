/**
 * The participant export (core/migration/export.ts): a committed chain's
 * certificate, the participant's own statements, the home binding and the
 * home node's signature all verify on any node holding the membership; any
 * change to the document is caught.
 */
import test from 'ava'
import { committedSeedExample } from '../chain/seed-example.ts'
import { FEDERATION, T0 } from '../chain/fixtures.ts'
import { toStoredJson } from '../../../src/store/chains.ts'
import { publicKeyToClaims } from '../../../src/core/chain/node-statement.ts'
import { signExport, verifyExport, signatureToJson, type ExportBody, type ParticipantExport } from '../../../src/core/migration/export.ts'
import { participantKeyId, signHomeBinding, type RedirectMembership } from '../../../src/core/migration/redirect.ts'
import { EXPORT_FORMAT, EXPORT_VERSION } from '../../../src/core/migration/constants.ts'

function setup (): { document: ParticipantExport, membership: RedirectMembership, sign: (body: ExportBody) => ParticipantExport, verifier: ReturnType<typeof committedSeedExample>['cluster']['verifier'] } {
  const seed = committedSeedExample()
  const { cluster, a, alice } = seed
  const nodeA = cluster.node(a)
  const aliceKey = nodeA.participantSigners.get(alice)!.publicKey
  const membership: RedirectMembership = { nodeKey: (node) => cluster.keys.get(node), nodeOfSite: (site) => (cluster.keys.has(site) ? site : undefined) }
  const binding = signHomeBinding({ version: 1, federation_id: FEDERATION, participant: alice, key: participantKeyId(aliceKey), recovery_key: null, node: a, issued_at: T0 }, nodeA.signer)
  const body: ExportBody = {
    format: EXPORT_FORMAT,
    version: EXPORT_VERSION,
    federation_id: FEDERATION,
    exported_at_ms: T0,
    home: { node: a, site: a },
    participant: { id: alice, offers: ['legal.contracts'], needs: ['food.catering'], added_at: T0 - 1, public_key: publicKeyToClaims(aliceKey), recovery_key: null },
    binding: { binding: binding.binding, signature: signatureToJson(binding.signature) },
    moving_to: null,
    redirects: [],
    // through JSON, as a file carries it
    chains: [JSON.parse(JSON.stringify(toStoredJson(seed.record(a))))],
    attestations: []
  }
  const sign = (b: ExportBody): ParticipantExport => signExport(b, nodeA.signer)
  return { document: JSON.parse(JSON.stringify(sign(body))) as ParticipantExport, membership, sign, verifier: cluster.verifier }
}

test('an export with a committed chain verifies: certificate, the participant\'s consent, binding, home signature', (t) => {
  const { document, membership, verifier } = setup()
  const verified = verifyExport(document, { membership, verifier, federationId: FEDERATION, nowMs: T0 })
  t.is(verified.chains.length, 1)
  t.is(Object.keys(verified.chains[0]!.commits).length, 2, 'both involved nodes committed')
})

test('a changed field breaks the home node\'s signature', (t) => {
  const { document, membership, verifier } = setup()
  const changed = { ...document, participant: { ...document.participant, offers: ['design'] } }
  t.throws(() => verifyExport(changed, { membership, verifier, federationId: FEDERATION, nowMs: T0 }), { name: 'InvalidExportError', message: /home node's signature/ })
})

test('a forged commit signature inside a chain is caught even when the home node re-signs the document', (t) => {
  const { document, membership, verifier, sign } = setup()
  const chain = structuredClone(document.chains[0]) as { commits: Record<string, { signature: { ed25519: { $bytes: string } } }> }
  const commit = Object.values(chain.commits)[0]!
  const bytes = Buffer.from(commit.signature.ed25519.$bytes, 'base64')
  bytes[0] = bytes[0]! ^ 1
  commit.signature.ed25519.$bytes = bytes.toString('base64')
  const { signature: _, ...body } = document
  const forged = sign({ ...body, chains: [chain] })
  t.throws(() => verifyExport(forged, { membership, verifier, federationId: FEDERATION, nowMs: T0 }), { name: 'InvalidExportError', message: /commit certificate/ })
})

test('an export signed by a node that is not the participant\'s home is refused', (t) => {
  const { document, membership, verifier } = setup()
  const elsewhere: RedirectMembership = { ...membership, nodeOfSite: () => 'someone-else' }
  t.throws(() => verifyExport(document, { membership: elsewhere, verifier, federationId: FEDERATION, nowMs: T0 }), { name: 'InvalidExportError' })
  t.throws(() => verifyExport({ ...document, version: 2 } as unknown as ParticipantExport, { membership, verifier, federationId: FEDERATION, nowMs: T0 }), { name: 'InvalidExportError', message: /version/ })
})
