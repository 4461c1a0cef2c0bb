import t from 'tap'
import { Value } from 'typebox/value'
import { CatalogEvents } from '@sunbae/contracts'
import { mentorProfile } from '../src/fixtures.ts'

t.test('mentorProfile is a valid catalog.mentor.approved payload, fresh each time', async (t) => {
  const a = mentorProfile()
  const b = mentorProfile()
  t.same([...Value.Errors(CatalogEvents.mentorApproved.schema, a)], [], 'the contract accepts it')
  t.not(a.id, b.id)
  t.not(a.uid, b.uid)
  t.match(a.uid, /^mentor-/)
})

t.test('overrides win', async (t) => {
  const p = mentorProfile({ uid: 'mentor-x', hourlyRate: 60_000, timezone: 'UTC' })
  t.equal(p.uid, 'mentor-x')
  t.equal(p.hourlyRate, 60_000)
  t.equal(p.timezone, 'UTC')
  t.ok(Value.Check(CatalogEvents.mentorApproved.schema, p))
})
