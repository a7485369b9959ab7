import test from 'ava'
import { SlotTable } from '../../../src/core/consensus/slot-table.ts'
import { openSlot } from '../../../src/core/consensus/slot.ts'
import { membershipOf, digestMember } from './fixtures.ts'

const membership = membershipOf('grid', [digestMember(0), digestMember(1)])

test('set and delete return new tables and leave the old ones as they were', (t) => {
  const empty = SlotTable.empty()
  const one = empty.set(openSlot('gov/1', membership, 2, 0))
  const two = one.set(openSlot('gov/2', membership, 2, 0))
  t.is(empty.size, 0)
  t.is(one.size, 1)
  t.is(two.size, 2)
  t.is(two.get('gov/1')?.slot, 'gov/1')
  t.false(one.has('gov/2'))
  const removed = two.delete('gov/1')
  t.false(removed.has('gov/1'))
  t.true(two.has('gov/1'))
  t.is(removed.delete('gov/404'), removed)
})

test('the table counts pending slots as they open, complete and leave', (t) => {
  const slot = openSlot('gov/1', membership, 2, 0)
  let table = SlotTable.empty().set(slot).set(openSlot('gov/2', membership, 2, 0))
  t.is(table.pending, 2)
  table = table.set({ ...slot, status: 'decided', completed_at: 5 })
  t.is(table.pending, 1)
  t.is(table.size, 2)
  table = table.delete('gov/1')
  t.is(table.pending, 1)
  t.deepEqual([...table.values()].map((s) => s.slot), ['gov/2'])
})

test('a thousand slots are all found again', (t) => {
  let table = SlotTable.empty()
  for (let i = 0; i < 1000; i++) table = table.set(openSlot(`s/${i}`, membership, 2, i))
  t.is(table.size, 1000)
  for (let i = 0; i < 1000; i++) t.is(table.get(`s/${i}`)?.opened_at, i)
})
