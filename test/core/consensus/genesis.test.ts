import test from 'ava'
import { parseGenesis, signGenesis, verifyGenesis, formatGenesis, genesisMessage, GenesisFormatError, GenesisSignersError, GenesisSignatureError, type GenesisBody } from '../../../src/core/consensus/genesis.ts'
import { publicKeyToJson } from '../../../src/core/consensus/member.ts'
import { MEMBERS_MAX } from '../../../src/core/consensus/constants.ts'
import { realMember, realVerifier } from './fixtures.ts'

const founders = [0, 1, 2].map(realMember)
const body: GenesisBody = {
  version: 1,
  federation_id: 'grid',
  created_at: '2026-11-24T12:00:00Z',
  consensus: { threshold: 0.66, min_participating_nodes: 2, tie_breaking: 'lexicographic' },
  members: founders.map((f) => ({ node_id: f.node_id, public_key: publicKeyToJson(f.signer.publicKey) }))
}
const signers = new Map(founders.map((f) => [f.node_id, f.signer]))

test('a genesis signed by every founder verifies into membership epoch 0 and its policy', (t) => {
  const document = parseGenesis(formatGenesis(signGenesis(body, signers)))
  const { membership, policy } = verifyGenesis(document, realVerifier)
  t.is(membership.epoch, 0)
  t.is(membership.federation_id, 'grid')
  t.deepEqual([...membership.members.keys()], founders.map((f) => f.node_id))
  t.is(membership.members.get(founders[0]!.node_id)!.joined_at, Date.parse('2026-11-24T12:00:00Z'))
  t.deepEqual(policy, { threshold: 0.66, min_participating_nodes: 2, tie_breaking: 'lexicographic' })
})

test('the signed bytes ignore key order and fill defaults, so equivalent files sign alike', (t) => {
  const { consensus: _c, ...withoutPolicy } = body
  const defaults = { ...withoutPolicy, consensus: { threshold: 'bft' as const, min_participating_nodes: 2, tie_breaking: 'timestamp_priority' as const } }
  t.deepEqual(genesisMessage(withoutPolicy as GenesisBody), genesisMessage(defaults))
  t.notDeepEqual(genesisMessage(body), genesisMessage(defaults))
})

test('a genesis missing a founder\'s signature is refused', (t) => {
  const document = signGenesis(body, signers)
  const err = t.throws(() => verifyGenesis({ ...document, signatures: document.signatures.slice(1) }, realVerifier))
  t.true(err instanceof GenesisSignersError)
  t.regex(err?.message ?? '', new RegExp(founders[0]!.node_id))
})

test('a genesis signed by an outsider or twice by one founder is refused', (t) => {
  const document = signGenesis(body, signers)
  const outsider = { ...document.signatures[0]!, node_id: realMember(7).node_id }
  t.throws(() => verifyGenesis({ ...document, signatures: [...document.signatures, outsider] }, realVerifier), { instanceOf: GenesisSignersError })
  t.throws(() => verifyGenesis({ ...document, signatures: [...document.signatures, document.signatures[0]!] }, realVerifier), { instanceOf: GenesisSignersError })
})

test('a genesis changed after signing does not verify', (t) => {
  const document = signGenesis(body, signers)
  const tampered = { ...document, consensus: { ...document.consensus, threshold: 0.51 } }
  t.is(t.throws(() => verifyGenesis(tampered, realVerifier))?.name, 'GenesisSignatureError')
  const swapped = { ...document, signatures: document.signatures.map((s, i) => (i === 0 ? { ...s, mldsa: document.signatures[1]!.mldsa } : s)) }
  t.throws(() => verifyGenesis(swapped, realVerifier), { instanceOf: GenesisSignatureError })
})

test('malformed genesis files are GenesisFormatErrors naming the field', (t) => {
  t.throws(() => parseGenesis('{ not yaml'), { instanceOf: GenesisFormatError })
  const err = t.throws(() => parseGenesis({ ...body, consensus: { threshold: 0.4 } }))
  t.true(err instanceof GenesisFormatError)
  t.regex(err?.message ?? '', /consensus\.threshold/)
  t.throws(() => parseGenesis({ ...body, colour: 'blue' }), { instanceOf: GenesisFormatError })
  t.throws(() => parseGenesis({ ...body, members: [] }), { instanceOf: GenesisFormatError })
})

test(`a genesis may list MEMBERS_MAX (${MEMBERS_MAX}) founders, not one more`, (t) => {
  const member = body.members[0]!
  const many = (count: number) => ({ ...body, members: Array.from({ length: count }, () => member) })
  t.notThrows(() => parseGenesis(many(MEMBERS_MAX)))
  t.throws(() => parseGenesis(many(MEMBERS_MAX + 1)), { instanceOf: GenesisFormatError })
})
