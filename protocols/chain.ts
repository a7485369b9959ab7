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

export interface ChainStep {
  node: string
  site: string
  need: string
  offer: string
  participant?: string
}

export namespace ChainStep {
  let _codec: Codec<ChainStep>

  export const codec = (): Codec<ChainStep> => {
    if (_codec == null) {
      _codec = message<ChainStep>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.node != null && obj.node !== '')) {
          w.uint32(10)
          w.string(obj.node)
        }

        if ((obj.site != null && obj.site !== '')) {
          w.uint32(18)
          w.string(obj.site)
        }

        if ((obj.need != null && obj.need !== '')) {
          w.uint32(26)
          w.string(obj.need)
        }

        if ((obj.offer != null && obj.offer !== '')) {
          w.uint32(34)
          w.string(obj.offer)
        }

        if (obj.participant != null) {
          w.uint32(42)
          w.string(obj.participant)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          node: '',
          site: '',
          need: '',
          offer: ''
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
              obj.site = reader.string()
              break
            }
            case 3: {
              obj.need = reader.string()
              break
            }
            case 4: {
              obj.offer = reader.string()
              break
            }
            case 5: {
              obj.participant = reader.string()
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

  export const encode = (obj: Partial<ChainStep>): Uint8Array => {
    return encodeMessage(obj, ChainStep.codec())
  }

  export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ChainStep>): ChainStep => {
    return decodeMessage(buf, ChainStep.codec(), opts)
  }
}

export interface ChainEdge {
  provider: number
  recipient: number
  category: string
  scorePermille: number
}

export namespace ChainEdge {
  let _codec: Codec<ChainEdge>

  export const codec = (): Codec<ChainEdge> => {
    if (_codec == null) {
      _codec = message<ChainEdge>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.provider != null && obj.provider !== 0)) {
          w.uint32(8)
          w.uint32(obj.provider)
        }

        if ((obj.recipient != null && obj.recipient !== 0)) {
          w.uint32(16)
          w.uint32(obj.recipient)
        }

        if ((obj.category != null && obj.category !== '')) {
          w.uint32(26)
          w.string(obj.category)
        }

        if ((obj.scorePermille != null && obj.scorePermille !== 0)) {
          w.uint32(32)
          w.uint32(obj.scorePermille)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          provider: 0,
          recipient: 0,
          category: '',
          scorePermille: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.provider = reader.uint32()
              break
            }
            case 2: {
              obj.recipient = reader.uint32()
              break
            }
            case 3: {
              obj.category = reader.string()
              break
            }
            case 4: {
              obj.scorePermille = reader.uint32()
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

  export const encode = (obj: Partial<ChainEdge>): Uint8Array => {
    return encodeMessage(obj, ChainEdge.codec())
  }

  export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ChainEdge>): ChainEdge => {
    return decodeMessage(buf, ChainEdge.codec(), opts)
  }
}

export interface ChainTimeline {
  consentDeadlineMs: bigint
  executionStartMs: bigint
  executionEndMs: bigint
}

export namespace ChainTimeline {
  let _codec: Codec<ChainTimeline>

  export const codec = (): Codec<ChainTimeline> => {
    if (_codec == null) {
      _codec = message<ChainTimeline>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.consentDeadlineMs != null && obj.consentDeadlineMs !== 0n)) {
          w.uint32(8)
          w.uint64(obj.consentDeadlineMs)
        }

        if ((obj.executionStartMs != null && obj.executionStartMs !== 0n)) {
          w.uint32(16)
          w.uint64(obj.executionStartMs)
        }

        if ((obj.executionEndMs != null && obj.executionEndMs !== 0n)) {
          w.uint32(24)
          w.uint64(obj.executionEndMs)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          consentDeadlineMs: 0n,
          executionStartMs: 0n,
          executionEndMs: 0n
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.consentDeadlineMs = reader.uint64()
              break
            }
            case 2: {
              obj.executionStartMs = reader.uint64()
              break
            }
            case 3: {
              obj.executionEndMs = reader.uint64()
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

  export const encode = (obj: Partial<ChainTimeline>): Uint8Array => {
    return encodeMessage(obj, ChainTimeline.codec())
  }

  export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ChainTimeline>): ChainTimeline => {
    return decodeMessage(buf, ChainTimeline.codec(), opts)
  }
}

export interface ChainContent {
  version: number
  federationId: string
  proposer: string
  proposedAtMs: bigint
  steps: ChainStep[]
  edges: ChainEdge[]
  timeline?: ChainTimeline
}

