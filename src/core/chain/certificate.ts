/**
 * The commit certificate: every involved node's commit signature over the
 * chain id. Anyone holding the proposal and the membership verifies it alone;
 * its hash seeds the arbitration draw.
 */
import { createHash } from 'node:crypto'
import type { HybridPublicKey, SignatureVerifier } from '../signature.ts'
import { fromString } from 'uint8arrays'
import { CERTIFICATE_HASH_DOMAIN } from './constants.ts'
import { InvalidCertificateError } from './errors.ts'
import { verifyCommit, type CommitSignature } from './node-statement.ts'
import { chainId, involvedNodes, type ChainContent } from './proposal.ts'

/** A commit certificate: the chain id and one commit signature per involved node, sorted by node. */
export interface CommitCertificate {
  chain: string
  commits: CommitSignature[]
}

/** Checks a certificate against the chain's content: exactly the involved nodes, each signature valid. Throws InvalidCertificateError. */
export function verifyCertificate (certificate: CommitCertificate, content: ChainContent, nodeKey: (node: string) => HybridPublicKey | undefined, verifier: SignatureVerifier): void {
  const id = chainId(content)
  if (certificate.chain !== id) throw new InvalidCertificateError(`certificate for chain ${certificate.chain}, the content is chain ${id}`)
  const involved = involvedNodes(content)
  const signers = certificate.commits.map((c) => c.node)
  if (signers.length !== involved.length || signers.some((node, i) => node !== involved[i])) {
    throw new InvalidCertificateError(`a certificate holds one commit per involved node, sorted (${involved.join(', ')}); got ${signers.join(', ')}`)
  }
  for (const commit of certificate.commits) {
    if (commit.chain !== id) throw new InvalidCertificateError(`the commit of ${commit.node} is for chain ${commit.chain}`)
    const key = nodeKey(commit.node)
    if (key === undefined) throw new InvalidCertificateError(`${commit.node} is not a member`)
    try {
      verifyCommit(commit, key, verifier)
    } catch (err) {
      throw new InvalidCertificateError(`the commit of ${commit.node} does not verify`, { cause: err })
    }
  }
}

function lengthPrefixed (hash: ReturnType<typeof createHash>, bytes: Uint8Array): void {
  const length = new Uint8Array(4)
  new DataView(length.buffer).setUint32(0, bytes.length)
  hash.update(length).update(bytes)
}

/**
 * The certificate hash: SHA-256 of the domain ‖ chain id (32 bytes) ‖ for each
 * commit in node order: u32 length ‖ node id, u32 length ‖ Ed25519 signature,
 * u32 length ‖ ML-DSA signature. Hex.
 */
export function certificateHash (certificate: CommitCertificate): string {
  const hash = createHash('sha256').update(CERTIFICATE_HASH_DOMAIN).update(fromString(certificate.chain, 'base16'))
  const utf8 = new TextEncoder()
  for (const commit of certificate.commits) {
    lengthPrefixed(hash, utf8.encode(commit.node))
    lengthPrefixed(hash, commit.signature.ed25519)
    lengthPrefixed(hash, commit.signature.mldsa)
  }
  return hash.digest('hex')
}
