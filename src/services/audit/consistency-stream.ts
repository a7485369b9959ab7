/**
 * `/fedmesh/audit/1.0.0`: a witness asks an origin for a consistency proof
 * between two sizes of the origin's log; the origin answers with the proof
 * and its own root at the smaller size. One request, one answer, then the
 * stream closes. Frames are length-prefixed protobuf (it-protobuf-stream)
 * with AUDIT_FRAME_BYTES_MAX; the answer's proof is bounded by PROOF_HASHES_MAX.
 */
import type { Libp2p, Stream } from '@libp2p/interface'
import { peerIdFromString } from '@libp2p/peer-id'
import { pbStream } from 'it-protobuf-stream'
import { ConsistencyRequest, ConsistencyResponse } from '../../../protocols/audit.ts'
import { AUDIT_LOG_LEAVES_MAX, HASH_BYTES, PROOF_HASHES_MAX } from '../../core/audit/constants.ts'
import { InputError } from '../../core/errors.ts'
import type { ConsistencyAnswer } from '../../core/audit/witness.ts'
import type { AuditLog } from '../../store/audit-log.ts'
import type { Logger } from '../../runtime/log.ts'
import { AUDIT_FRAME_BYTES_MAX, AUDIT_PROTOCOL, CONSISTENCY_REQUEST_MS_MAX, INBOUND_STREAM_MS_MAX, INBOUND_STREAMS_MAX } from './constants.ts'

/** The origin could not or would not answer a consistency request (its error name is in the message). */
export class ConsistencyRequestFailedError extends InputError {
  static override readonly code = 'ConsistencyRequestFailedError'
  override readonly name = 'ConsistencyRequestFailedError'
}

const decodeResponse = { decode: (bytes: Parameters<typeof ConsistencyResponse.decode>[0]) => ConsistencyResponse.decode(bytes, { limits: { proof: PROOF_HASHES_MAX } }) }

/** A size from the wire as a number, or undefined when it cannot be a committed size. */
function sizeOf (value: bigint): number | undefined {
  return value >= 0n && value <= BigInt(AUDIT_LOG_LEAVES_MAX) ? Number(value) : undefined
}

/** Asks `origin` (a PeerId text) for PROOF(oldSize, D[newSize]) of its log. Throws ConsistencyRequestFailedError. */
export async function requestConsistency (streams: Pick<Libp2p, 'dialProtocol'>, init: { origin: string, oldSize: number, newSize: number, signal?: AbortSignal }): Promise<ConsistencyAnswer> {
  const signal = init.signal ?? AbortSignal.timeout(CONSISTENCY_REQUEST_MS_MAX)
  const stream = await streams.dialProtocol(peerIdFromString(init.origin), AUDIT_PROTOCOL, { signal })
  try {
    const pb = pbStream(stream, { maxDataLength: AUDIT_FRAME_BYTES_MAX })
    await pb.write({ oldSize: BigInt(init.oldSize), newSize: BigInt(init.newSize) }, ConsistencyRequest, { signal })
    const response = await pb.read(decodeResponse, { signal })
    await stream.close({ signal })
    if (response.error !== '') throw new ConsistencyRequestFailedError(`${init.origin} cannot prove ${init.oldSize} → ${init.newSize}: ${response.error.slice(0, 80)}`)
    if (response.oldRoot.length !== HASH_BYTES) throw new ConsistencyRequestFailedError(`${init.origin} answered an old root of ${response.oldRoot.length} bytes`)
    return { old_root: response.oldRoot, proof: response.proof }
  } catch (err) {
    stream.abort(err as Error)
    if (err instanceof ConsistencyRequestFailedError) throw err
    throw new ConsistencyRequestFailedError(`consistency request to ${init.origin} failed: ${(err as Error).message}`, { cause: err })
  }
}

/** Serves consistency proofs of `log` to members; never throws (a bad request is answered with an error name, a broken stream aborted). */
export function consistencyHandler (init: { log: AuditLog, isMember: (peer: string) => boolean, logger: Logger }) {
  return async ({ stream, connection }: { stream: Stream, connection: { remotePeer: { toString: () => string } } }): Promise<void> => {
    const signal = AbortSignal.timeout(INBOUND_STREAM_MS_MAX)
    try {
      if (!init.isMember(connection.remotePeer.toString())) throw new Error('consistency requests are answered to members only')
      const pb = pbStream(stream, { maxDataLength: AUDIT_FRAME_BYTES_MAX })
      const request = await pb.read(ConsistencyRequest, { signal })
      const oldSize = sizeOf(request.oldSize)
      const newSize = sizeOf(request.newSize)
      let response: ConsistencyResponse
      try {
        if (oldSize === undefined || newSize === undefined) throw new ConsistencyRequestFailedError('sizes out of range')
        const proof = await init.log.consistencyProof(oldSize, newSize)
        response = { oldRoot: proof.oldRoot, proof: proof.proof, error: '' }
      } catch (err) {
        response = { oldRoot: new Uint8Array(0), proof: [], error: (err as Error).name ?? 'Error' }
      }
      await pb.write(response, ConsistencyResponse, { signal })
      await stream.close({ signal })
    } catch (err) {
      init.logger.debug({ err, peer: connection.remotePeer.toString() }, 'audit stream failed')
      stream.abort(err as Error)
    }
  }
}

export { INBOUND_STREAMS_MAX }
