import test from 'ava'
import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Store } from '../../src/store/store.ts'
import { ParticipantRepository } from '../../src/store/participants.ts'
import { SummaryRepository } from '../../src/store/matching-summaries.ts'
import { loadTaxonomy, TAXONOMY_FILE_NAME } from '../../src/store/matching-taxonomy.ts'
import { decodeSummary, DEFAULT_CATEGORIES } from '../../src/core/matching/index.ts'

async function errorName (f: () => Promise<unknown>): Promise<string | undefined> {
  try {
    await f()
    return undefined
  } catch (err) {
    return (err as Error).name
  }
}

const alice = { id: 'sep://alice@A', offers: ['legal.contracts'], needs: ['food.catering'] }
const carol = { id: 'sep://carol@A', offers: ['design'], needs: ['legal.contracts', 'water'], weight: 7 }

test('participants round-trip through a data dir store, sorted by id', async (t) => {
  const dataDir = await mkdtemp(join(tmpdir(), 'fedmesh-participants-'))
  let store = await Store.open({ dataDir })
  await new ParticipantRepository(store).add(carol, 2000)
  await new ParticipantRepository(store).add(alice, 1000)
  await store.close()
  store = await Store.open({ dataDir })
  const repository = new ParticipantRepository(store)
  t.deepEqual(await repository.list(), [{ ...alice, added_at: 1000 }, { ...carol, added_at: 2000 }])
  t.deepEqual(await repository.get(carol.id), { ...carol, added_at: 2000 })
  t.is(await repository.count(), 2)
  t.deepEqual(await repository.remove(alice.id), { ...alice, added_at: 1000 })
  t.deepEqual((await repository.list()).map((p) => p.id), [carol.id])
  await store.close()
})

test('adding a participant twice is a DuplicateParticipantError; removing an absent one a ParticipantNotFoundError', async (t) => {
  const store = await Store.open()
  const repository = new ParticipantRepository(store)
  await repository.add(alice, 1)
  t.is(await errorName(async () => await repository.add(alice, 2)), 'DuplicateParticipantError')
  t.is(await errorName(async () => await repository.remove('sep://nobody@A')), 'ParticipantNotFoundError')
  await store.close()
})

test('received summaries round-trip with their canonical bytes, one per node', async (t) => {
  const dataDir = await mkdtemp(join(tmpdir(), 'fedmesh-summaries-'))
  let store = await Store.open({ dataDir })
  const summaries = new SummaryRepository(store)
  const b = { node: 'B', entries: [{ need: 'design', offer: 'food.catering', count: 4 }] }
  await summaries.put({ node: 'C', entries: [{ need: 'water', offer: 'design', count: 1 }] }, 'peer-c', 10)
  await summaries.put({ node: 'B', entries: [{ need: 'design', offer: 'food.catering', count: 1 }] }, 'peer-b', 20)
  await summaries.put(b, 'peer-b', 30) // the newer summary of B replaces the older
  await store.close()
  store = await Store.open({ dataDir })
  const stored = await new SummaryRepository(store).list()
  t.deepEqual(stored.map((s) => [s.node, s.received_at]), [['B', 30], ['C', 10]])
  t.deepEqual(stored[0]!.entries, b.entries)
  t.deepEqual(decodeSummary(Buffer.from(stored[0]!.bytes, 'base64')), b)
  t.true(await new SummaryRepository(store).remove('peer-c'))
  t.false(await new SummaryRepository(store).remove('peer-c'))
  t.is(await new SummaryRepository(store).get('peer-c'), undefined)
  await store.close()
})

test('the taxonomy is the data dir\'s taxonomy.yaml, or the default when there is none', async (t) => {
  const dataDir = await mkdtemp(join(tmpdir(), 'fedmesh-taxonomy-'))
  t.deepEqual((await loadTaxonomy(dataDir)).categories, [...DEFAULT_CATEGORIES].sort())
  t.deepEqual((await loadTaxonomy(undefined)).categories, [...DEFAULT_CATEGORIES].sort())
  await writeFile(join(dataDir, TAXONOMY_FILE_NAME), 'categories:\n  - water\n  - energy.power\n')
  t.deepEqual((await loadTaxonomy(dataDir)).categories, ['energy.power', 'water'])
  await writeFile(join(dataDir, TAXONOMY_FILE_NAME), 'categories: [Water Supply]\n')
  t.is(await errorName(async () => await loadTaxonomy(dataDir)), 'InvalidTaxonomyError')
  await writeFile(join(dataDir, TAXONOMY_FILE_NAME), 'categories: [a, b\n')
  t.is(await errorName(async () => await loadTaxonomy(dataDir)), 'InvalidTaxonomyError')
})
