import test from 'ava'
import { AUDIT_BATCH_IDS_MAX, decodeAuditRecord, encodeAuditRecord, type AuditRecord } from '../../../src/core/audit/record.ts'
import { AUDIT_NAME_LENGTH_MAX, AUDIT_RECORD_BYTES_MAX, AUDIT_TEXT_LENGTH_MAX } from '../../../src/core/audit/constants.ts'

const records: AuditRecord[] = [
  { kind: 'boundary', timestamp_ms: 1, direction: 'in', data_class: 'incident_summary', peer: '12D3KooWpeer', verdict: 'rejected', reason: 'PolicyDeniedError', message_id: 'ab12', bytes: 512 },
  { kind: 'boundary', timestamp_ms: 2, direction: 'out', data_class: 'summary', peer: '12D3KooWpeer', verdict: 'accepted' },
  { kind: 'handshake', timestamp_ms: 3, peer: '12D3KooWpeer', from_state: 'capabilities', to_state: 'active' },
  { kind: 'policy', timestamp_ms: 4, peer: 'uk_north', change: 'agreed', policy_hash: 'ff00' },
  { kind: 'membership', timestamp_ms: 5, change: 'add', node: '12D3KooWnew', epoch: 3, slot: 'membership/3' },
  { kind: 'operator', timestamp_ms: 6, action: 'audit.export', actor: 'api', detail: 'since 10', attributes: { rows: 10, json: true } }
]

test('every kind of record encodes to domain-prefixed canonical JSON and decodes back', (t) => {
  for (const record of records) {
    const bytes = encodeAuditRecord(record)
    t.true(new TextDecoder().decode(bytes).startsWith('fedmesh/audit-record/1\n{"'))
    t.deepEqual(decodeAuditRecord(bytes), record)
  }
})

test('field order does not change the bytes: one event, one leaf', (t) => {
  const a = encodeAuditRecord({ kind: 'operator', timestamp_ms: 9, action: 'x', actor: 'y' })
  const b = encodeAuditRecord({ actor: 'y', action: 'x', timestamp_ms: 9, kind: 'operator' } as AuditRecord)
  t.deepEqual(a, b)
})

test('a record outside its schema is refused with MalformedAuditRecordError', (t) => {
  const bad = [
    { kind: 'boundary', timestamp_ms: 1, direction: 'sideways', data_class: 'x', peer: 'p', verdict: 'accepted' },
    { kind: 'boundary', timestamp_ms: -1, direction: 'in', data_class: 'x', peer: 'p', verdict: 'accepted' },
    { kind: 'operator', timestamp_ms: 1, action: 'x', surprise: 1 },
    { kind: 'operator', timestamp_ms: 1, action: 'x', detail: 'd'.repeat(AUDIT_TEXT_LENGTH_MAX + 1) }
  ]
  for (const record of bad) t.throws(() => encodeAuditRecord(record as AuditRecord), { name: 'MalformedAuditRecordError' })
})

test('a record is bounded by AUDIT_RECORD_BYTES_MAX, checked on both sides', (t) => {
  const attributes: Record<string, string> = {}
  for (let i = 0; i < 16; i++) attributes[`k${i}`] = 'v'.repeat(AUDIT_TEXT_LENGTH_MAX)
  t.throws(() => encodeAuditRecord({ kind: 'operator', timestamp_ms: 1, action: 'x', attributes }), { name: 'MalformedAuditRecordError', message: /at most 4096/ })
  const big = new Uint8Array(AUDIT_RECORD_BYTES_MAX + 1)
  t.throws(() => decodeAuditRecord(big), { name: 'MalformedAuditRecordError' })
})

test('decoding refuses a wrong prefix and a non-canonical body, and keeps a record of a kind from a later version', (t) => {
  const enc = new TextEncoder()
  t.throws(() => decodeAuditRecord(enc.encode('fedmesh/other/1\n{}')), { name: 'MalformedAuditRecordError' })
  t.throws(() => decodeAuditRecord(enc.encode('fedmesh/audit-record/1\n{"timestamp_ms":1,"kind":"operator","action":"x"}')), { name: 'MalformedAuditRecordError', message: /canonical/ })
  t.deepEqual(decodeAuditRecord(enc.encode('fedmesh/audit-record/1\n{"kind":"quota","timestamp_ms":7,"limit":3}')), { kind: 'quota', timestamp_ms: 7, limit: 3 })
})

test('a record of exactly AUDIT_RECORD_BYTES_MAX bytes encodes and decodes; one byte more is refused', (t) => {
  const attributes: Record<string, string> = {}
  for (let i = 0; i < 7; i++) attributes[`k${i}`] = 'v'.repeat(AUDIT_TEXT_LENGTH_MAX)
  const base: AuditRecord = { kind: 'operator', timestamp_ms: 1, action: 'x', attributes, detail: '' }
  const padding = AUDIT_RECORD_BYTES_MAX - encodeAuditRecord(base).length
  t.true(padding > 0 && padding <= AUDIT_TEXT_LENGTH_MAX)
  const exact = encodeAuditRecord({ ...base, detail: 'd'.repeat(padding) })
  t.is(exact.length, AUDIT_RECORD_BYTES_MAX)
  t.is((decodeAuditRecord(exact) as { detail: string }).detail.length, padding)
  t.throws(() => encodeAuditRecord({ ...base, detail: 'd'.repeat(padding + 1) }), { name: 'MalformedAuditRecordError' })
})

test('a boundary_batch record names up to AUDIT_BATCH_IDS_MAX envelope ids and fits one leaf even with every name at its longest', (t) => {
  const ids = Array.from({ length: AUDIT_BATCH_IDS_MAX }, (_, i) => i.toString(16).padStart(32, 'f'))
  const long = 'x'.repeat(AUDIT_NAME_LENGTH_MAX)
  const record: AuditRecord = { kind: 'boundary_batch', timestamp_ms: 7, direction: 'in', data_class: long, peer: long, verdict: 'accepted', source: long, message_ids: ids, bytes: 2 ** 40 }
  const bytes = encodeAuditRecord(record)
  t.true(bytes.length <= AUDIT_RECORD_BYTES_MAX)
  t.deepEqual(decodeAuditRecord(bytes), record)
  const bad = [
    { ...record, message_ids: [...ids, 'a'.repeat(32)] },
    { ...record, message_ids: [] },
    { ...record, message_ids: ['AB'.repeat(16)] },
    { ...record, message_ids: ['ab'] },
    { ...record, verdict: 'rejected' },
    { ...record, direction: 'out' }
  ]
  for (const b of bad) t.throws(() => encodeAuditRecord(b as AuditRecord), { name: 'MalformedAuditRecordError' })
})
