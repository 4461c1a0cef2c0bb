import t from 'tap'
import { NOTIFICATION_CATEGORIES, type NotificationFeedPage, type NotificationItem, type NotificationPreferences } from '@sunbae/contracts'
import { en } from '../src/i18n/en/index.ts'
import { ko } from '../src/i18n/ko/index.ts'
import { changedSwitches, feedItems, myPageTab, nextFeedCursor, notificationTarget, quietHoursValue, sameQuietHours, type CategorySwitches } from '../src/lib/notifications.ts'

const DICTS = { ko, en }

const item = (id: string, readAt: string | null = null, link = '/chat'): NotificationItem => ({
  id,
  type: 'matching.request.created',
  category: 'requests',
  title: `title ${id}`,
  body: 'body',
  link,
  createdAt: '2026-12-07T06:00:00.000Z',
  readAt,
})

t.test("notification links open my page's tab they mean, under the names the service uses", async (t) => {
  const mentor = ['mentor', 'mentee', 'sessions', 'availability', 'payments', 'earnings', 'notifications']
  const mentee = ['mentee', 'sessions', 'payments', 'notifications']
  t.equal(myPageTab('requests', mentor), 'mentor', "a mentor's requests are the inbox")
  t.equal(myPageTab('requests', mentee), 'mentee', "a mentee's are on the mentee tab")
  t.equal(myPageTab('bookings', mentee), 'sessions')
  t.equal(myPageTab('earnings', mentor), 'earnings', 'a real tab is itself')
  t.equal(myPageTab('earnings', mentee), 'mentee', "a tab this viewer lacks: the first")
  t.equal(myPageTab(null, mentee), 'mentee')
  t.equal(myPageTab('notifications', mentee), 'notifications')
  // an own property of the alias table only, never Object.prototype's
  t.equal(myPageTab('constructor', mentee), 'mentee')
  t.equal(myPageTab('x', []), undefined)
})

t.test('a notification goes only to a path of this site', async (t) => {
  t.equal(notificationTarget({ link: '/me?tab=requests' }), '/me?tab=requests')
  t.equal(notificationTarget({ link: '/payments/booking/abc' }), '/payments/booking/abc')
  for (const bad of ['https://evil.example/x', '//evil.example', '/\\evil.example', 'javascript:alert(1)', '']) t.equal(notificationTarget({ link: bad }), '/', bad)
})

t.test('feed pages: one list, newest first, a repeat across pages once, the latest unread count', async (t) => {
  const first: NotificationFeedPage = { items: [item('c'), item('b', '2026-12-07T06:01:00.000Z')], unreadCount: 2, nextBefore: 'b' }
  // a new notification arrived before the second page was asked for: b shows again at its top
  const second: NotificationFeedPage = { items: [item('b', '2026-12-07T06:01:00.000Z'), item('a')], unreadCount: 3, nextBefore: null }
  const { items, unreadCount } = feedItems([first, second])
  t.same(items.map((n) => n.id), ['c', 'b', 'a'])
  t.equal(unreadCount, 2, "the first page's count: the pages are refetched together")
  t.same(feedItems([]), { items: [], unreadCount: 0 })
  t.equal(nextFeedCursor(first), 'b')
  t.equal(nextFeedCursor(second), undefined, 'the last page has no next')
})

const saved: NotificationPreferences = {
  quietHours: null,
  items: NOTIFICATION_CATEGORIES.map((category) => ({ category, transactional: category === 'receipts', inApp: true, email: category !== 'chat' })),
}
const editable = (): CategorySwitches[] => saved.items.map((i) => ({ ...i }))

t.test('settings: only the switches that changed are sent, never a transactional one', async (t) => {
  t.same(changedSwitches(saved, editable()), [], 'nothing changed, nothing sent')
  const edited = editable().map((s) =>
    s.category === 'requests' ? { ...s, email: false } : s.category === 'chat' ? { ...s, email: true, inApp: false } : s.category === 'receipts' ? { ...s, email: false, inApp: false } : s,
  )
  t.same(changedSwitches(saved, edited), [
    { category: 'requests', channel: 'email', enabled: false },
    { category: 'chat', channel: 'in_app', enabled: false },
    { category: 'chat', channel: 'email', enabled: true },
  ])
})

t.test('settings: quiet hours from the form, refused when they could not mean anything', async (t) => {
  t.same(quietHoursValue(false, '', ''), { value: null }, 'off: none, whatever the fields hold')
  t.same(quietHoursValue(true, '22:00', '07:30'), { value: { start: '22:00', end: '07:30' } }, 'across midnight')
  t.same(quietHoursValue(true, '13:00', '14:00'), { value: { start: '13:00', end: '14:00' } })
  t.same(quietHoursValue(true, '22:00', '22:00'), { problem: 'quietHoursSame' })
  for (const bad of ['', '7:00', '24:00', '12:60', '12:00:00']) t.same(quietHoursValue(true, bad, '08:00'), { problem: 'quietHoursFormat' }, JSON.stringify(bad))
  t.ok(sameQuietHours(null, null))
  t.notOk(sameQuietHours(null, { start: '22:00', end: '08:00' }))
  t.ok(sameQuietHours({ start: '22:00', end: '08:00' }, { start: '22:00', end: '08:00' }))
  t.notOk(sameQuietHours({ start: '22:00', end: '08:00' }, { start: '22:00', end: '09:00' }))
})

t.test('every category and problem has words in both languages', async (t) => {
  for (const lang of ['ko', 'en'] as const) {
    const d = DICTS[lang]
    for (const c of NOTIFICATION_CATEGORIES) t.ok(d.notifCategories[c], `${lang}: ${c}`)
    t.ok(d.quietHoursFormat && d.quietHoursSame)
  }
  t.equal(DICTS.ko.notifBell(3), '알림 (읽지 않음 3개)')
  t.equal(DICTS.en.notifBell(0), 'Notifications')
})
