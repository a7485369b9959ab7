import test from 'ava'
import {
  parseGenesis, signGenesis, verifyGenesis, formatGenesis, genesisMessage, GenesisFormatError, GenesisSignersError, GenesisSignatureError, type GenesisBody,
  assembleGenesis, combineGenesisSignatures, genesisDigest, genesisSignatureReport, signGenesisAs, GenesisSignatureFileError
} from '../../../src/core/consensus/genesis.ts'
import { DuplicateMemberError, DuplicateSiteError } from '../../../src/core/consensus/membership.ts'
import { FounderEntryFormatError, FounderEntrySignatureError, parseFounderEntry, signFounderEntry, verifyFounderEntry } from '../../../src/core/consensus/founder-entry.ts'
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

// --- the ceremony for separate operators: each founder signs alone, the files are combined ---

const sited: GenesisBody = { ...body, members: founders.map((f, i) => ({ node_id: f.node_id, public_key: publicKeyToJson(f.signer.publicKey), site_id: `site_${i}` })) }
const signatureFiles = (document: GenesisBody, indices: number[]) => indices.map((i) => ({ source: `founder${i}.sig.json`, file: signGenesisAs(document, founders[i]!.node_id, founders[i]!.signer) }))

test('each founder signs with only its own key; the combined files verify in any order', (t) => {
  const unsigned = assembleGenesis({ federation_id: 'grid', created_at: sited.created_at, consensus: sited.consensus, members: sited.members })
  t.deepEqual(unsigned.signatures, [])
  const forward = combineGenesisSignatures(unsigned, signatureFiles(unsigned, [0, 1, 2]), realVerifier)
  const backward = combineGenesisSignatures(unsigned, signatureFiles(unsigned, [2, 1, 0]), realVerifier)
  // ML-DSA signing is hedged (randomised): the same founders' files give the same order, not the same bytes
  t.deepEqual(forward.signatures.map((x) => x.node_id), backward.signatures.map((x) => x.node_id))
  t.deepEqual(forward.signatures.map((x) => x.node_id), founders.map((f) => f.node_id))
  t.is(verifyGenesis(backward, realVerifier).membership.members.size, 3)
  t.is(verifyGenesis(parseGenesis(formatGenesis(forward)), realVerifier).membership.members.size, 3)
  // a signature file is bound to the genesis it signed
  t.is(signatureFiles(unsigned, [0])[0]!.file.genesis_digest, genesisDigest(unsigned))
})

test('verify names exactly the founder whose signature is missing (node id and site)', (t) => {
  const unsigned = assembleGenesis({ federation_id: 'grid', created_at: sited.created_at, members: sited.members })
  const partial = combineGenesisSignatures(unsigned, signatureFiles(unsigned, [0, 2]), realVerifier)
  const report = genesisSignatureReport(partial, realVerifier)
  t.deepEqual(report.missing, [founders[1]!.node_id])
  t.deepEqual(report.valid, [founders[0]!.node_id, founders[2]!.node_id])
  const err = t.throws(() => verifyGenesis(partial, realVerifier), { instanceOf: GenesisSignersError })
  t.regex(err?.message ?? '', new RegExp(`${founders[1]!.node_id} \\(site site_1\\)`))
  t.notRegex(err?.message ?? '', new RegExp(founders[0]!.node_id))
})

test('verify names exactly the founder whose signature is bad, and combine refuses the bad file by name', (t) => {
  const unsigned = assembleGenesis({ federation_id: 'grid', created_at: sited.created_at, members: sited.members })
  const files = signatureFiles(unsigned, [0, 1, 2])
  const forged = { ...files[1]!.file, signature: { ...files[1]!.file.signature, ed25519: files[0]!.file.signature.ed25519 } }
  const document = { ...unsigned, signatures: [files[0]!.file.signature, forged.signature, files[2]!.file.signature] }
  const report = genesisSignatureReport(document, realVerifier)
  t.deepEqual(report.bad, [founders[1]!.node_id])
  t.deepEqual(report.missing, [])
  const err = t.throws(() => verifyGenesis(document, realVerifier), { instanceOf: GenesisSignatureError })
  t.regex(err?.message ?? '', new RegExp(`${founders[1]!.node_id} \\(site site_1\\) does not verify`))
  const combineErr = t.throws(() => combineGenesisSignatures(unsigned, [files[0]!, { source: 'b.sig.json', file: forged }], realVerifier), { instanceOf: GenesisSignatureError })
  t.regex(combineErr?.message ?? '', /b\.sig\.json.*site site_1/)
})

test('a signature file of another genesis, or of a non-founder, is refused by combine', (t) => {
  const unsigned = assembleGenesis({ federation_id: 'grid', created_at: sited.created_at, members: sited.members })
  const other = assembleGenesis({ federation_id: 'grid', created_at: '2026-11-25T12:00:00Z', members: sited.members })
  t.throws(() => combineGenesisSignatures(unsigned, signatureFiles(other, [0]), realVerifier), { instanceOf: GenesisSignatureFileError })
  const outsider = realMember(7)
  t.throws(() => signGenesisAs(unsigned, outsider.node_id, outsider.signer), { instanceOf: GenesisSignersError })
  // a founder's id with another key: it cannot sign as that founder
  t.throws(() => signGenesisAs(unsigned, founders[0]!.node_id, outsider.signer), { instanceOf: GenesisSignersError })
})

test('assemble refuses a duplicate site id and a duplicate PeerId, naming them', (t) => {
  const members = [...sited.members]
  const clash = { ...members[2]!, site_id: 'site_0' }
  const err = t.throws(() => assembleGenesis({ federation_id: 'grid', created_at: sited.created_at, members: [members[0]!, members[1]!, clash] }), { instanceOf: DuplicateSiteError })
  t.regex(err?.message ?? '', /"site_0"/)
  t.throws(() => assembleGenesis({ federation_id: 'grid', created_at: sited.created_at, members: [members[0]!, members[0]!] }), { instanceOf: DuplicateMemberError })
  // a signed genesis with a duplicate site id does not load either
  const doubled = { ...sited, members: [members[0]!, members[1]!, clash] }
  t.throws(() => verifyGenesis(signGenesis(doubled, signers), realVerifier), { instanceOf: DuplicateSiteError })
})

test('a founder entry verifies with its own key only; a changed entry does not', (t) => {
  const entry = signFounderEntry({ ...sited.members[0]!, capabilities: ['water'], addresses: ['/ip4/10.0.0.1/tcp/4001'] }, founders[0]!.signer)
  verifyFounderEntry(parseFounderEntry(JSON.stringify(entry)), realVerifier)
  const moved = { ...entry, member: { ...entry.member, site_id: 'site_9' } }
  t.throws(() => verifyFounderEntry(moved, realVerifier), { instanceOf: FounderEntrySignatureError })
  const stolen = signFounderEntry({ ...sited.members[0]! }, founders[1]!.signer) // signed by another key than the one it names
  t.throws(() => verifyFounderEntry(stolen, realVerifier), { instanceOf: FounderEntrySignatureError })
  t.throws(() => parseFounderEntry('{"version":1}'), { instanceOf: FounderEntryFormatError })
})
