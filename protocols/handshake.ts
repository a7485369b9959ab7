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

export interface HandshakeSignature {
  ed25519: Uint8Array
  mldsa: Uint8Array
}

export namespace HandshakeSignature {
  let _codec: Codec<HandshakeSignature>

  export const codec = (): Codec<HandshakeSignature> => {
    if (_codec == null) {
      _codec = message<HandshakeSignature>((obj, w, opts = {}) => {
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

  export const encode = (obj: Partial<HandshakeSignature>): Uint8Array => {
    return encodeMessage(obj, HandshakeSignature.codec())
  }

  export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<HandshakeSignature>): HandshakeSignature => {
    return decodeMessage(buf, HandshakeSignature.codec(), opts)
  }
}

export interface Capabilities {
  versions: number[]
  offered: string[]
  wanted: string[]
  heartbeatIntervalMs: number
  messageBytesMax: number
}

export namespace Capabilities {
  let _codec: Codec<Capabilities>

  export const codec = (): Codec<Capabilities> => {
    if (_codec == null) {
      _codec = message<Capabilities>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.versions != null) {
          for (const value of obj.versions) {
            w.uint32(8)
            w.uint32(value)
          }
        }

        if (obj.offered != null) {
          for (const value of obj.offered) {
            w.uint32(18)
            w.string(value)
          }
        }

        if (obj.wanted != null) {
          for (const value of obj.wanted) {
            w.uint32(26)
            w.string(value)
          }
        }

        if ((obj.heartbeatIntervalMs != null && obj.heartbeatIntervalMs !== 0)) {
          w.uint32(32)
          w.uint32(obj.heartbeatIntervalMs)
        }

        if ((obj.messageBytesMax != null && obj.messageBytesMax !== 0)) {
          w.uint32(40)
          w.uint32(obj.messageBytesMax)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          versions: [],
          offered: [],
          wanted: [],
          heartbeatIntervalMs: 0,
          messageBytesMax: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.versions != null && obj.versions.length === opts.limits.versions) {
                throw new MaxLengthError('Decode error - map field "versions" had too many elements')
              }

              obj.versions.push(reader.uint32())
              break
            }
            case 2: {
              if (opts.limits?.offered != null && obj.offered.length === opts.limits.offered) {
                throw new MaxLengthError('Decode error - map field "offered" had too many elements')
              }

              obj.offered.push(reader.string())
              break
            }
            case 3: {
              if (opts.limits?.wanted != null && obj.wanted.length === opts.limits.wanted) {
                throw new MaxLengthError('Decode error - map field "wanted" had too many elements')
              }

              obj.wanted.push(reader.string())
              break
            }
            case 4: {
              obj.heartbeatIntervalMs = reader.uint32()
              break
            }
            case 5: {
              obj.messageBytesMax = reader.uint32()
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

  export const encode = (obj: Partial<Capabilities>): Uint8Array => {
    return encodeMessage(obj, Capabilities.codec())
  }

  export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Capabilities>): Capabilities => {
    return decodeMessage(buf, Capabilities.codec(), opts)
  }
}

export interface Hello {
  node: string
  nonce: Uint8Array
  capabilities?: Capabilities
  nodeRecord: Uint8Array
}

export namespace Hello {
  let _codec: Codec<Hello>

  export const codec = (): Codec<Hello> => {
    if (_codec == null) {
      _codec = message<Hello>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.node != null && obj.node !== '')) {
          w.uint32(10)
          w.string(obj.node)
        }

        if ((obj.nonce != null && obj.nonce.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.nonce)
        }

        if (obj.capabilities != null) {
          w.uint32(26)
          Capabilities.codec().encode(obj.capabilities, w)
        }

        if ((obj.nodeRecord != null && obj.nodeRecord.byteLength > 0)) {
          w.uint32(34)
          w.bytes(obj.nodeRecord)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          node: '',
          nonce: uint8ArrayAlloc(0),
          nodeRecord: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.node = reader.string()
              break
            }
            case 2: {
              obj.nonce = reader.bytes()
              break
            }
            case 3: {
              obj.capabilities = Capabilities.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.capabilities
              })
              break
            }
            case 4: {
              obj.nodeRecord = reader.bytes()
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

  export const encode = (obj: Partial<Hello>): Uint8Array => {
    return encodeMessage(obj, Hello.codec())
  }

  export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Hello>): Hello => {
    return decodeMessage(buf, Hello.codec(), opts)
  }
}

export interface PolicyTerms {
  initiatorSends: string[]
  responderSends: string[]
  heartbeatIntervalMs: number
  messageBytesMax: number
}

export namespace PolicyTerms {
  let _codec: Codec<PolicyTerms>