export namespace ChainContent {
  let _codec: Codec<ChainContent>

  export const codec = (): Codec<ChainContent> => {
    if (_codec == null) {
      _codec = message<ChainContent>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.version != null && obj.version !== 0)) {
          w.uint32(8)
          w.uint32(obj.version)
        }

        if ((obj.federationId != null && obj.federationId !== '')) {
          w.uint32(18)
          w.string(obj.federationId)
        }

        if ((obj.proposer != null && obj.proposer !== '')) {
          w.uint32(26)
          w.string(obj.proposer)
        }

        if ((obj.proposedAtMs != null && obj.proposedAtMs !== 0n)) {
          w.uint32(32)
          w.uint64(obj.proposedAtMs)
        }

        if (obj.steps != null) {
          for (const value of obj.steps) {
            w.uint32(42)
            ChainStep.codec().encode(value, w)
          }
        }

        if (obj.edges != null) {
          for (const value of obj.edges) {
            w.uint32(50)
            ChainEdge.codec().encode(value, w)
          }
        }

        if (obj.timeline != null) {
          w.uint32(58)
          ChainTimeline.codec().encode(obj.timeline, w)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          version: 0,
          federationId: '',
          proposer: '',
          proposedAtMs: 0n,
          steps: [],
          edges: []
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
              obj.federationId = reader.string()
              break
            }
            case 3: {
              obj.proposer = reader.string()
              break
            }
            case 4: {
              obj.proposedAtMs = reader.uint64()
              break
            }
            case 5: {
              if (opts.limits?.steps != null && obj.steps.length === opts.limits.steps) {
                throw new MaxLengthError('Decode error - map field "steps" had too many elements')
              }

              obj.steps.push(ChainStep.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.steps$
              }))
              break
            }
            case 6: {
              if (opts.limits?.edges != null && obj.edges.length === opts.limits.edges) {
                throw new MaxLengthError('Decode error - map field "edges" had too many elements')
              }

              obj.edges.push(ChainEdge.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.edges$
              }))
              break
            }
            case 7: {
              obj.timeline = ChainTimeline.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.timeline
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

  export const encode = (obj: Partial<ChainContent>): Uint8Array => {
    return encodeMessage(obj, ChainContent.codec())
  }

  export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ChainContent>): ChainContent => {
    return decodeMessage(buf, ChainContent.codec(), opts)
  }
}

export interface ChainProposal {
  content?: ChainContent
  signature?: HybridSignature
}

export namespace ChainProposal {
  let _codec: Codec<ChainProposal>

