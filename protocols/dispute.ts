/* eslint-disable import/export */
/* eslint-disable complexity */
/* eslint-disable @typescript-eslint/no-namespace */
/* eslint-disable @typescript-eslint/no-unnecessary-boolean-literal-compare */
/* eslint-disable @typescript-eslint/no-empty-interface */
/* eslint-disable import/consistent-type-specifier-style */
/* eslint-disable @typescript-eslint/no-unused-vars */

import { decodeMessage, encodeMessage, enumeration, MaxLengthError, message } from 'protons-runtime'
import { alloc as uint8ArrayAlloc } from 'uint8arrays/alloc'
import type { Codec, DecodeOptions } from 'protons-runtime'
import type { Uint8ArrayList } from 'uint8arraylist'

export interface HybridSignature {
  ed25519: Uint8Array
  mldsa: Uint8Array
}

export namespace HybridSignature {
  let _codec: Codec<HybridSignature>

  export const codec = (): Codec<HybridSignature> => {
    if (_codec == null) {
      _codec = message<HybridSignature>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.ed25519 != null && obj.ed25519.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.ed25519)
        }

        if ((obj.mldsa != null && obj.mldsa.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.mldsa)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          ed25519: uint8ArrayAlloc(0),
          mldsa: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.ed25519 = reader.bytes()
              break
            }
            case 2: {
              obj.mldsa = reader.bytes()
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

  export const encode = (obj: Partial<HybridSignature>): Uint8Array => {
    return encodeMessage(obj, HybridSignature.codec())
  }

  export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<HybridSignature>): HybridSignature => {
    return decodeMessage(buf, HybridSignature.codec(), opts)
  }
}

export interface ParticipantStatement {
  kind: string
  participant: string
  issuedAtMs: bigint
  claimsJson: string
  signature?: HybridSignature
}

export namespace ParticipantStatement {
  let _codec: Codec<ParticipantStatement>

  export const codec = (): Codec<ParticipantStatement> => {
    if (_codec == null) {
      _codec = message<ParticipantStatement>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.kind != null && obj.kind !== '')) {
          w.uint32(10)
          w.string(obj.kind)
        }

        if ((obj.participant != null && obj.participant !== '')) {
          w.uint32(18)
          w.string(obj.participant)
        }

        if ((obj.issuedAtMs != null && obj.issuedAtMs !== 0n)) {
          w.uint32(24)
          w.uint64(obj.issuedAtMs)
        }

        if ((obj.claimsJson != null && obj.claimsJson !== '')) {
          w.uint32(34)
          w.string(obj.claimsJson)
        }

        if (obj.signature != null) {
          w.uint32(42)
          HybridSignature.codec().encode(obj.signature, w)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          kind: '',
          participant: '',
          issuedAtMs: 0n,
          claimsJson: ''
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.kind = reader.string()
              break
            }
            case 2: {
              obj.participant = reader.string()
              break
            }
            case 3: {
              obj.issuedAtMs = reader.uint64()
              break
            }
            case 4: {
              obj.claimsJson = reader.string()
              break
            }
            case 5: {
              obj.signature = HybridSignature.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.signature
              })
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

  export const encode = (obj: Partial<ParticipantStatement>): Uint8Array => {
    return encodeMessage(obj, ParticipantStatement.codec())
  }

  export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ParticipantStatement>): ParticipantStatement => {
    return decodeMessage(buf, ParticipantStatement.codec(), opts)
  }
}

export interface NodeStatement {
  kind: string
  node: string
  subject: Uint8Array
  issuedAtMs: bigint
  claimsJson: string
  signature?: HybridSignature
}

export namespace NodeStatement {
  let _codec: Codec<NodeStatement>

  export const codec = (): Codec<NodeStatement> => {
    if (_codec == null) {
      _codec = message<NodeStatement>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.kind != null && obj.kind !== '')) {
          w.uint32(10)
          w.string(obj.kind)
        }

        if ((obj.node != null && obj.node !== '')) {
          w.uint32(18)
          w.string(obj.node)
        }

        if ((obj.subject != null && obj.subject.byteLength > 0)) {
          w.uint32(26)
          w.bytes(obj.subject)
        }

        if ((obj.issuedAtMs != null && obj.issuedAtMs !== 0n)) {
          w.uint32(32)
          w.uint64(obj.issuedAtMs)
        }

        if ((obj.claimsJson != null && obj.claimsJson !== '')) {
          w.uint32(42)
          w.string(obj.claimsJson)
        }

        if (obj.signature != null) {
          w.uint32(50)
          HybridSignature.codec().encode(obj.signature, w)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          kind: '',
          node: '',
          subject: uint8ArrayAlloc(0),
          issuedAtMs: 0n,
          claimsJson: ''
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.kind = reader.string()
              break
            }
            case 2: {
              obj.node = reader.string()
              break
            }
            case 3: {
              obj.subject = reader.bytes()
              break
            }
            case 4: {
              obj.issuedAtMs = reader.uint64()
              break
            }
            case 5: {
              obj.claimsJson = reader.string()
              break
            }
            case 6: {
              obj.signature = HybridSignature.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.signature
              })
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

  export const encode = (obj: Partial<NodeStatement>): Uint8Array => {
    return encodeMessage(obj, NodeStatement.codec())
  }

  export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<NodeStatement>): NodeStatement => {
    return decodeMessage(buf, NodeStatement.codec(), opts)
  }
}