  export const codec = (): Codec<PolicyTerms> => {
    if (_codec == null) {
      _codec = message<PolicyTerms>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.initiatorSends != null) {
          for (const value of obj.initiatorSends) {
            w.uint32(10)
            w.string(value)
          }
        }

        if (obj.responderSends != null) {
          for (const value of obj.responderSends) {
            w.uint32(18)
            w.string(value)
          }
        }

        if ((obj.heartbeatIntervalMs != null && obj.heartbeatIntervalMs !== 0)) {
          w.uint32(24)
          w.uint32(obj.heartbeatIntervalMs)
        }

        if ((obj.messageBytesMax != null && obj.messageBytesMax !== 0)) {
          w.uint32(32)
          w.uint32(obj.messageBytesMax)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          initiatorSends: [],
          responderSends: [],
          heartbeatIntervalMs: 0,
          messageBytesMax: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.initiatorSends != null && obj.initiatorSends.length === opts.limits.initiatorSends) {
                throw new MaxLengthError('Decode error - map field "initiatorSends" had too many elements')
              }

              obj.initiatorSends.push(reader.string())
              break
            }
            case 2: {
              if (opts.limits?.responderSends != null && obj.responderSends.length === opts.limits.responderSends) {
                throw new MaxLengthError('Decode error - map field "responderSends" had too many elements')
              }

              obj.responderSends.push(reader.string())
              break
            }
            case 3: {
              obj.heartbeatIntervalMs = reader.uint32()
              break
            }
            case 4: {
              obj.messageBytesMax = reader.uint32()
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

  export const encode = (obj: Partial<PolicyTerms>): Uint8Array => {
    return encodeMessage(obj, PolicyTerms.codec())
  }

  export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<PolicyTerms>): PolicyTerms => {
    return decodeMessage(buf, PolicyTerms.codec(), opts)
  }
}

export interface HelloReply {
  hello?: Hello
  signature?: HandshakeSignature
}

export namespace HelloReply {
  let _codec: Codec<HelloReply>

  export const codec = (): Codec<HelloReply> => {
    if (_codec == null) {
      _codec = message<HelloReply>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.hello != null) {
          w.uint32(10)
          Hello.codec().encode(obj.hello, w)
        }

        if (obj.signature != null) {
          w.uint32(18)
          HandshakeSignature.codec().encode(obj.signature, w)
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
              obj.hello = Hello.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.hello
              })
              break
            }
            case 2: {
              obj.signature = HandshakeSignature.codec().decode(reader, reader.uint32(), {
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

  export const encode = (obj: Partial<HelloReply>): Uint8Array => {
    return encodeMessage(obj, HelloReply.codec())
  }

  export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<HelloReply>): HelloReply => {
    return decodeMessage(buf, HelloReply.codec(), opts)
  }
}

export interface Auth {
  signature?: HandshakeSignature
  proposal?: PolicyTerms
}

export namespace Auth {
  let _codec: Codec<Auth>

  export const codec = (): Codec<Auth> => {
    if (_codec == null) {
      _codec = message<Auth>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.signature != null) {
          w.uint32(10)
          HandshakeSignature.codec().encode(obj.signature, w)
        }

        if (obj.proposal != null) {
          w.uint32(18)
          PolicyTerms.codec().encode(obj.proposal, w)
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
              obj.signature = HandshakeSignature.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.signature
              })
              break
            }
            case 2: {
              obj.proposal = PolicyTerms.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.proposal
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

  export const encode = (obj: Partial<Auth>): Uint8Array => {
    return encodeMessage(obj, Auth.codec())
  }

  export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Auth>): Auth => {
    return decodeMessage(buf, Auth.codec(), opts)
  }
}

export interface Counter {
  round: number
  terms?: PolicyTerms
}

export namespace Counter {
  let _codec: Codec<Counter>