  export const codec = (): Codec<ChainProposal> => {
    if (_codec == null) {
      _codec = message<ChainProposal>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.content != null) {
          w.uint32(10)
          ChainContent.codec().encode(obj.content, w)
        }

        if (obj.signature != null) {
          w.uint32(18)
          HybridSignature.codec().encode(obj.signature, w)
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
              obj.content = ChainContent.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.content
              })
              break
            }
            case 2: {
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

  export const encode = (obj: Partial<ChainProposal>): Uint8Array => {
    return encodeMessage(obj, ChainProposal.codec())
  }

  export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ChainProposal>): ChainProposal => {
    return decodeMessage(buf, ChainProposal.codec(), opts)
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

export interface ChainConsent {
  chainId: Uint8Array
  index: number
  statement?: ParticipantStatement
}

export namespace ChainConsent {
  let _codec: Codec<ChainConsent>

  export const codec = (): Codec<ChainConsent> => {
    if (_codec == null) {
      _codec = message<ChainConsent>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.chainId != null && obj.chainId.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.chainId)
        }

        if ((obj.index != null && obj.index !== 0)) {
          w.uint32(16)
          w.uint32(obj.index)
        }

        if (obj.statement != null) {
          w.uint32(26)
          ParticipantStatement.codec().encode(obj.statement, w)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          chainId: uint8ArrayAlloc(0),
          index: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.chainId = reader.bytes()
              break
            }
            case 2: {
              obj.index = reader.uint32()
              break
            }
            case 3: {
              obj.statement = ParticipantStatement.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.statement
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

  export const encode = (obj: Partial<ChainConsent>): Uint8Array => {
    return encodeMessage(obj, ChainConsent.codec())
  }

  export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ChainConsent>): ChainConsent => {
    return decodeMessage(buf, ChainConsent.codec(), opts)
  }
}

export interface ChainCommit {
  chainId: Uint8Array
  node: string
  signature?: HybridSignature
}

export namespace ChainCommit {
  let _codec: Codec<ChainCommit>

  export const codec = (): Codec<ChainCommit> => {
    if (_codec == null) {
      _codec = message<ChainCommit>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.chainId != null && obj.chainId.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.chainId)
        }

        if ((obj.node != null && obj.node !== '')) {
          w.uint32(18)
          w.string(obj.node)
        }

        if (obj.signature != null) {
          w.uint32(26)
          HybridSignature.codec().encode(obj.signature, w)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          chainId: uint8ArrayAlloc(0),
          node: ''
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.chainId = reader.bytes()
              break
            }
            case 2: {
              obj.node = reader.string()
              break
            }
            case 3: {
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

  export const encode = (obj: Partial<ChainCommit>): Uint8Array => {
    return encodeMessage(obj, ChainCommit.codec())
  }

  export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ChainCommit>): ChainCommit => {
    return decodeMessage(buf, ChainCommit.codec(), opts)
  }
}

export interface ChainMessage {
  proposal?: ChainProposal
  validation?: NodeStatement
  consent?: ChainConsent
  statement?: ParticipantStatement
  commit?: ChainCommit
  abort?: NodeStatement
}

export namespace ChainMessage {
  let _codec: Codec<ChainMessage>

  export const codec = (): Codec<ChainMessage> => {
    if (_codec == null) {
      _codec = message<ChainMessage>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.proposal != null) {
          w.uint32(10)
          ChainProposal.codec().encode(obj.proposal, w)
        }

        if (obj.validation != null) {
          w.uint32(18)
          NodeStatement.codec().encode(obj.validation, w)
        }

        if (obj.consent != null) {
          w.uint32(26)
          ChainConsent.codec().encode(obj.consent, w)
        }

        if (obj.statement != null) {
          w.uint32(34)
          ParticipantStatement.codec().encode(obj.statement, w)
        }

        if (obj.commit != null) {
          w.uint32(42)
          ChainCommit.codec().encode(obj.commit, w)
        }

        if (obj.abort != null) {
          w.uint32(50)
          NodeStatement.codec().encode(obj.abort, w)
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
              obj.proposal = ChainProposal.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.proposal
              })
              break
            }
            case 2: {
              obj.validation = NodeStatement.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.validation
              })
              break
            }
            case 3: {
              obj.consent = ChainConsent.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.consent
              })
              break
            }
            case 4: {
              obj.statement = ParticipantStatement.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.statement
              })
              break
            }
            case 5: {
              obj.commit = ChainCommit.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.commit
              })
              break
            }
            case 6: {
              obj.abort = NodeStatement.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.abort
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

  export const encode = (obj: Partial<ChainMessage>): Uint8Array => {
    return encodeMessage(obj, ChainMessage.codec())
  }

  export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ChainMessage>): ChainMessage => {
    return decodeMessage(buf, ChainMessage.codec(), opts)
  }
}

export enum ChainOutcome {
  CHAIN_OUTCOME_UNSPECIFIED = 'CHAIN_OUTCOME_UNSPECIFIED',
  APPLIED = 'APPLIED',
  DUPLICATE = 'DUPLICATE',
  DEFERRED = 'DEFERRED',
  IGNORED = 'IGNORED',
  REJECTED = 'REJECTED'
}

enum __ChainOutcomeValues {
  CHAIN_OUTCOME_UNSPECIFIED = 0,
  APPLIED = 1,
  DUPLICATE = 2,
  DEFERRED = 3,
  IGNORED = 4,
  REJECTED = 5
}

export namespace ChainOutcome {
  export const codec = (): Codec<ChainOutcome> => {
    return enumeration<ChainOutcome>(__ChainOutcomeValues)
  }
}

export interface ChainResponse {
  outcome: ChainOutcome
  error: string
}

export namespace ChainResponse {
  let _codec: Codec<ChainResponse>

  export const codec = (): Codec<ChainResponse> => {
    if (_codec == null) {
      _codec = message<ChainResponse>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.outcome != null && __ChainOutcomeValues[obj.outcome] !== 0) {
          w.uint32(8)
          ChainOutcome.codec().encode(obj.outcome, w)
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
          outcome: ChainOutcome.CHAIN_OUTCOME_UNSPECIFIED,
          error: ''
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.outcome = ChainOutcome.codec().decode(reader)
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

  export const encode = (obj: Partial<ChainResponse>): Uint8Array => {
    return encodeMessage(obj, ChainResponse.codec())
  }

  export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ChainResponse>): ChainResponse => {
    return decodeMessage(buf, ChainResponse.codec(), opts)
  }
}

export interface AttestationClaims {
  exchangesCompleted: bigint
  satisfactionRatePermille?: number
  partnerCount: bigint
  memberSinceMs: bigint
  vouchesReceived: bigint
  trustTier: string
}

export namespace AttestationClaims {
  let _codec: Codec<AttestationClaims>

