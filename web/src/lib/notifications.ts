// Notifications in the web app: where a notification's link goes, the bell's count, the feed's pages,
// and the settings form ↔ the preferences API. Plain TS (no JSX) so tap can test it.
import type {
  NotificationCategory,
  NotificationFeedPage,
  NotificationItem,
  NotificationPreferences,
  NotificationPreferenceSwitch,
  QuietHours,
} from '@sunbae/contracts'
import { safeNext } from './access.ts'

/** The bell counts at most this many unread documents; antd's Badge shows more as "99+". */
export const UNREAD_WATCH_LIMIT = 100

/**
 * My page's tabs under the names notification's links use (`/me?tab=requests`, `/me?tab=bookings`;
 * emails already sent carry them, so the page honours them): requests are the mentor's inbox (else my
 * outgoing requests on the mentee tab), bookings are my sessions.
 */
const TAB_ALIASES = new Map<string, readonly string[]>([
  ['requests', ['mentor', 'mentee']],
  ['bookings', ['sessions']],
])

/** The tab of my page to show for `?tab=` among the ones this viewer has: the first when unknown. */
export function myPageTab(requested: string | null, keys: readonly string[]): string | undefined {
  if (requested && keys.includes(requested)) return requested
  const alias = requested ? TAB_ALIASES.get(requested)?.find((k) => keys.includes(k)) : undefined
  return alias ?? keys[0]
}

/** Where clicking a notification goes: its link when it is a path of this site, else home (never another origin). */
export const notificationTarget = (n: Pick<NotificationItem, 'link'>): string => safeNext(n.link)

export const isUnread = (n: Pick<NotificationItem, 'readAt'>): boolean => n.readAt === null

/** The feed's pages as one list, newest first, and the latest unread count the server gave. */
export function feedItems(pages: readonly NotificationFeedPage[]): { items: NotificationItem[]; unreadCount: number } {
  const seen = new Set<string>()
  const items: NotificationItem[] = []
  for (const p of pages) {
    for (const n of p.items) {
      // a notification that arrived between two pages' requests shifts the cursor's page by one
      if (seen.has(n.id)) continue
      seen.add(n.id)
      items.push(n)
    }
  }
  return { items, unreadCount: pages[0]?.unreadCount ?? 0 }
}

/** The cursor of the page after `last`, or undefined when it was the last one (TanStack's getNextPageParam). */
export const nextFeedCursor = (last: NotificationFeedPage): string | undefined => last.nextBefore ?? undefined

/** One category's switches as the settings form holds them. */
export interface CategorySwitches {
  category: NotificationCategory
  transactional: boolean
  inApp: boolean
  email: boolean
}

/** The switches that differ from what the server has, as the PUT's items (transactional ones never: they cannot be off). */
export function changedSwitches(saved: NotificationPreferences, edited: readonly CategorySwitches[]): NotificationPreferenceSwitch[] {
  const before = new Map(saved.items.map((i) => [i.category, i]))
  const out: NotificationPreferenceSwitch[] = []
  for (const e of edited) {
    const b = before.get(e.category)
    if (!b || b.transactional) continue
    if (b.inApp !== e.inApp) out.push({ category: e.category, channel: 'in_app', enabled: e.inApp })
    if (b.email !== e.email) out.push({ category: e.category, channel: 'email', enabled: e.email })
  }
  return out
}

const HHMM = /^([01][0-9]|2[0-3]):[0-5][0-9]$/

export type QuietHoursProblem = 'quietHoursFormat' | 'quietHoursSame'

/** The quiet hours form (on/off, 'HH:MM' from and to) → the API's value, or what is wrong with it. */
export function quietHoursValue(on: boolean, start: string, end: string): { value: QuietHours } | { problem: QuietHoursProblem } {
  if (!on) return { value: null }
  if (!HHMM.test(start) || !HHMM.test(end)) return { problem: 'quietHoursFormat' }
  // an empty window would hold nothing: almost surely not what was meant
  if (start === end) return { problem: 'quietHoursSame' }
  return { value: { start, end } }
}

export const sameQuietHours = (a: QuietHours, b: QuietHours): boolean => (a === null || b === null ? a === b : a.start === b.start && a.end === b.end)
