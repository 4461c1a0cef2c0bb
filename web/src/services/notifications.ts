// notification: my in-app feed and read marks, my preferences, and the public one-click unsubscribe
// over HTTP; the unread count live from Firestore (users/{uid}/notifications, which the service's
// feed sync writes and deploy/firebase/firestore.rules let only their owner read).
import type {
  MarkNotificationsReadBody,
  MarkNotificationsReadResult,
  NotificationFeedPage,
  NotificationPreferences,
  PutNotificationPreferencesBody,
  UnsubscribeResult,
} from '@sunbae/contracts'
import { UNREAD_WATCH_LIMIT } from '../lib/notifications.ts'
import { get, post, put, request } from './http.ts'

// GET /api/notifications?before=&limit=
export const listNotifications = (before?: string, pageSize = 20) => get<NotificationFeedPage>('/api/notifications', { before, limit: pageSize })
// POST /api/notifications/read {ids} | {all: true}
export const markNotificationsRead = (body: MarkNotificationsReadBody) => post<MarkNotificationsReadResult>('/api/notifications/read', body)
// GET /api/notifications/preferences
export const getNotificationPreferences = () => get<NotificationPreferences>('/api/notifications/preferences')
// PUT /api/notifications/preferences {items?, quietHours?}
export const putNotificationPreferences = (body: PutNotificationPreferencesBody) => put<NotificationPreferences>('/api/notifications/preferences', body)
// GET /api/notifications/unsubscribe?token= (public: what the link switches off; changes nothing)
export const unsubscribeStatus = (token: string) => get<UnsubscribeResult>('/api/notifications/unsubscribe', { token })
// POST /api/notifications/unsubscribe?token= (public: switches that email off)
export const unsubscribe = (token: string) => request<UnsubscribeResult>('POST', '/api/notifications/unsubscribe', { query: { token } })

/**
 * Firestore users/{uid}/notifications where readAt is null, live: calls `onCount` with my unread
 * count at once and on every change (a new notification, a read mark the feed sync writes back).
 * Counts at most UNREAD_WATCH_LIMIT documents; the badge shows more as "99+".
 */
export function watchUnreadCount(uid: string, onCount: (count: number) => void, onError: (err: unknown) => void): () => void {
  // Firestore is loaded here, on first use, so the pages that only call the HTTP functions above
  // (the public unsubscribe page, for one) do not carry it
  let stop: (() => void) | null = null
  let closed = false
  Promise.all([import('firebase/firestore'), import('../firestore.ts')]).then(([{ collection, limit, onSnapshot, query, where }, { db }]) => {
    if (closed) return
    const q = query(collection(db, 'users', uid, 'notifications'), where('readAt', '==', null), limit(UNREAD_WATCH_LIMIT))
    stop = onSnapshot(q, (snap) => onCount(snap.size), onError)
  }, onError)
  return () => {
    closed = true
    stop?.()
  }
}
