/* eslint-disable import/export */
/* eslint-disable complexity */
/* eslint-disable @typescript-eslint/no-namespace */
/* eslint-disable @typescript-eslint/no-unnecessary-boolean-literal-compare */
/* eslint-disable @typescript-eslint/no-empty-interface */
/* eslint-disable import/consistent-type-specifier-style */
/* eslint-disable @typescript-eslint/no-unused-vars */

import { decodeMessage, encodeMessage, MaxLengthError, message } from 'protons-runtime'
import { alloc as uint8ArrayAlloc } from 'uint8arrays/alloc'
import type { Codec, DecodeOptions } from 'protons-runtime'
import type { Uint8ArrayList } from 'uint8arraylist'

export interface NodeRecordBody {
  version: number
  peerId: string
  seq: bigint
  timestampMs: bigint
  siteId: string
  jurisdiction: string
  capabilities: string[]
  federationEnabled: boolean
  addrs: string[]
  mldsaLevel: number
  mldsaPublicKey: Uint8Array
}

export namespace NodeRecordBody {
  let _codec: Codec<NodeRecordBody>

  export const codec = (): Codec<NodeRecordBody> => {
    if (_codec == null) {
      _codec = message<NodeRecordBody>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.version != null && obj.version !== 0)) {
          w.uint32(8)
          w.uint32(obj.version)
        }

        if ((obj.peerId != null && obj.peerId !== '')) {
          w.uint32(18)
          w.string(obj.peerId)
        }

        if ((obj.seq != null && obj.seq !== 0n)) {
          w.uint32(24)
          w.uint64(obj.seq)
        }

        if ((obj.timestampMs != null && obj.timestampMs !== 0n)) {
          w.uint32(32)
          w.uint64(obj.timestampMs)
        }

        if ((obj.siteId != null && obj.siteId !== '')) {
          w.uint32(42)
          w.string(obj.siteId)
        }

        if ((obj.jurisdiction != null && obj.jurisdiction !== '')) {
          w.uint32(50)
          w.string(obj.jurisdiction)
        }

        if (obj.capabilities != null) {
          for (const value of obj.capabilities) {
            w.uint32(58)
            w.string(value)
          }
        }

        if ((obj.federationEnabled != null && obj.federationEnabled !== false)) {
          w.uint32(64)
          w.bool(obj.federationEnabled)
        }

        if (obj.addrs != null) {
          for (const value of obj.addrs) {
            w.uint32(74)
            w.string(value)
          }
        }

        if ((obj.mldsaLevel != null && obj.mldsaLevel !== 0)) {
          w.uint32(80)
          w.uint32(obj.mldsaLevel)
        }

        if ((obj.mldsaPublicKey != null && obj.mldsaPublicKey.byteLength > 0)) {
          w.uint32(90)
          w.bytes(obj.mldsaPublicKey)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          version: 0,
          peerId: '',
          seq: 0n,
          timestampMs: 0n,
          siteId: '',
          jurisdiction: '',
          capabilities: [],
          federationEnabled: false,
          addrs: [],
          mldsaLevel: 0,
          mldsaPublicKey: uint8ArrayAlloc(0)
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
              obj.peerId = reader.string()
              break
            }
            case 3: {
              obj.seq = reader.uint64()
              break
            }
            case 4: {
              obj.timestampMs = reader.uint64()
              break
            }
            case 5: {
              obj.siteId = reader.string()
              break
            }
            case 6: {
              obj.jurisdiction = reader.string()
              break
            }
            case 7: {
              if (opts.limits?.capabilities != null && obj.capabilities.length === opts.limits.capabilities) {
                throw new MaxLengthError('Decode error - map field "capabilities" had too many elements')
              }

              obj.capabilities.push(reader.string())
              break
            }
            case 8: {
              obj.federationEnabled = reader.bool()
              break
            }
            case 9: {
              if (opts.limits?.addrs != null && obj.addrs.length === opts.limits.addrs) {
                throw new MaxLengthError('Decode error - map field "addrs" had too many elements')
              }

              obj.addrs.push(reader.string())
              break
            }
            case 10: {
              obj.mldsaLevel = reader.uint32()
              break
            }
            case 11: {
              obj.mldsaPublicKey = reader.bytes()
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

  export const encode = (obj: Partial<NodeRecordBody>): Uint8Array => {
    return encodeMessage(obj, NodeRecordBody.codec())
  }

  export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<NodeRecordBody>): NodeRecordBody => {
    return decodeMessage(buf, NodeRecordBody.codec(), opts)
  }
}

export interface SignedNodeRecord {
  body: Uint8Array
  ed25519Signature: Uint8Array
  mldsaSignature: Uint8Array
}

export namespace SignedNodeRecord {
  let _codec: Codec<SignedNodeRecord>

  export const codec = (): Codec<SignedNodeRecord> => {
    if (_codec == null) {
      _codec = message<SignedNodeRecord>((obj, w, opts = {}) => {
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

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          body: uint8ArrayAlloc(0),
          ed25519Signature: uint8ArrayAlloc(0),
          mldsaSignature: uint8ArrayAlloc(0)
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

  export const encode = (obj: Partial<SignedNodeRecord>): Uint8Array => {
    return encodeMessage(obj, SignedNodeRecord.codec())
  }

  export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SignedNodeRecord>): SignedNodeRecord => {
    return decodeMessage(buf, SignedNodeRecord.codec(), opts)
  }
}
