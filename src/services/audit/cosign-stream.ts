/**
 * `/fedmesh/audit-cosign/1.0.0`: a witness hands its cosignature of a
 * checkpoint straight to the checkpoint's origin (the only node that keeps
 * it), instead of gossiping it to every member. One frame each way
 * (length-prefixed protobuf, it-protobuf-stream, ≤ COSIGN_FRAME_BYTES_MAX):
 * `CosignatureDelivery`, then `CosignatureAck` with '' or the refusal's
 * reason code. The witness is the stream's remote peer (the connection
 * authenticated it); the origin rebuilds the signed bytes from its own
 * checkpoint. Spec: protocols/audit.md, "Cosignatures".
 */
import type { Libp2p, Stream } from '@libp2p/interface'
import { peerIdFromString } from '@libp2p/peer-id'
import { pbStream } from 'it-protobuf-stream'
import { CosignatureAck, CosignatureDelivery } from '../../../protocols/audit.ts'
import { COSIGNATURE_REFUSALS, CosignatureRefusedError, type CosignatureRefusal } from '../../core/audit/errors.ts'
import { InputError } from '../../core/errors.ts'
import type { Cosignature } from '../../core/audit/checkpoint.ts'
import type { CosignatureDeliveryFields } from '../../core/audit/cosign.ts'
import type { Logger } from '../../runtime/log.ts'
import { AUDIT_COSIGN_PROTOCOL, COSIGN_FRAME_BYTES_MAX, COSIGN_SEND_MS_MAX, INBOUND_STREAM_MS_MAX } from './constants.ts'

/** The cosignature could not be handed to the origin (no connection, the dial or the stream failed, no answer in time). */
export class CosignatureUndeliveredError extends InputError {
  static override readonly code = 'CosignatureUndeliveredError'
  override readonly name = 'CosignatureUndeliveredError'
}

/**
 * Hands `cosignature` of the origin's checkpoint (`size`, `root`) to the origin: one attempt, bounded by
 * COSIGN_SEND_MS_MAX with the dial included, never retried (a cosignature is an attestation, not data
 * that must arrive). Resolves when the origin kept it; throws CosignatureRefusedError with the origin's
 * reason, or CosignatureUndeliveredError.
 */
export async function sendCosignature (streams: Pick<Libp2p, 'dialProtocol'>, init: { origin: string, size: number, root: Uint8Array, cosignature: Cosignature, signal?: AbortSignal }): Promise<void> {
  const signal = AbortSignal.any([AbortSignal.timeout(COSIGN_SEND_MS_MAX), ...(init.signal === undefined ? [] : [init.signal])])
  let stream: Stream | undefined
  let ack: CosignatureAck
  try {
    stream = await streams.dialProtocol(peerIdFromString(init.origin), AUDIT_COSIGN_PROTOCOL, { signal })
    const pb = pbStream(stream, { maxDataLength: COSIGN_FRAME_BYTES_MAX })
    const delivery: CosignatureDelivery = {
      size: BigInt(init.size), root: init.root, timestampMs: BigInt(init.cosignature.timestamp_ms), ed25519: init.cosignature.signature.ed25519, mldsa: init.cosignature.signature.mldsa
    }
    await pb.write(delivery, CosignatureDelivery, { signal })
    ack = await pb.read(CosignatureAck, { signal })
    await stream.close({ signal })
  } catch (err) {
    stream?.abort(err as Error)
    throw new CosignatureUndeliveredError(`cosignature to ${init.origin} not delivered: ${(err as Error).message}`, { cause: err })
  }
  if (ack.error === '') return
  const reason = (COSIGNATURE_REFUSALS as readonly string[]).includes(ack.error) ? ack.error as CosignatureRefusal : 'malformed'
  throw new CosignatureRefusedError(reason, `refused by the origin ${init.origin}${reason === ack.error ? '' : ` (${ack.error.slice(0, 40)})`}`)
}

/**
 * Takes cosignatures of this node's checkpoints: reads one bounded frame, hands it to `accept` (which runs
 * the checks and keeps it, or throws CosignatureRefusedError) and answers with the reason code. Never throws.
 */
export function cosignHandler (init: { accept: (witness: string, delivery: CosignatureDeliveryFields) => Promise<void>, logger: Logger }) {
  return async ({ stream, connection }: { stream: Stream, connection: { remotePeer: { toString: () => string } } }): Promise<void> => {
    const signal = AbortSignal.timeout(INBOUND_STREAM_MS_MAX)
    const witness = connection.remotePeer.toString()
    try {
      const pb = pbStream(stream, { maxDataLength: COSIGN_FRAME_BYTES_MAX })
      let error = ''
      let delivery: CosignatureDelivery | undefined
      try {
        delivery = await pb.read(CosignatureDelivery, { signal })
      } catch (err) {
        // an oversized or undecodable frame: answered if the stream still takes it
        error = 'malformed'
        init.logger.debug({ err, peer: witness }, 'a cosignature frame did not decode')
      }
      if (delivery !== undefined) {
        try {
          await init.accept(witness, delivery)
        } catch (err) {
          error = err instanceof CosignatureRefusedError ? err.reason : 'malformed'
          if (!(err instanceof CosignatureRefusedError)) init.logger.warn({ err, peer: witness }, 'keeping a cosignature failed')
        }
      }
      await pb.write({ error }, CosignatureAck, { signal })
      await stream.close({ signal })
    } catch (err) {
      init.logger.debug({ err, peer: witness }, 'cosignature stream failed')
      stream.abort(err as Error)
    }
  }
}
