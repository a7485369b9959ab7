/**
 * Crash consistency of the inbound path: a process receiving gossiped votes
 * and summaries is SIGKILLed at random moments, ≥ 50 times. An accepted
 * envelope's data and its seen-id are written in one batch, so after every
 * restart: every envelope the sender saw accepted is in the store; for every
 * envelope, its seen-id is stored exactly when its data is (never the id
 * without the data, which would refuse every later copy as a duplicate);
 * anything not stored is accepted when sent again; and every decided slot's
 * QC is made of stored votes.
 */
import test from 'ava'
import { spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createInterface } from 'node:readline'
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus'
import { uniformInt } from 'pure-rand/distribution/uniformInt'
import { Store } from '../../../src/store/store.ts'
import { ConsensusStore } from '../../../src/store/consensus.ts'
import { SummaryRepository } from '../../../src/store/matching-summaries.ts'
import { SeenEnvelopes } from '../../../src/store/seen-envelopes.ts'
import { CLOCK_SKEW_MS_MAX } from '../../../src/wire/limits.ts'
import { decodeEnvelope, type DataClass } from '../../../src/wire/envelope.ts'
import { encodeSummary } from '../../../src/core/matching/summary-codec.ts'
import type { Summary } from '../../../src/core/matching/summary.ts'
import { envelopeBy, member, summaryEnvelope, voteEnvelope, writeGenesis } from '../fixtures/federation.ts'
import { eventHash as eventHashOf, parseEvent } from '../../../src/core/consensus/event.ts'
import { CONSENSUS_SCHEMA_ID } from '../../../src/services/consensus/index.ts'
import { STACK_FEDERATION_ID } from '../fixtures/inbound-stack.ts'

const KILLS = 50
const SEED = Number(process.env.FEDMESH_CRASH_SEED ?? 20261202)
const CHILD = join(dirname(fileURLToPath(import.meta.url)), '../fixtures/crash-child.ts')
const NODE_ARGS = ['--experimental-transform-types', '--disable-warning=ExperimentalWarning']

interface Message {
  n: number
  dataClass: DataClass
  bytes: Uint8Array
  idHex: string
  timestampMs: number
  vote?: { slot: string, voter: string, eventHash: string }
  event?: { slot: string, eventHash: string }
  summary?: { sender: string, site: string, bytes: string }
}

/** A running child: send a message, read its acks. */
interface Child {
  send: (message: Message) => void
  acks: Map<number, string>
  kill: () => Promise<void>
  closed: Promise<void>
}

async function startChild (dataDir: string): Promise<Child> {
  const child = spawn(process.execPath, [...NODE_ARGS, CHILD, dataDir], { stdio: ['pipe', 'pipe', 'inherit'] })
  const acks = new Map<number, string>()
  const closed = new Promise<void>((resolve) => { child.once('exit', () => { resolve() }) })
  const ready = new Promise<void>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout })
    lines.on('line', (line) => {
      if (line === 'ready') { resolve(); return }
      const [, n, action, code] = line.split(' ')
      acks.set(Number(n), `${action} ${code}`)
    })
    child.once('exit', (code) => { reject(new Error(`child exited (${code}) before it was ready`)) })
  })
  await ready
  child.stdin.on('error', () => {}) // writes racing the kill
  return {
    send: (m) => { child.stdin.write(`${m.n} ${m.dataClass} ${Buffer.from(m.bytes).toString('base64')}\n`) },
    acks,
    kill: async () => { child.kill('SIGKILL'); await closed },
    closed
  }
}

async function until (what: string, check: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 2))
  }
}

