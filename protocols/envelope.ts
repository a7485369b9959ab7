/* eslint-disable import/export */
/* eslint-disable complexity */
/* eslint-disable @typescript-eslint/no-namespace */
/* eslint-disable @typescript-eslint/no-unnecessary-boolean-literal-compare */
/* eslint-disable @typescript-eslint/no-empty-interface */
/* eslint-disable import/consistent-type-specifier-style */
/* eslint-disable @typescript-eslint/no-unused-vars */

import { decodeMessage, encodeMessage, enumeration, message } from 'protons-runtime'
import { alloc as uint8ArrayAlloc } from 'uint8arrays/alloc'
import type { Codec, DecodeOptions } from 'protons-runtime'
import type { Uint8ArrayList } from 'uint8arraylist'

export enum DataClass {
  DATA_CLASS_UNSPECIFIED = 'DATA_CLASS_UNSPECIFIED',
  SUMMARY = 'SUMMARY',
  ATTESTATION = 'ATTESTATION',
  VOTE = 'VOTE',
  AGGREGATED_METRICS = 'AGGREGATED_METRICS',
  INCIDENT_SUMMARY = 'INCIDENT_SUMMARY',
  PLAYBOOK_METADATA = 'PLAYBOOK_METADATA',
  COORDINATION_REQUEST = 'COORDINATION_REQUEST',
  CHAIN = 'CHAIN',
  AUDIT_CHECKPOINT = 'AUDIT_CHECKPOINT',
  MOVE_ACK = 'MOVE_ACK'
}

enum __DataClassValues {
  DATA_CLASS_UNSPECIFIED = 0,
  SUMMARY = 1,
  ATTESTATION = 2,
  VOTE = 3,
  AGGREGATED_METRICS = 4,
  INCIDENT_SUMMARY = 5,
  PLAYBOOK_METADATA = 6,
  COORDINATION_REQUEST = 7,
  CHAIN = 8,
  AUDIT_CHECKPOINT = 9,
  MOVE_ACK = 10
}

export namespace DataClass {
  export const codec = (): Codec<DataClass> => {
    return enumeration<DataClass>(__DataClassValues)
  }
}

export enum Priority {
  ROUTINE = 'ROUTINE',
  ELEVATED = 'ELEVATED',
  URGENT = 'URGENT',
  CRITICAL = 'CRITICAL'
}

enum __PriorityValues {
  ROUTINE = 0,
  ELEVATED = 1,
  URGENT = 2,
  CRITICAL = 3
}

export namespace Priority {
  export const codec = (): Codec<Priority> => {
    return enumeration<Priority>(__PriorityValues)
  }
}

export interface EnvelopeBody {
  version: number
  id: Uint8Array
  timestampMs: bigint
  source: string
  destination: string
  federationId: string
  ttl: number
  dataClass: DataClass
  priority: Priority
  schemaId: string
  contentType: string
  payload: Uint8Array
  originSeq: bigint
  prevHash: Uint8Array
}

export namespace EnvelopeBody {
  let _codec: Codec<EnvelopeBody>

  export const codec = (): Codec<EnvelopeBody> => {
    if (_codec == null) {
      _codec = message<EnvelopeBody>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.version != null && obj.version !== 0)) {
          w.uint32(8)
          w.uint32(obj.version)
        }

        if ((obj.id != null && obj.id.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.id)
        }

        if ((obj.timestampMs != null && obj.timestampMs !== 0n)) {
          w.uint32(24)
          w.uint64(obj.timestampMs)
        }

        if ((obj.source != null && obj.source !== '')) {
          w.uint32(34)
          w.string(obj.source)
        }

        if ((obj.destination != null && obj.destination !== '')) {
          w.uint32(42)
          w.string(obj.destination)
        }

        if ((obj.federationId != null && obj.federationId !== '')) {
          w.uint32(50)
          w.string(obj.federationId)
        }

        if ((obj.ttl != null && obj.ttl !== 0)) {
          w.uint32(56)
          w.uint32(obj.ttl)
        }

        if (obj.dataClass != null && __DataClassValues[obj.dataClass] !== 0) {
          w.uint32(64)
          DataClass.codec().encode(obj.dataClass, w)
        }

