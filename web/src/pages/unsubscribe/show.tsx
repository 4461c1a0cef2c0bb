// The landing page of the unsubscribe link in notification's emails (/unsubscribe?token=…), public:
// the signed token is the authority. Opening it changes nothing (link scanners follow links): it says
// which email the link stops, and the button POSTs. A changed or foreign token is refused by the
// service (400 INVALID_UNSUBSCRIBE_TOKEN) and shown as an invalid link.
import { Alert, Button, Card, Flex, Result, Typography } from 'antd'
import { useMutation, useQuery } from '@tanstack/react-query'
import { Link, useSearchParams } from 'react-router'
import { useAuth } from '../../auth/AuthProvider.tsx'
import { useFeedback } from '../../components/feedback.ts'
import { Loading, QueryError } from '../../components/States.tsx'
import { useI18n } from '../../i18n/index.tsx'
import { ApiError } from '../../lib/errors.ts'
import { unsubscribe, unsubscribeStatus } from '../../services/notifications.ts'

// the API's bounds of a token (UnsubscribeQuery): shorter or longer cannot be one
const isTokenShaped = (token: string) => token.length >= 10 && token.length <= 2048
const isInvalidLink = (err: unknown) => err instanceof ApiError && (err.code === 'INVALID_UNSUBSCRIBE_TOKEN' || err.code === 'VALIDATION_FAILED')

function InvalidLink() {
  const { t } = useI18n()
  const { user } = useAuth()
  return (
    <Result
      status="warning"
      title={t.unsubInvalid}
      subTitle={t.unsubInvalidText}
      data-testid="unsubscribe-invalid"
      extra={<Link to={user ? '/me?tab=notifications' : '/login?next=%2Fme%3Ftab%3Dnotifications'}><Button>{t.unsubSettings}</Button></Link>}
    />
  )
}

export default function UnsubscribePage() {
  const { t } = useI18n()
  const fb = useFeedback()
  const [params] = useSearchParams()
  const token = params.get('token') ?? ''
  const shaped = isTokenShaped(token)
  const status = useQuery({ queryKey: ['unsubscribe', token], queryFn: () => unsubscribeStatus(token), enabled: shaped })
  const confirm = useMutation({ mutationFn: () => unsubscribe(token), onError: fb.error })

  let body
  if (!shaped || isInvalidLink(status.error) || isInvalidLink(confirm.error)) body = <InvalidLink />
  else if (status.isPending) body = <Loading />
  else if (status.isError) body = <QueryError error={status.error} onRetry={() => void status.refetch()} />
  else {
    const category = t.notifCategories[status.data.category]
    if (confirm.isSuccess) body = <Result status="success" title={t.unsubDone(category)} data-testid="unsubscribe-done" />
    else if (status.data.unsubscribed) body = <Alert type="info" showIcon title={t.unsubAlready(category)} data-testid="unsubscribe-already" />
    else
      body = (
        <Flex vertical gap={16} align="flex-start" data-testid="unsubscribe-confirm">
          <Typography.Paragraph style={{ margin: 0 }}>{t.unsubWhat(category)}</Typography.Paragraph>
          <Button type="primary" danger loading={confirm.isPending} onClick={() => confirm.mutate()}>{t.unsubConfirm}</Button>
        </Flex>
      )
  }

  return (
    <Flex vertical gap={16} style={{ maxWidth: 640, margin: '0 auto' }}>
      <Typography.Title level={1} style={{ margin: 0 }}>{t.unsubTitle}</Typography.Title>
      <Card>{body}</Card>
    </Flex>
  )
}
