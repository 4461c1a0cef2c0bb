// Loading, error and empty states shared by every page.
import { lazy, Suspense, type ReactNode } from 'react'
import { useI18n } from '../i18n/index.tsx'
import { describeError } from '../lib/errors.ts'

// antd's Alert and Empty (with the app's theme: AntdStates.tsx) come when a page first shows an error or
// nothing: the first page (search) usually shows neither. The loading state and the retry button are
// drawn like antd's Spin and Button (components/shell.css).
const Alert = lazy(() => import('./AntdStates.tsx').then((m) => ({ default: m.ThemedAlert })))
const Empty = lazy(() => import('./AntdStates.tsx').then((m) => ({ default: m.ThemedEmpty })))

export function Loading() {
  const { t } = useI18n()
  return (
    <div style={{ display: 'flex', justifyContent: 'center', padding: 48 }} role="status" aria-live="polite">
      <span className="sb-spin">
        <span className="sb-spin-dots" aria-hidden><i /><i /><i /><i /></span>
        {t.loading}
      </span>
    </div>
  )
}

export function QueryError({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const { t } = useI18n()
  const e = describeError(error, t)
  return (
    <Suspense fallback={<div role="alert">{e.title}</div>}>
      <Alert
        type="error"
        showIcon
        title={e.title}
        description={[...e.details, ...(e.requestId ? [`${t.errRequestId}: ${e.requestId}`] : [])].join(' · ') || undefined}
        action={onRetry ? <button type="button" className="sb-btn sb-btn-sm" onClick={onRetry}>{t.retry}</button> : undefined}
      />
    </Suspense>
  )
}

export function EmptyState({ text, children }: { text?: string; children?: ReactNode }) {
  const { t } = useI18n()
  return (
    <Suspense fallback={<div style={{ padding: 32, textAlign: 'center' }}>{text ?? t.empty}{children}</div>}>
      <Empty description={text ?? t.empty}>{children}</Empty>
    </Suspense>
  )
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
