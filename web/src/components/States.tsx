// Loading, error and empty states shared by every page.
import { Alert, Button, Empty, Spin } from 'antd'
import type { ReactNode } from 'react'
import { useI18n } from '../i18n/index.tsx'
import { describeError } from '../lib/errors.ts'

export function Loading() {
  const { t } = useI18n()
  return (
    <div style={{ display: 'flex', justifyContent: 'center', padding: 48 }} role="status" aria-live="polite">
      <Spin description={t.loading} />
    </div>
  )
}

export function QueryError({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const { t } = useI18n()
  const e = describeError(error, t)
  return (
    <Alert
      type="error"
      showIcon
      title={e.title}
      description={[...e.details, ...(e.requestId ? [`${t.errRequestId}: ${e.requestId}`] : [])].join(' · ') || undefined}
      action={onRetry ? <Button size="small" onClick={onRetry}>{t.retry}</Button> : undefined}
    />
  )
}

export function EmptyState({ text, children }: { text?: string; children?: ReactNode }) {
  const { t } = useI18n()
  return <Empty description={text ?? t.empty}>{children}</Empty>
}

/** Renders a TanStack query's states: loading, error (with retry), empty, or the data. */
export function QueryView<T>({ query, empty, isEmpty, children }: {
  query: { isPending: boolean; isError: boolean; error: unknown; data: T | undefined; refetch: () => unknown }
  empty?: string
  isEmpty?: (data: T) => boolean
  children: (data: T) => ReactNode
}) {
  if (query.isPending) return <Loading />
  if (query.isError || query.data === undefined) return <QueryError error={query.error} onRetry={() => void query.refetch()} />
  if (isEmpty?.(query.data)) return <EmptyState {...(empty ? { text: empty } : {})} />
  return <>{children(query.data)}</>
}
