import t from 'tap'
import { createEvent } from '@sunbae/bus'
import { CatalogEvents } from '@sunbae/contracts'
import { waitFor } from '@sunbae/testing'
import { appWithSink, known, matchingEvent, person, publish, waitRows } from './helpers.ts'
import { firestoreMissing } from './firestore.ts'

// Delete my account (issue 21): catalog.user.deleted erases the person from notification — their
// address and name, their feed (Postgres and Firestore), emails and switches — and other people's
// notifications that named them say "Deleted user" instead, in Postgres and in Firestore.

const noFirestore = firestoreMissing()
if (noFirestore) t.comment(`Firestore checks skipped: ${noFirestore}`)

t.test('catalog.user.deleted: the person is gone from notification, others no longer see their name', async (t) => {
  const { app } = await appWithSink(t)
  const leaving = await person(app, { name: '탈퇴할사람', role: 'mentor' })
  const mentor = await person(app, { name: '남는멘토', role: 'mentor' })
  const other = await person(app, { name: '다른멘티' })
  for (const p of [leaving, mentor, other]) await known(app, p)
  const later = { createdAt: new Date().toISOString(), expiresAt: '2026-12-29T15:00:00.000Z' }
  // the leaving person asks a mentor (the mentor's feed names them) and is asked by someone (their own feed)
  const asked = await publish(app, matchingEvent('requestCreated', mentor, leaving, { message: '안녕하세요', ...later }))
  const own = await publish(app, matchingEvent('requestCreated', leaving, other, { message: '부탁드려요', ...later }))
  const mentorRows = await waitRows(app, asked.id, 2)
  const ownRows = await waitRows(app, own.id, 2)
  const mentorInApp = mentorRows.find((r) => r.channel === 'in_app')!
  t.match(mentorInApp.title, '탈퇴할사람')
  const feedDoc = (uid: string, id: string) => app.firestore.doc(`users/${uid}/notifications/${id}`)
  if (!noFirestore) {
    await waitFor(async () => ((await feedDoc(leaving.uid, ownRows.find((r) => r.channel === 'in_app')!.id).get()).exists ? true : null), 10_000)
    await waitFor(async () => ((await feedDoc(mentor.uid, mentorInApp.id).get()).exists ? true : null), 10_000)
  }

  const deleted = createEvent({ type: CatalogEvents.userDeleted.type, version: 1, source: 'mentor-catalog', actor: { type: 'user', id: leaving.uid }, data: { uid: leaving.uid, deletedAt: new Date().toISOString() } })
  await publish(app, deleted)
  const recipient = await waitFor(async () => {
    const r = await app.db.selectFrom('recipients').selectAll().where('uid', '=', leaving.uid).executeTakeFirstOrThrow()
    return r.email === null ? r : null
  }, 15_000)
  t.equal(recipient.display_name, null, 'no name, no address')
  const left = await app.db.selectFrom('notifications').select('id').where('recipient_uid', '=', leaving.uid).execute()
  t.equal(left.length, 0, 'their notifications (and emails, by cascade) are gone')
  const renamed = await app.db.selectFrom('notifications').selectAll().where('event_id', '=', asked.id).execute()
  t.ok(renamed.length > 0 && renamed.every((r) => !`${r.title} ${r.body}`.includes('탈퇴할사람')), "the mentor's notifications no longer name them")
  t.match(renamed.find((r) => r.channel === 'in_app')!.title, 'Deleted user')
  if (!noFirestore) {
    const mine = await app.firestore.collection(`users/${leaving.uid}/notifications`).get()
    t.equal(mine.size, 0, 'their Firestore feed is deleted')
    const theirs = await waitFor(async () => {
      const d = (await feedDoc(mentor.uid, mentorInApp.id).get()).data()
      return d && !String(d.title).includes('탈퇴할사람') ? d : null
    }, 15_000)
    t.match(theirs.title, 'Deleted user', "the mentor's Firestore document is written again without the name")
  }
  // a profile event from before the deletion (redelivered late) does not bring the address back
  const stale = createEvent({ type: CatalogEvents.userUpdated.type, version: 1, source: 'mentor-catalog', actor: { type: 'user', id: leaving.uid }, data: { uid: leaving.uid, email: leaving.email, displayName: '탈퇴할사람', role: 'mentor' } })
  stale.occurredAt = new Date(Date.parse(deleted.occurredAt) - 60_000).toISOString()
  await publish(app, stale)
  await publish(app, deleted)
  await waitFor(async () => ((await app.db.selectFrom('processed_events').select('event_id').where('event_id', '=', stale.id).executeTakeFirst()) ? true : null), 15_000)
  const after = await app.db.selectFrom('recipients').selectAll().where('uid', '=', leaving.uid).executeTakeFirstOrThrow()
  t.match(after, { email: null, display_name: null }, 'an older profile event changes nothing')
})