  export const codec = (): Codec<Counter> => {
    if (_codec == null) {
      _codec = message<Counter>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.round != null && obj.round !== 0)) {
          w.uint32(8)
          w.uint32(obj.round)
        }

        if (obj.terms != null) {
          w.uint32(18)
          PolicyTerms.codec().encode(obj.terms, w)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          round: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.round = reader.uint32()
              break
            }
            case 2: {
              obj.terms = PolicyTerms.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.terms
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

  export const encode = (obj: Partial<Counter>): Uint8Array => {
    return encodeMessage(obj, Counter.codec())
  }

  export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Counter>): Counter => {
    return decodeMessage(buf, Counter.codec(), opts)
  }
}

export interface Accept {
  terms?: PolicyTerms
}

export namespace Accept {
  let _codec: Codec<Accept>

  export const codec = (): Codec<Accept> => {
    if (_codec == null) {
      _codec = message<Accept>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.terms != null) {
          w.uint32(10)
          PolicyTerms.codec().encode(obj.terms, w)
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
              obj.terms = PolicyTerms.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.terms
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

  export const encode = (obj: Partial<Accept>): Uint8Array => {
    return encodeMessage(obj, Accept.codec())
  }

  export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Accept>): Accept => {
    return decodeMessage(buf, Accept.codec(), opts)
  }
}

export interface Refuse {
  code: string
  reason: string
}

export namespace Refuse {
  let _codec: Codec<Refuse>

  export const codec = (): Codec<Refuse> => {
    if (_codec == null) {
      _codec = message<Refuse>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.code != null && obj.code !== '')) {
          w.uint32(10)
          w.string(obj.code)
        }

        if ((obj.reason != null && obj.reason !== '')) {
          w.uint32(18)
          w.string(obj.reason)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          code: '',
          reason: ''
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.code = reader.string()
              break
            }
            case 2: {
              obj.reason = reader.string()
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

  export const encode = (obj: Partial<Refuse>): Uint8Array => {
    return encodeMessage(obj, Refuse.codec())
  }

  export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Refuse>): Refuse => {
    return decodeMessage(buf, Refuse.codec(), opts)
  }
}

export interface Heartbeat {
  seq: bigint
  sentAtMs: bigint
}

export namespace Heartbeat {
  let _codec: Codec<Heartbeat>

  export const codec = (): Codec<Heartbeat> => {
    if (_codec == null) {
      _codec = message<Heartbeat>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.seq != null && obj.seq !== 0n)) {
          w.uint32(8)
          w.uint64(obj.seq)
        }

        if ((obj.sentAtMs != null && obj.sentAtMs !== 0n)) {
          w.uint32(16)
          w.uint64(obj.sentAtMs)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          seq: 0n,
          sentAtMs: 0n
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.seq = reader.uint64()
              break
            }
            case 2: {
              obj.sentAtMs = reader.uint64()
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

  export const encode = (obj: Partial<Heartbeat>): Uint8Array => {
    return encodeMessage(obj, Heartbeat.codec())
  }

  export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Heartbeat>): Heartbeat => {
    return decodeMessage(buf, Heartbeat.codec(), opts)
  }
}

export interface Terminate {
  forced: boolean
  noticeMs: bigint
  reason: string
}

export namespace Terminate {
  let _codec: Codec<Terminate>

  export const codec = (): Codec<Terminate> => {
    if (_codec == null) {
      _codec = message<Terminate>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.forced != null && obj.forced !== false)) {
          w.uint32(8)
          w.bool(obj.forced)
        }

        if ((obj.noticeMs != null && obj.noticeMs !== 0n)) {
          w.uint32(16)
          w.uint64(obj.noticeMs)
        }

