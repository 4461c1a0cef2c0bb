import t from 'tap'
import { can, canSee, menuFor, redirectFor, safeNext } from '../src/lib/access.ts'

t.test('signed-out visitors see public pages and the auth pages only', async (t) => {
  t.ok(canSee(null, 'search'))
  t.ok(canSee(null, 'mentor'))
  t.ok(canSee(null, 'login'))
  t.ok(canSee(null, 'signup'))
  for (const a of ['me', 'apply', 'chat', 'admin'] as const) t.notOk(canSee(null, a), a)
  t.notOk(can(null, 'requestChat'))
  t.same(menuFor(null), ['search', 'login', 'signup'])
})

t.test('signed-in users no longer get the log-in and sign-up pages', async (t) => {
  for (const role of ['mentee', 'mentor', 'admin'] as const) {
    t.notOk(canSee({ role }, 'login'), role)
    t.notOk(canSee({ role }, 'signup'), role)
    t.ok(canSee({ role }, 'me'), role)
    t.ok(can({ role }, 'requestChat'), role)
  }
})

t.test('only admins reach the admin area and its actions', async (t) => {
  t.ok(canSee({ role: 'admin' }, 'admin'))
  t.notOk(canSee({ role: 'mentor' }, 'admin'))
  t.notOk(canSee({ role: 'mentee' }, 'admin'))
  for (const a of ['reviewApplications', 'manageRoles', 'seeTracking'] as const) {
    t.ok(can({ role: 'admin' }, a))
    t.notOk(can({ role: 'mentor' }, a))
    t.notOk(can({ role: 'mentee' }, a))
  }
})

t.test('mentor-only actions and the apply flow', async (t) => {
  for (const a of ['seeInbox', 'decideRequests', 'editMentorProfile', 'editCapacity', 'seeMyMentees'] as const) {
    t.ok(can({ role: 'mentor' }, a), a)
    t.notOk(can({ role: 'mentee' }, a), a)
  }
  t.ok(canSee({ role: 'mentee' }, 'apply'))
  t.ok(can({ role: 'mentee' }, 'applyAsMentor'))
  t.notOk(canSee({ role: 'mentor' }, 'apply'), 'a mentor does not apply again')
  t.same(menuFor({ role: 'admin' }), ['search', 'me', 'chat', 'admin'])
  t.same(menuFor({ role: 'mentee' }), ['search', 'me', 'chat', 'apply'])
})

t.test('refused visitors are sent to log in (and back) or home', async (t) => {
  t.equal(redirectFor(null, 'me', '/me?tab=x'), '/login?next=%2Fme%3Ftab%3Dx')
  t.equal(redirectFor({ role: 'mentee' }, 'admin', '/admin'), '/')
  t.equal(redirectFor({ role: 'admin' }, 'admin', '/admin'), null)
  t.equal(redirectFor({ role: 'mentee' }, 'login', '/login'), '/')
})

t.test('safeNext only allows same-site paths', async (t) => {
  t.equal(safeNext('/me'), '/me')
  t.equal(safeNext(null), '/')
  t.equal(safeNext('https://evil.example'), '/')
  t.equal(safeNext('//evil.example/x'), '/')
  t.equal(safeNext('/\\evil.example'), '/')
})

t.test('admin moderation: suspending mentors and hiding chat messages are admin actions only', async (t) => {
  for (const a of ['suspendMentors', 'moderateChat'] as const) {
    t.ok(can({ role: 'admin' }, a), a)
    t.notOk(can({ role: 'mentor' }, a), a)
    t.notOk(can({ role: 'mentee' }, a), a)
    t.notOk(can(null, a), a)
  }
})

t.test('any signed-in role may write a review (the server checks the completed session)', async (t) => {
  for (const role of ['mentee', 'mentor', 'admin'] as const) t.ok(can({ role }, 'writeReview'), role)
  t.notOk(can(null, 'writeReview'))
})
