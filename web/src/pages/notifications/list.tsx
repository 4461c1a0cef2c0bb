// My notifications (/notifications): the feed, newest first, page by page (the nextBefore cursor);
// unread ones marked; one click marks a notification read and goes to what it is about; "mark all read".
import { Badge, Button, Card, Flex, Tag, Typography } from 'antd'
import { useInfiniteQuery, useMutation, useQueryClient } from '@tanstack/react-query'
import type { NotificationItem } from '@sunbae/contracts'
import { useNavigate } from 'react-router'
import { useFeedback } from '../../components/feedback.ts'
import { ItemList } from '../../components/ItemList.tsx'
import { EmptyState, Loading, QueryError } from '../../components/States.tsx'
import { useI18n } from '../../i18n/index.tsx'
import { feedItems, isUnread, nextFeedCursor, notificationTarget } from '../../lib/notifications.ts'
import { listNotifications, markNotificationsRead } from '../../services/notifications.ts'

function Row({ n }: { n: NotificationItem }) {
  const { t, lang } = useI18n()
  const unread = isUnread(n)
  return (
    <Flex gap={12} align="flex-start" data-testid="notification" data-unread={unread}>
      <Badge status={unread ? 'processing' : 'default'} style={{ marginTop: 6 }} />
      <Flex vertical gap={2} style={{ minWidth: 0, flex: 1 }}>
        <Flex wrap gap={8} align="center">
          {/* a real link (keyboard, middle-click); a plain click is handled by the row: mark read, then go */}
          <Typography.Link href={notificationTarget(n)} strong={unread} onClick={(e) => e.preventDefault()}>{n.title}</Typography.Link>
          <Tag>{t.notifCategories[n.category]}</Tag>
          {unread && <Tag color="blue">{t.notifUnread}</Tag>}
        </Flex>
        <Typography.Text type="secondary">{n.body}</Typography.Text>
        <Typography.Text type="secondary" style={{ fontSize: 12 }}>{new Date(n.createdAt).toLocaleString(lang === 'ko' ? 'ko-KR' : 'en-US')}</Typography.Text>
      </Flex>
    </Flex>
  )
}

export default function NotificationsPage() {
  const { t } = useI18n()
  const fb = useFeedback()
  const qc = useQueryClient()
  const navigate = useNavigate()
  const feed = useInfiniteQuery({
    queryKey: ['notifications'],
    queryFn: ({ pageParam }) => listNotifications(pageParam),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: nextFeedCursor,
  })
  const markAll = useMutation({
    mutationFn: () => markNotificationsRead({ all: true }),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: ['notifications'] })
      fb.success(t.notifMarkedAll)
    },
    onError: fb.error,
  })
  // Marked read before leaving, so the feed (and, through Firestore, the bell) is right on the way back.
  const open = useMutation({
    mutationFn: async (n: NotificationItem) => {
      if (isUnread(n)) await markNotificationsRead({ ids: [n.id] })
    },
    onSuccess: (_, n) => {
      void qc.invalidateQueries({ queryKey: ['notifications'] })
      navigate(notificationTarget(n))
    },
    onError: fb.error,
  })

  const { items, unreadCount } = feedItems(feed.data?.pages ?? [])
  let body
  if (feed.isPending) body = <Loading />
  // a failed later page (or refresh) keeps what was loaded, with its own retry below
  else if (feed.isError && items.length === 0) body = <QueryError error={feed.error} onRetry={() => void feed.refetch()} />
  else if (items.length === 0) body = <EmptyState text={t.notifEmpty} />
  else
    body = (
      <Flex vertical gap={12}>
        <ItemList
          data-testid="notifications"
          items={items}
          itemKey={(n) => n.id}
          onItemClick={(n) => !open.isPending && open.mutate(n)}
          itemStyle={(n) => ({ cursor: 'pointer', background: isUnread(n) ? 'rgba(22,119,255,0.04)' : undefined })}
          render={(n) => <Row n={n} />}
        />
        {feed.hasNextPage && (
          <Button block loading={feed.isFetchingNextPage} onClick={() => void feed.fetchNextPage()} data-testid="notifications-more">{t.notifMore}</Button>
        )}
        {feed.isFetchNextPageError && <QueryError error={feed.error} onRetry={() => void feed.fetchNextPage()} />}
      </Flex>
    )

  return (
    <Flex vertical gap={16}>
      <Typography.Title level={1} style={{ margin: 0 }}>{t.notifTitle}</Typography.Title>
      <Card
        title={<span data-testid="notifications-unread">{t.notifUnreadCount(unreadCount)}</span>}
        extra={<Button onClick={() => markAll.mutate()} loading={markAll.isPending} disabled={unreadCount === 0}>{t.notifMarkAll}</Button>}
      >
        {body}
      </Card>
    </Flex>
  )
}