        if (obj.priority != null && __PriorityValues[obj.priority] !== 0) {
          w.uint32(72)
          Priority.codec().encode(obj.priority, w)
        }

        if ((obj.schemaId != null && obj.schemaId !== '')) {
          w.uint32(82)
          w.string(obj.schemaId)
        }

        if ((obj.contentType != null && obj.contentType !== '')) {
          w.uint32(90)
          w.string(obj.contentType)
        }

        if ((obj.payload != null && obj.payload.byteLength > 0)) {
          w.uint32(98)
          w.bytes(obj.payload)
        }

        if ((obj.originSeq != null && obj.originSeq !== 0n)) {
          w.uint32(104)
          w.uint64(obj.originSeq)
        }

        if ((obj.prevHash != null && obj.prevHash.byteLength > 0)) {
          w.uint32(114)
          w.bytes(obj.prevHash)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          version: 0,
          id: uint8ArrayAlloc(0),
          timestampMs: 0n,
          source: '',
          destination: '',
          federationId: '',
          ttl: 0,
          dataClass: DataClass.DATA_CLASS_UNSPECIFIED,
          priority: Priority.ROUTINE,
          schemaId: '',
          contentType: '',
          payload: uint8ArrayAlloc(0),
          originSeq: 0n,
          prevHash: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.version = reader.uint32()
              break
            }
            case 2: {
              obj.id = reader.bytes()
              break
            }
            case 3: {
              obj.timestampMs = reader.uint64()
              break
            }
            case 4: {
              obj.source = reader.string()
              break
            }
            case 5: {
              obj.destination = reader.string()
              break
            }
            case 6: {
              obj.federationId = reader.string()
              break
            }
            case 7: {
              obj.ttl = reader.uint32()
              break
            }
            case 8: {
              obj.dataClass = DataClass.codec().decode(reader)
              break
            }
            case 9: {
              obj.priority = Priority.codec().decode(reader)
              break
            }
            case 10: {
              obj.schemaId = reader.string()
              break
            }
            case 11: {
              obj.contentType = reader.string()
              break
            }
            case 12: {
              obj.payload = reader.bytes()
              break
            }
            case 13: {
              obj.originSeq = reader.uint64()
              break
            }
            case 14: {
              obj.prevHash = reader.bytes()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      })
    }

    return _codec
  }

  export const encode = (obj: Partial<EnvelopeBody>): Uint8Array => {
    return encodeMessage(obj, EnvelopeBody.codec())
  }

  export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<EnvelopeBody>): EnvelopeBody => {
    return decodeMessage(buf, EnvelopeBody.codec(), opts)
  }
}

export interface SignedEnvelope {
  body: Uint8Array
  ed25519Signature: Uint8Array
  mldsaSignature: Uint8Array
  hops: number
}

export namespace SignedEnvelope {
  let _codec: Codec<SignedEnvelope>

  export const codec = (): Codec<SignedEnvelope> => {
    if (_codec == null) {
      _codec = message<SignedEnvelope>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.body != null && obj.body.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.body)
        }

        if ((obj.ed25519Signature != null && obj.ed25519Signature.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.ed25519Signature)
        }

        if ((obj.mldsaSignature != null && obj.mldsaSignature.byteLength > 0)) {
          w.uint32(26)
          w.bytes(obj.mldsaSignature)
        }

        if ((obj.hops != null && obj.hops !== 0)) {
          w.uint32(32)
          w.uint32(obj.hops)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          body: uint8ArrayAlloc(0),
          ed25519Signature: uint8ArrayAlloc(0),
          mldsaSignature: uint8ArrayAlloc(0),
          hops: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.body = reader.bytes()
              break
            }
            case 2: {
              obj.ed25519Signature = reader.bytes()
              break
            }
            case 3: {
              obj.mldsaSignature = reader.bytes()
              break
            }
            case 4: {
              obj.hops = reader.uint32()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      })
    }

    return _codec
  }

  export const encode = (obj: Partial<SignedEnvelope>): Uint8Array => {
    return encodeMessage(obj, SignedEnvelope.codec())
  }

  export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SignedEnvelope>): SignedEnvelope => {
    return decodeMessage(buf, SignedEnvelope.codec(), opts)
  }
}
