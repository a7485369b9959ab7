/**
 * What nodes sign in chain settlement: node statements (a validation, an
 * abort, a mediation recommendation, an arbitration ruling) over a domain ‖
 * canonical JSON, and commit signatures over a domain ‖ the 32 raw bytes of
 * the chain id — the compact form every commit certificate holds. Keys come
 * from the membership, never from the message.
 */
import { fromString, toString } from 'uint8arrays'
import type { ClaimValue } from '../identity/statement.ts'
import type { HybridPublicKey, HybridSignature, HybridSigner, MlDsaLevel, SignatureVerifier } from '../signature.ts'
import { canonicalJson } from '../consensus/canonical.ts'
import { CHAIN_ID_PATTERN, COMMIT_SIGNING_DOMAIN, NODE_STATEMENT_SIGNING_DOMAIN } from './constants.ts'
import { InvalidClaimsError, NodeSignatureError } from './errors.ts'

export const NODE_STATEMENT_KINDS = ['chain.validation', 'chain.abort', 'dispute.recommendation', 'dispute.ruling'] as const
export type NodeStatementKind = typeof NODE_STATEMENT_KINDS[number]

/** A node's word about a chain or dispute (`subject` is its id). */
export interface NodeStatement {
  kind: NodeStatementKind
  /** the signing node's PeerId */
  node: string
  /** chain id or dispute id (hex SHA-256) */
  subject: string
  issuedAtMs: number
  claims: { [key: string]: ClaimValue }
}

export interface SignedNodeStatement {
  statement: NodeStatement
  signature: HybridSignature
}

/** A node's signature over `COMMIT_SIGNING_DOMAIN ‖ chain id bytes`: "I commit to this chain". */
export interface CommitSignature {
  chain: string
  node: string
  signature: HybridSignature
}

const utf8 = new TextEncoder()

function concat (domain: string, body: Uint8Array): Uint8Array {
  const head = utf8.encode(domain)
  const out = new Uint8Array(head.length + body.length)
  out.set(head, 0)
  out.set(body, head.length)
  return out
}

/** The exact bytes a node signs for a statement: domain ‖ canonical JSON of the statement. */
export function nodeStatementBytes (statement: NodeStatement): Uint8Array {
  if (!(NODE_STATEMENT_KINDS as readonly string[]).includes(statement.kind)) throw new InvalidClaimsError(`unknown node statement kind ${JSON.stringify(statement.kind)}`)
  if (!CHAIN_ID_PATTERN.test(statement.subject)) throw new InvalidClaimsError('a node statement\'s subject is a hex SHA-256 id')
  if (!Number.isSafeInteger(statement.issuedAtMs) || statement.issuedAtMs <= 0) throw new InvalidClaimsError('a node statement\'s issuedAtMs is a positive millisecond time')
  const { kind, node, subject, issuedAtMs, claims } = statement
  return concat(NODE_STATEMENT_SIGNING_DOMAIN, utf8.encode(canonicalJson({ kind, node, subject, issuedAtMs, claims })))
}

/** Signs a statement as `statement.node`. */
export function signNodeStatement (statement: NodeStatement, signer: HybridSigner): SignedNodeStatement {
  return { statement, signature: signer.sign(nodeStatementBytes(statement)) }
}

/** Verifies a node statement with the node's membership key; throws NodeSignatureError. */
export function verifyNodeStatement (signed: SignedNodeStatement, key: HybridPublicKey, verifier: SignatureVerifier): void {
  if (!verifier.verify(key, nodeStatementBytes(signed.statement), signed.signature)) {
    throw new NodeSignatureError(`the ${signed.statement.kind} of ${signed.statement.node} does not verify with its membership key`)
  }
}

/** The exact bytes of a commit signature: domain ‖ the 32 bytes of the chain id. */
export function commitSigningBytes (chain: string): Uint8Array {
  if (!CHAIN_ID_PATTERN.test(chain)) throw new InvalidClaimsError('a chain id is 64 lowercase hex characters')
  return concat(COMMIT_SIGNING_DOMAIN, fromString(chain, 'base16'))
}

/** Signs the commit of `chain` as `node`. */
export function signCommit (chain: string, node: string, signer: HybridSigner): CommitSignature {
  return { chain, node, signature: signer.sign(commitSigningBytes(chain)) }
}

/** Verifies a commit signature with the node's membership key; throws NodeSignatureError. */
export function verifyCommit (commit: CommitSignature, key: HybridPublicKey, verifier: SignatureVerifier): void {
  if (!verifier.verify(key, commitSigningBytes(commit.chain), commit.signature)) {
    throw new NodeSignatureError(`the commit signature of ${commit.node} for chain ${commit.chain} does not verify`)
  }
}

/** A public key as canonical-JSON claims (base64), so it can sit inside signed statements. */
export interface PublicKeyClaims {
  ed25519: string
  mldsa: string
  mldsa_level: number
  [key: string]: ClaimValue
}

/** The claims form of a public key. */
export function publicKeyToClaims (key: HybridPublicKey): PublicKeyClaims {
  return { ed25519: toString(key.ed25519, 'base64pad'), mldsa: toString(key.mldsa, 'base64pad'), mldsa_level: key.mldsaLevel }
}

/** A public key from claims; throws InvalidClaimsError on anything malformed. */
export function publicKeyFromClaims (claims: unknown): HybridPublicKey {
  const c = claims as Partial<PublicKeyClaims> | null
  if (c === null || typeof c !== 'object' || typeof c.ed25519 !== 'string' || typeof c.mldsa !== 'string' || ![44, 65, 87].includes(c.mldsa_level as number)) {
    throw new InvalidClaimsError('a public key is { ed25519, mldsa (base64), mldsa_level 44|65|87 }')
  }
  try {
    return { ed25519: fromString(c.ed25519, 'base64pad'), mldsa: fromString(c.mldsa, 'base64pad'), mldsaLevel: c.mldsa_level as MlDsaLevel }
  } catch (err) {
    throw new InvalidClaimsError('a public key is base64', { cause: err })
  }
}