  export const codec = (): Codec<AttestationClaims> => {
    if (_codec == null) {
      _codec = message<AttestationClaims>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.exchangesCompleted != null && obj.exchangesCompleted !== 0n)) {
          w.uint32(8)
          w.uint64(obj.exchangesCompleted)
        }

        if (obj.satisfactionRatePermille != null) {
          w.uint32(16)
          w.uint32(obj.satisfactionRatePermille)
        }

        if ((obj.partnerCount != null && obj.partnerCount !== 0n)) {
          w.uint32(24)
          w.uint64(obj.partnerCount)
        }

        if ((obj.memberSinceMs != null && obj.memberSinceMs !== 0n)) {
          w.uint32(32)
          w.uint64(obj.memberSinceMs)
        }

        if ((obj.vouchesReceived != null && obj.vouchesReceived !== 0n)) {
          w.uint32(40)
          w.uint64(obj.vouchesReceived)
        }

        if ((obj.trustTier != null && obj.trustTier !== '')) {
          w.uint32(50)
          w.string(obj.trustTier)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          exchangesCompleted: 0n,
          partnerCount: 0n,
          memberSinceMs: 0n,
          vouchesReceived: 0n,
          trustTier: ''
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.exchangesCompleted = reader.uint64()
              break
            }
            case 2: {
              obj.satisfactionRatePermille = reader.uint32()
              break
            }
            case 3: {
              obj.partnerCount = reader.uint64()
              break
            }
            case 4: {
              obj.memberSinceMs = reader.uint64()
              break
            }
            case 5: {
              obj.vouchesReceived = reader.uint64()
              break
            }
            case 6: {
              obj.trustTier = reader.string()
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

  export const encode = (obj: Partial<AttestationClaims>): Uint8Array => {
    return encodeMessage(obj, AttestationClaims.codec())
  }

  export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<AttestationClaims>): AttestationClaims => {
    return decodeMessage(buf, AttestationClaims.codec(), opts)
  }
}

export interface Attestation {
  version: number
  federationId: string
  issuingNode: string
  participant: string
  participantKey: Uint8Array
  issuedAtMs: bigint
  claims?: AttestationClaims
  signature?: HybridSignature
}

export namespace Attestation {
  let _codec: Codec<Attestation>

  export const codec = (): Codec<Attestation> => {
    if (_codec == null) {
      _codec = message<Attestation>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.version != null && obj.version !== 0)) {
          w.uint32(8)
          w.uint32(obj.version)
        }

        if ((obj.federationId != null && obj.federationId !== '')) {
          w.uint32(18)
          w.string(obj.federationId)
        }

        if ((obj.issuingNode != null && obj.issuingNode !== '')) {
          w.uint32(26)
          w.string(obj.issuingNode)
        }

        if ((obj.participant != null && obj.participant !== '')) {
          w.uint32(34)
          w.string(obj.participant)
        }

        if ((obj.participantKey != null && obj.participantKey.byteLength > 0)) {
          w.uint32(42)
          w.bytes(obj.participantKey)
        }

        if ((obj.issuedAtMs != null && obj.issuedAtMs !== 0n)) {
          w.uint32(48)
          w.uint64(obj.issuedAtMs)
        }

        if (obj.claims != null) {
          w.uint32(58)
          AttestationClaims.codec().encode(obj.claims, w)
        }

        if (obj.signature != null) {
          w.uint32(66)
          HybridSignature.codec().encode(obj.signature, w)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          version: 0,
          federationId: '',
          issuingNode: '',
          participant: '',
          participantKey: uint8ArrayAlloc(0),
          issuedAtMs: 0n
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
              obj.federationId = reader.string()
              break
            }
            case 3: {
              obj.issuingNode = reader.string()
              break
            }
            case 4: {
              obj.participant = reader.string()
              break
            }
            case 5: {
              obj.participantKey = reader.bytes()
              break
            }
            case 6: {
              obj.issuedAtMs = reader.uint64()
              break
            }
            case 7: {
              obj.claims = AttestationClaims.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.claims
              })
              break
            }
            case 8: {
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

  export const encode = (obj: Partial<Attestation>): Uint8Array => {
    return encodeMessage(obj, Attestation.codec())
  }

  export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Attestation>): Attestation => {
    return decodeMessage(buf, Attestation.codec(), opts)
  }
}