export interface DisputeEntry {
  party?: ParticipantStatement
  node?: NodeStatement
}

export namespace DisputeEntry {
  let _codec: Codec<DisputeEntry>

  export const codec = (): Codec<DisputeEntry> => {
    if (_codec == null) {
      _codec = message<DisputeEntry>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.party != null) {
          w.uint32(10)
          ParticipantStatement.codec().encode(obj.party, w)
        }

        if (obj.node != null) {
          w.uint32(18)
          NodeStatement.codec().encode(obj.node, w)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {}

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.party = ParticipantStatement.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.party
              })
              break
            }
            case 2: {
              obj.node = NodeStatement.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.node
              })
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

  export const encode = (obj: Partial<DisputeEntry>): Uint8Array => {
    return encodeMessage(obj, DisputeEntry.codec())
  }

  export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<DisputeEntry>): DisputeEntry => {
    return decodeMessage(buf, DisputeEntry.codec(), opts)
  }
}

export interface DisputeCase {
  chain: Uint8Array[]
  dispute: DisputeEntry[]
}

export namespace DisputeCase {
  let _codec: Codec<DisputeCase>

  export const codec = (): Codec<DisputeCase> => {
    if (_codec == null) {
      _codec = message<DisputeCase>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.chain != null) {
          for (const value of obj.chain) {
            w.uint32(10)
            w.bytes(value)
          }
        }

        if (obj.dispute != null) {
          for (const value of obj.dispute) {
            w.uint32(18)
            DisputeEntry.codec().encode(value, w)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          chain: [],
          dispute: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.chain != null && obj.chain.length === opts.limits.chain) {
                throw new MaxLengthError('Decode error - map field "chain" had too many elements')
              }

              obj.chain.push(reader.bytes())
              break
            }
            case 2: {
              if (opts.limits?.dispute != null && obj.dispute.length === opts.limits.dispute) {
                throw new MaxLengthError('Decode error - map field "dispute" had too many elements')
              }

              obj.dispute.push(DisputeEntry.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.dispute$
              }))
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

  export const encode = (obj: Partial<DisputeCase>): Uint8Array => {
    return encodeMessage(obj, DisputeCase.codec())
  }

  export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<DisputeCase>): DisputeCase => {
    return decodeMessage(buf, DisputeCase.codec(), opts)
  }
}

export interface DisputeMessage {
  party?: ParticipantStatement
  node?: NodeStatement
  case?: DisputeCase
}

export namespace DisputeMessage {
  let _codec: Codec<DisputeMessage>

  export const codec = (): Codec<DisputeMessage> => {
    if (_codec == null) {
      _codec = message<DisputeMessage>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.party != null) {
          w.uint32(10)
          ParticipantStatement.codec().encode(obj.party, w)
        }

        if (obj.node != null) {
          w.uint32(18)
          NodeStatement.codec().encode(obj.node, w)
        }

        if (obj.case != null) {
          w.uint32(26)
          DisputeCase.codec().encode(obj.case, w)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {}

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.party = ParticipantStatement.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.party
              })
              break
            }
            case 2: {
              obj.node = NodeStatement.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.node
              })
              break
            }
            case 3: {
              obj.case = DisputeCase.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.case
              })
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

  export const encode = (obj: Partial<DisputeMessage>): Uint8Array => {
    return encodeMessage(obj, DisputeMessage.codec())
  }

  export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<DisputeMessage>): DisputeMessage => {
    return decodeMessage(buf, DisputeMessage.codec(), opts)
  }
}

export enum DisputeOutcome {
  DISPUTE_OUTCOME_UNSPECIFIED = 'DISPUTE_OUTCOME_UNSPECIFIED',
  APPLIED = 'APPLIED',
  DUPLICATE = 'DUPLICATE',
  DEFERRED = 'DEFERRED',
  IGNORED = 'IGNORED',
  REJECTED = 'REJECTED'
}

enum __DisputeOutcomeValues {
  DISPUTE_OUTCOME_UNSPECIFIED = 0,
  APPLIED = 1,
  DUPLICATE = 2,
  DEFERRED = 3,
  IGNORED = 4,
  REJECTED = 5
}

export namespace DisputeOutcome {
  export const codec = (): Codec<DisputeOutcome> => {
    return enumeration<DisputeOutcome>(__DisputeOutcomeValues)
  }
}

export interface DisputeResponse {
  outcome: DisputeOutcome
  error: string
}

export namespace DisputeResponse {
  let _codec: Codec<DisputeResponse>

  export const codec = (): Codec<DisputeResponse> => {
    if (_codec == null) {
      _codec = message<DisputeResponse>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.outcome != null && __DisputeOutcomeValues[obj.outcome] !== 0) {
          w.uint32(8)
          DisputeOutcome.codec().encode(obj.outcome, w)
        }

        if ((obj.error != null && obj.error !== '')) {
          w.uint32(18)
          w.string(obj.error)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          outcome: DisputeOutcome.DISPUTE_OUTCOME_UNSPECIFIED,
          error: ''
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.outcome = DisputeOutcome.codec().decode(reader)
              break
            }
            case 2: {
              obj.error = reader.string()
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

  export const encode = (obj: Partial<DisputeResponse>): Uint8Array => {
    return encodeMessage(obj, DisputeResponse.codec())
  }

  export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<DisputeResponse>): DisputeResponse => {
    return decodeMessage(buf, DisputeResponse.codec(), opts)
  }
}
