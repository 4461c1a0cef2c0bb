// The header's bell: my unread count, live from Firestore (no reload), opening the notifications page.
// A change of the count also refreshes the feed, so an open notifications page shows the new one.
import { Badge, Button } from 'antd'
import { BellOutlined } from '@ant-design/icons'
import { useQueryClient } from '@tanstack/react-query'
import { useEffect, useState } from 'react'
import { useNavigate } from 'react-router'
import { useI18n } from '../i18n/index.tsx'
import { AntdConfig } from './AntdConfig.tsx'
import { UNREAD_WATCH_LIMIT } from '../lib/notifications.ts'
import { watchUnreadCount } from '../services/notifications.ts'

/** In the header (dark on every screen size): a white bell. */
export default function NotificationBell({ uid }: { uid: string }) {
  const { t } = useI18n()
  const navigate = useNavigate()
  const qc = useQueryClient()
  // null until the first snapshot (and when Firestore cannot be reached: then no badge, the page still works)
  const [unread, setUnread] = useState<number | null>(null)

  useEffect(() => {
    setUnread(null)
    let first = true
    return watchUnreadCount(
      uid,
      (n) => {
        setUnread(n)
        if (!first) void qc.invalidateQueries({ queryKey: ['notifications'] })
        first = false
      },
      () => setUnread(null),
    )
  }, [uid, qc])

  return (
    <AntdConfig>
      <Badge count={unread ?? 0} overflowCount={UNREAD_WATCH_LIMIT - 1} size="small" offset={[-4, 4]}>
        <Button
          type="text"
          shape="circle"
          aria-label={t.notifBell(unread ?? 0)}
          title={t.notifTitle}
          data-testid="notification-bell"
          data-unread={unread ?? ''}
          icon={<BellOutlined style={{ fontSize: 18, color: '#fff' }} />}
          onClick={() => navigate('/notifications')}
        />
      </Badge>
    </AntdConfig>
  )
}
