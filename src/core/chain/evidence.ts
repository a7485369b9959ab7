/**
 * The evidence bundle of a chain (and a dispute about it): every signed
 * message with the exact bytes that were signed, the signer and the key, so
 * a court or any member checks each signature without fedmesh's encodings.
 * Node keys must still be checked against the membership; participant keys
 * are the ones their home nodes bound in their signed validations.
 */
import { fromString, toString } from 'uint8arrays'
import type { HybridPublicKey, HybridSignature, SignatureVerifier } from '../signature.ts'
import { statementBytes, type SignedStatement } from '../identity/statement.ts'
import type { Dispute } from './dispute.ts'
import { InvalidCertificateError } from './errors.ts'
import { commitSigningBytes, nodeStatementBytes, publicKeyFromClaims, publicKeyToClaims, type PublicKeyClaims, type SignedNodeStatement } from './node-statement.ts'
import { chainId, proposalSigningBytes, type ChainContent } from './proposal.ts'
import type { ChainRecord } from './state.ts'

export const EVIDENCE_FORMAT = 'fedmesh-evidence/1'

/** One signed message: what it is, who signed, the signed bytes and both signatures (base64). */
export interface EvidenceItem {
  what: string
  signer: string
  bytes: string
  ed25519: string
  mldsa: string
}

export interface EvidenceBundle {
  format: typeof EVIDENCE_FORMAT
  chain: string
  dispute: string | null
  content: ChainContent
  /** the key of every signer, base64 */
  keys: Record<string, PublicKeyClaims>
  items: EvidenceItem[]
}

function item (what: string, signer: string, bytes: Uint8Array, signature: HybridSignature): EvidenceItem {
  return { what, signer, bytes: toString(bytes, 'base64pad'), ed25519: toString(signature.ed25519, 'base64pad'), mldsa: toString(signature.mldsa, 'base64pad') }
}

/** The bundle of `record` (and `dispute`), with node keys from the membership. */
export function evidenceBundle (record: ChainRecord, nodeKey: (node: string) => HybridPublicKey | undefined, dispute?: Dispute): EvidenceBundle {
  const keys: Record<string, PublicKeyClaims> = {}
  const items: EvidenceItem[] = []
  const nodeItem = (what: string, node: string, bytes: Uint8Array, signature: HybridSignature): void => {
    const key = nodeKey(node)
    if (key !== undefined) keys[node] = publicKeyToClaims(key)
    items.push(item(what, node, bytes, signature))
  }
  const participantItem = (what: string, signed: SignedStatement): void => {
    const binding = record.bindings.find((b) => b?.participant === signed.statement.participant)
    if (binding !== undefined && binding !== null) keys[binding.participant] = publicKeyToClaims(binding.publicKey)
    items.push(item(what, signed.statement.participant, statementBytes(signed.statement), signed.signature))
  }
  const nodeStatement = (signed: SignedNodeStatement): void => nodeItem(signed.statement.kind, signed.statement.node, nodeStatementBytes(signed.statement), signed.signature)
  const content = record.proposal.content
  nodeItem('chain.proposal', content.proposer, proposalSigningBytes(content), record.proposal.signature)
  for (const node of record.involved) {
    const v = record.validations[node]
    if (v !== undefined) nodeStatement(v)
  }
  for (const list of [record.consents, record.refusals]) for (const s of list) if (s !== null) participantItem(s.statement.kind, s)
  for (const node of record.involved) {
    const c = record.commits[node]
    if (c !== undefined) nodeItem('chain.commit', node, commitSigningBytes(c.chain), c.signature)
    const a = record.aborts[node]
    if (a !== undefined) nodeStatement(a)
  }
  for (const list of [record.deliveries, record.confirmations]) for (const s of list) if (s !== null) participantItem(s.statement.kind, s)
  for (const message of dispute?.messages ?? []) {
    if (message.by === 'participant') {
      keys[message.signed.statement.participant] ??= publicKeyToClaims(message.signed.statement.participant === dispute!.provider.participant ? dispute!.provider.key : dispute!.recipient.key)
      items.push(item(message.signed.statement.kind, message.signed.statement.participant, statementBytes(message.signed.statement), message.signed.signature))
    } else {
      nodeStatement(message.signed)
    }
  }
  return { format: EVIDENCE_FORMAT, chain: record.id, dispute: dispute?.id ?? null, content, keys, items }
}

/** Checks a bundle alone: the chain id is its content's, and every item verifies with its signer's listed key. Returns the items checked. */
export function verifyEvidenceBundle (bundle: EvidenceBundle, verifier: SignatureVerifier): number {
  if (chainId(bundle.content) !== bundle.chain) throw new InvalidCertificateError(`the bundle's content is not chain ${bundle.chain}`)
  for (const entry of bundle.items) {
    const claims = bundle.keys[entry.signer]
    if (claims === undefined) throw new InvalidCertificateError(`no key for ${entry.signer}`)
    const signature = { ed25519: fromString(entry.ed25519, 'base64pad'), mldsa: fromString(entry.mldsa, 'base64pad') }
    if (!verifier.verify(publicKeyFromClaims(claims), fromString(entry.bytes, 'base64pad'), signature)) {
      throw new InvalidCertificateError(`the ${entry.what} of ${entry.signer} does not verify`)
    }
  }
  return bundle.items.length
}