        if ((obj.reason != null && obj.reason !== '')) {
          w.uint32(26)
          w.string(obj.reason)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          forced: false,
          noticeMs: 0n,
          reason: ''
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.forced = reader.bool()
              break
            }
            case 2: {
              obj.noticeMs = reader.uint64()
              break
            }
            case 3: {
              obj.reason = reader.string()
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

  export const encode = (obj: Partial<Terminate>): Uint8Array => {
    return encodeMessage(obj, Terminate.codec())
  }

  export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Terminate>): Terminate => {
    return decodeMessage(buf, Terminate.codec(), opts)
  }
}

export interface HandshakeMessage {
  hello?: Hello
  helloReply?: HelloReply
  auth?: Auth
  counter?: Counter
  accept?: Accept
  refuse?: Refuse
  heartbeat?: Heartbeat
  terminate?: Terminate
}

export namespace HandshakeMessage {
  let _codec: Codec<HandshakeMessage>

  export const codec = (): Codec<HandshakeMessage> => {
    if (_codec == null) {
      _codec = message<HandshakeMessage>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.hello != null) {
          w.uint32(10)
          Hello.codec().encode(obj.hello, w)
        }

        if (obj.helloReply != null) {
          w.uint32(18)
          HelloReply.codec().encode(obj.helloReply, w)
        }

        if (obj.auth != null) {
          w.uint32(26)
          Auth.codec().encode(obj.auth, w)
        }

        if (obj.counter != null) {
          w.uint32(34)
          Counter.codec().encode(obj.counter, w)
        }

        if (obj.accept != null) {
          w.uint32(42)
          Accept.codec().encode(obj.accept, w)
        }

        if (obj.refuse != null) {
          w.uint32(50)
          Refuse.codec().encode(obj.refuse, w)
        }

        if (obj.heartbeat != null) {
          w.uint32(58)
          Heartbeat.codec().encode(obj.heartbeat, w)
        }

        if (obj.terminate != null) {
          w.uint32(66)
          Terminate.codec().encode(obj.terminate, w)
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
              obj.hello = Hello.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.hello
              })
              break
            }
            case 2: {
              obj.helloReply = HelloReply.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.helloReply
              })
              break
            }
            case 3: {
              obj.auth = Auth.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.auth
              })
              break
            }
            case 4: {
              obj.counter = Counter.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.counter
              })
              break
            }
            case 5: {
              obj.accept = Accept.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.accept
              })
              break
            }
            case 6: {
              obj.refuse = Refuse.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.refuse
              })
              break
            }
            case 7: {
              obj.heartbeat = Heartbeat.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.heartbeat
              })
              break
            }
            case 8: {
              obj.terminate = Terminate.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.terminate
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

  export const encode = (obj: Partial<HandshakeMessage>): Uint8Array => {
    return encodeMessage(obj, HandshakeMessage.codec())
  }

  export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<HandshakeMessage>): HandshakeMessage => {
    return decodeMessage(buf, HandshakeMessage.codec(), opts)
  }
}

export enum BilateralOutcome {
  BILATERAL_OUTCOME_UNSPECIFIED = 'BILATERAL_OUTCOME_UNSPECIFIED',
  DELIVERED = 'DELIVERED',
  DUPLICATE = 'DUPLICATE',
  REJECTED = 'REJECTED'
}

enum __BilateralOutcomeValues {
  BILATERAL_OUTCOME_UNSPECIFIED = 0,
  DELIVERED = 1,
  DUPLICATE = 2,
  REJECTED = 3
}

export namespace BilateralOutcome {
  export const codec = (): Codec<BilateralOutcome> => {
    return enumeration<BilateralOutcome>(__BilateralOutcomeValues)
  }
}

export interface BilateralAck {
  outcome: BilateralOutcome
  error: string
}

export namespace BilateralAck {
  let _codec: Codec<BilateralAck>

  export const codec = (): Codec<BilateralAck> => {
    if (_codec == null) {
      _codec = message<BilateralAck>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.outcome != null && __BilateralOutcomeValues[obj.outcome] !== 0) {
          w.uint32(8)
          BilateralOutcome.codec().encode(obj.outcome, w)
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
          outcome: BilateralOutcome.BILATERAL_OUTCOME_UNSPECIFIED,
          error: ''
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.outcome = BilateralOutcome.codec().decode(reader)
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

  export const encode = (obj: Partial<BilateralAck>): Uint8Array => {
    return encodeMessage(obj, BilateralAck.codec())
  }

  export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<BilateralAck>): BilateralAck => {
    return decodeMessage(buf, BilateralAck.codec(), opts)
  }
}
