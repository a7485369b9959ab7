/**
 * A matching instance: the taxonomy plus, per node, either its participants
 * (exact, with identities) or its summary (counts only). The clearing and the
 * enumeration run on one; the node builds it from its store, `fedmesh match
 * --instance` from a file (format in docs/matching.md).
 */
import { type Taxonomy, compareText, parseTaxonomy } from './taxonomy.ts'
import type { Participant } from './participant.ts'
import { validateParticipants, validateWeight } from './participant.ts'
import type { SummaryEntry } from './summary.ts'
import { validateSummary } from './summary.ts'
import { formatParticipantId, validateNodeId, PARTICIPANT_ID_SCHEME } from '../identity/participant-id.ts'
import { DuplicateNodeError, DuplicateParticipantError, InvalidInstanceError } from './errors.ts'
import { NODES_PER_INSTANCE_MAX } from './limits.ts'

/** One node of an instance, validated: participants sorted by id, summary canonical. */
export interface InstanceNode {
  id: string
  /** weight of this node's units (e.g. its trust score) unless a participant has its own; 0 by default */
  weight: number
  participants: Participant[]
  summary: SummaryEntry[]
}

/** A validated instance; nodes sorted by id. */
export interface MatchingInstance {
  taxonomy: Taxonomy
  nodes: InstanceNode[]
}

/** A node as a caller gives it: participants or a summary. */
export interface InstanceNodeInput {
  id: string
  weight?: number
  participants?: Participant[]
  summary?: SummaryEntry[]
}

/** Validates nodes against the taxonomy and every limit; throws the named error of the first problem. */
export function buildInstance (taxonomy: Taxonomy, nodes: readonly InstanceNodeInput[]): MatchingInstance {
  if (nodes.length > NODES_PER_INSTANCE_MAX) {
    throw new InvalidInstanceError(`an instance has at most ${NODES_PER_INSTANCE_MAX} nodes, got ${nodes.length}`)
  }
  const seenNodes = new Set<string>()
  const seenParticipants = new Set<string>()
  const result: InstanceNode[] = []
  for (const node of nodes) {
    validateNodeId(node.id)
    if (seenNodes.has(node.id)) throw new DuplicateNodeError(`node ${node.id} appears twice`)
    seenNodes.add(node.id)
    if (node.participants !== undefined && node.summary !== undefined && node.participants.length > 0 && node.summary.length > 0) {
      throw new InvalidInstanceError(`node ${node.id} gives both participants and a summary; give one (a summary would count its participants twice)`)
    }
    const participants = validateParticipants(node.participants ?? [], taxonomy, node.id)
    for (const participant of participants) {
      if (seenParticipants.has(participant.id)) throw new DuplicateParticipantError(`participant ${participant.id} appears on two nodes`)
      seenParticipants.add(participant.id)
    }
    const summary = validateSummary({ node: node.id, entries: node.summary ?? [] }, taxonomy).entries
    result.push({ id: node.id, weight: node.weight === undefined ? 0 : validateWeight(node.weight, `node ${node.id}`), participants, summary })
  }
  return { taxonomy, nodes: result.sort((a, b) => compareText(a.id, b.id)) }
}

function fail (where: string, message: string): never {
  throw new InvalidInstanceError(`${where}: ${message}`)
}

function isRecord (value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
}

function checkKeys (value: Record<string, unknown>, allowed: readonly string[], where: string): void {
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) fail(where, `unknown key "${key}" (allowed: ${allowed.join(', ')})`)
  }
}

function stringList (value: unknown, where: string): string[] {
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) fail(where, 'must be a list of category strings')
  return value as string[]
}

function parseParticipantDocument (value: unknown, node: string, where: string): Participant {
  if (!isRecord(value)) fail(where, 'must be an object { "id", "need", "offer" }')
  checkKeys(value, ['id', 'need', 'offer', 'needs', 'offers', 'weight'], where)
  if (typeof value.id !== 'string') fail(where, '"id" must be a string (a handle or sep://handle@node)')
  const id = value.id.startsWith(PARTICIPANT_ID_SCHEME) ? value.id : formatParticipantId({ handle: value.id, node })
  const one = (single: unknown, list: unknown, name: string): string[] => {
    if (single !== undefined && list !== undefined) fail(where, `give "${name}" or "${name}s", not both`)
    if (single !== undefined) {
      if (typeof single !== 'string') fail(where, `"${name}" must be a category string`)
      return [single]
    }
    if (list !== undefined) return stringList(list, `${where}.${name}s`)
    return fail(where, `"${name}" is required`)
  }
  const participant: Participant = { id, needs: one(value.need, value.needs, 'need'), offers: one(value.offer, value.offers, 'offer') }
  if (value.weight !== undefined) participant.weight = value.weight as number
  return participant
}

/**
 * Reads an instance document (parsed JSON, format in docs/matching.md) into a
 * validated instance. A participant id may be a bare handle: it becomes
 * `sep://<handle>@<node id>`.
 */
export function parseInstanceDocument (document: unknown): MatchingInstance {
  if (!isRecord(document)) fail('instance', 'must be an object { "categories": [...], "nodes": [...] }')
  checkKeys(document, ['categories', 'nodes'], 'instance')
  const taxonomy = parseTaxonomy(stringList(document.categories, 'categories'))
  if (!Array.isArray(document.nodes)) fail('nodes', 'must be a list')
  if (document.nodes.length > NODES_PER_INSTANCE_MAX) fail('nodes', `at most ${NODES_PER_INSTANCE_MAX} nodes`)
  const nodes: InstanceNodeInput[] = document.nodes.map((node: unknown, i: number) => {
    const where = `nodes[${i}]`
    if (!isRecord(node)) fail(where, 'must be an object { "id", "participants" | "summary" }')
    checkKeys(node, ['id', 'weight', 'participants', 'summary'], where)
    if (typeof node.id !== 'string') fail(where, '"id" must be a string')
    const input: InstanceNodeInput = { id: node.id }
    if (node.weight !== undefined) input.weight = node.weight as number
    if (node.participants !== undefined) {
      if (!Array.isArray(node.participants)) fail(`${where}.participants`, 'must be a list')
      input.participants = node.participants.map((p: unknown, j: number) => parseParticipantDocument(p, node.id as string, `${where}.participants[${j}]`))
    }
    if (node.summary !== undefined) {
      if (!Array.isArray(node.summary)) fail(`${where}.summary`, 'must be a list of { "need", "offer", "count" }')
      input.summary = node.summary.map((e: unknown, j: number) => {
        if (!isRecord(e)) fail(`${where}.summary[${j}]`, 'must be an object { "need", "offer", "count" }')
        checkKeys(e, ['need', 'offer', 'count'], `${where}.summary[${j}]`)
        return e as unknown as SummaryEntry
      })
    }
    return input
  })
  return buildInstance(taxonomy, nodes)
}

/** Total participants (entries' owners) and summary units of an instance. */
export function instanceSize (instance: MatchingInstance): { participants: number, summaryUnits: number } {
  let participants = 0
  let summaryUnits = 0
  for (const node of instance.nodes) {
    participants += node.participants.length
    for (const entry of node.summary) summaryUnits += entry.count
  }
  return { participants, summaryUnits }
}