test(`≥ ${KILLS} SIGKILLs while votes and summaries are committed lose no accepted message and half-apply none (seed ${SEED})`, async (t) => {
  t.log(`seed ${SEED} (replay with FEDMESH_CRASH_SEED=${SEED})`)
  t.timeout(170_000)
  const dataDir = await mkdtemp(join(tmpdir(), 'fedmesh-crash-'))
  t.teardown(async () => { await rm(dataDir, { recursive: true, force: true }) })
  const members = [member(0), member(1), member(2)]
  {
    const store = await Store.open({ dataDir })
    await writeGenesis(store, members, Date.now())
    await store.close()
  }

  // the traffic: slot i gets the votes of all three members (quorum 3 → decided), every third slot a summary too
  const messages: Message[] = []
  const add = (dataClass: DataClass, bytes: Uint8Array, extra: Pick<Message, 'vote' | 'event' | 'summary'>): void => {
    const { idHex, envelope } = decodeEnvelope(bytes)
    messages.push({ n: messages.length, dataClass, bytes, idHex, timestampMs: envelope.timestampMs, ...extra })
  }
  for (let slot = 0; messages.length < KILLS * 8; slot++) {
    // the proposal first (in its proposer's envelope), so the votes count and the slot is decided
    const proposer = members[slot % members.length]!
    const event = parseEvent({ federation_id: STACK_FEDERATION_ID, slot: `s/${slot}`, type: 'governance_proposal', initiated_at: Date.now(), proposer: proposer.node_id, body: { title: `event ${slot}`, text: '' } })
    const eventHash = eventHashOf(event)
    add('vote', envelopeBy(proposer, 'vote', CONSENSUS_SCHEMA_ID, new TextEncoder().encode(JSON.stringify({ kind: 'event', event })), Date.now()), { event: { slot: `s/${slot}`, eventHash } })
    for (const voter of members) {
      add('vote', voteEnvelope(voter, `s/${slot}`, eventHash, Date.now()), { vote: { slot: `s/${slot}`, voter: voter.node_id, eventHash } })
    }
    if (slot % 3 === 0) {
      const sender = members[slot % members.length]!
      const summary: Summary = { node: sender.site, entries: [{ need: 'design', offer: 'food.catering', count: slot + 1 }] }
      add('summary', summaryEnvelope(sender, summary, Date.now()), { summary: { sender: sender.node_id, site: sender.site, bytes: Buffer.from(encodeSummary(summary)).toString('base64') } })
    }
  }

  const rng = xoroshiro128plus(SEED)
  const draw = (min: number, max: number): number => uniformInt(rng, min, max)
  const acked = new Map<number, string>()
  let cursor = 0
  for (let kill = 0; kill < KILLS; kill++) {
    const child = await startChild(dataDir)
    // a few messages answered in full, then one more sent and the process killed while it works on it
    const settled = draw(0, 5)
    for (let i = 0; i < settled && cursor < messages.length; i++, cursor++) {
      child.send(messages[cursor]!)
      await until(`ack ${cursor}`, () => child.acks.has(cursor))
    }
    if (cursor < messages.length) {
      child.send(messages[cursor]!)
      cursor++
      const delayMs = draw(0, 3)
      if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs))
    }
    await child.kill()
    for (const [n, verdict] of child.acks) acked.set(n, verdict)
  }

  // what the store says, read directly
  const store = await Store.open({ dataDir })
  const seen = new SeenEnvelopes(store, CLOCK_SKEW_MS_MAX)
  const consensus = new ConsensusStore(store)
  const summaries = new SummaryRepository(store)
  const sent = messages.slice(0, cursor)
  const stored = new Map<number, boolean>()
  const lastSeenSummary = new Map<string, Message>()
  for (const m of sent) {
    const idStored = await seen.has(m.idHex, m.timestampMs)
    if (m.vote !== undefined) {
      const votes = await consensus.votes(m.vote.slot)
      const dataStored = votes.some((v) => v.voter === m.vote!.voter && v.event_hash === m.vote!.eventHash)
      t.is(idStored, dataStored, `message ${m.n}: seen-id ${idStored ? 'stored' : 'absent'} but vote ${dataStored ? 'stored' : 'absent'}`)
      stored.set(m.n, dataStored)
    } else if (m.event !== undefined) {
      const dataStored = (await consensus.events(m.event.slot)).some((e) => eventHashOf(e) === m.event!.eventHash)
      t.is(idStored, dataStored, `message ${m.n}: seen-id ${idStored ? 'stored' : 'absent'} but event ${dataStored ? 'stored' : 'absent'}`)
      stored.set(m.n, dataStored)
    } else if (idStored) {
      lastSeenSummary.set(m.summary!.sender, m)
      stored.set(m.n, true)
    }
    if (acked.get(m.n) === 'accept ok') t.true(idStored, `message ${m.n} was acknowledged as accepted but is not in the store`)
  }
  for (const [, m] of lastSeenSummary) {
    t.is((await summaries.get(m.summary!.sender))?.bytes, m.summary!.bytes, `the stored summary of ${m.summary!.site} is the last one committed`)
  }
  t.true((await consensus.allHistory()).some((r) => r.consensus_achieved), 'some slots were decided, so the QC check below is not empty')
  for (const record of await consensus.allHistory()) {
    const qc = await consensus.qc(record.slot)
    if (qc === undefined) continue
    const votes = await consensus.votes(record.slot)
    for (const vote of qc.votes) t.true(votes.some((v) => v.voter === vote.voter && v.event_hash === vote.event_hash), `QC of ${record.slot} holds a vote the store lacks`)
  }
  await store.close()
  t.true([...acked.values()].filter((v) => v === 'accept ok').length > KILLS, 'the loop committed messages between the kills')

  // everything not stored is accepted when sent again (no id was remembered without its data)
  const child = await startChild(dataDir)
  const resend = sent.filter((m) => stored.get(m.n) !== true)
  for (const m of resend) {
    child.send(m)
    await until(`ack of the resent ${m.n}`, () => child.acks.has(m.n))
    t.is(child.acks.get(m.n), 'accept ok', `message ${m.n}, never stored, is accepted when sent again`)
  }
  await child.kill()
})
