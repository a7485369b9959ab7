/**
 * Equivocation evidence for origin logs (protocols/sync.md "Equivocation
 * evidence"): two envelopes one origin signed that cannot both be in its log.
 * Like vote equivocation evidence (core/consensus/evidence.ts) it is
 * self-contained: both envelopes with their signatures, so any member checks
 * it with the membership alone, keeps it, passes it on in sync rounds and
 * penalises the origin once.
 */
import { VerdictError } from '../../core/errors.ts'
import type { HybridPublicKey, SignatureVerifier } from '../../core/signature.ts'
import { decodeEnvelope, envelopeBodyHash, type DecodedEnvelope } from '../../wire/envelope.ts'

/** The pair does not show an equivocation (or a signature does not verify). */
export class InvalidLogEvidenceError extends VerdictError {
  static override readonly code = 'InvalidLogEvidenceError'
  override readonly name = 'InvalidLogEvidenceError'
  readonly action = 'reject'
  override readonly code = 'invalid_evidence'
}

/** Verified evidence: who, which log, where, which kind, and the two envelopes (canonical order). */
export interface LogEvidence {
  origin: string
  dataClass: string
  /** the seq of the second envelope */
  seq: number
  /** fork: two bodies at one seq; link: seq n+1 does not link to seq n */
  kind: 'fork' | 'link'
  first: Uint8Array
  second: Uint8Array
}

const hex = (bytes: Uint8Array): string => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex')

/** The key evidence is kept under: one per (class, origin, seq, kind). */
export function evidenceKey (evidence: Pick<LogEvidence, 'dataClass' | 'origin' | 'seq' | 'kind'>): string {
  return `${evidence.dataClass}/${evidence.origin}/${evidence.seq}/${evidence.kind}`
}

function decode (bytes: Uint8Array): DecodedEnvelope {
  try {
    return decodeEnvelope(bytes)
  } catch (err) {
    throw new InvalidLogEvidenceError(`evidence holds an envelope that does not decode: ${(err as Error).message}`)
  }
}

/**
 * Checks two signed envelopes: one source, class and federation, sequenced, and
 * either the same seq with different bodies or consecutive seqs whose link does
 * not hold; both signatures verify with the source's member key. Returns the
 * evidence in canonical order; throws InvalidLogEvidenceError.
 */
export function verifyLogEvidence (a: Uint8Array, b: Uint8Array, context: { federationId: string, memberKey: (id: string) => HybridPublicKey | undefined, verifier: SignatureVerifier, anyFederation?: boolean }): LogEvidence {
  const da = decode(a)
  const db = decode(b)
  const ea = da.envelope
  const eb = db.envelope
  if (ea.source !== eb.source || ea.dataClass !== eb.dataClass || ea.federationId !== eb.federationId) throw new InvalidLogEvidenceError('evidence envelopes are from different logs')
  if (context.anyFederation !== true && ea.federationId !== context.federationId) throw new InvalidLogEvidenceError(`evidence for federation ${ea.federationId}`)
  if (ea.originSeq === 0 || eb.originSeq === 0) throw new InvalidLogEvidenceError('evidence envelopes must be sequenced')
  const ha = hex(envelopeBodyHash(da))
  const hb = hex(envelopeBodyHash(db))
  // canonical order: lower seq first, then lower body hash
  const [first, second, hFirst, hSecond] = ea.originSeq < eb.originSeq || (ea.originSeq === eb.originSeq && ha < hb) ? [da, db, ha, hb] : [db, da, hb, ha]
  let kind: LogEvidence['kind']
  if (first.envelope.originSeq === second.envelope.originSeq) {
    if (hFirst === hSecond) throw new InvalidLogEvidenceError('the same envelope twice is no equivocation')
    kind = 'fork'
  } else if (second.envelope.originSeq === first.envelope.originSeq + 1) {
    if (hex(second.envelope.prevHash) === hFirst) throw new InvalidLogEvidenceError('the envelopes link: no equivocation')
    kind = 'link'
  } else {
    throw new InvalidLogEvidenceError('evidence envelopes are neither at one seq nor neighbours')
  }
  const key = context.memberKey(ea.source)
  if (key === undefined) throw new InvalidLogEvidenceError(`evidence against ${ea.source}, not a member`)
  for (const d of [first, second]) {
    if (!context.verifier.verify(key, d.signedBytes, d.signature)) throw new InvalidLogEvidenceError(`evidence against ${ea.source}: a signature does not verify`)
  }
  const bytesOf = (d: DecodedEnvelope): Uint8Array => (d === da ? a : b)
  return { origin: ea.source, dataClass: ea.dataClass, seq: second.envelope.originSeq, kind, first: bytesOf(first), second: bytesOf(second) }
}
