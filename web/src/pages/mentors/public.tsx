// What a signed-out visitor sees under a mentor's details — the booking card, the way to write a review
// and the reviews — as plain markup drawn like the antd cards a signed-in visitor gets (extras.tsx).
// Most visitors of a mentor page are signed out (many come from a search engine, on a phone): they get
// the whole page without antd's code or its CSS-in-JS start-up. Asking for the times loads the booking
// (antd) with its slots open.
import { useQuery } from '@tanstack/react-query'
import { lazy, Suspense, useState, type ReactNode } from 'react'
import { Link, useLocation } from 'react-router'
import { Loading, QueryError } from '../../components/States.tsx'
import { useI18n } from '../../i18n/index.tsx'
import { usePagerWords } from '../../i18n/pager.ts'
import { TOKENS } from '../../lib/theme.ts'
import { getReviews } from '../../services/catalog.ts'
import { Stars } from './stars.tsx'

const BookSessionOpen = lazy(() => import('./extras.tsx').then((m) => ({ default: m.BookSessionOpen })))

function Card({ id, title, children, testId }: { id: string; title: string; children: ReactNode; testId?: string }) {
  return (
    <section className="sb-card" aria-labelledby={id} data-testid={testId}>
      <h2 className="sb-card-title" id={id}>{title}</h2>
      <div className="sb-card-body">{children}</div>
    </section>
  )
}

function Booking({ mentorId }: { mentorId: string }) {
  const { t } = useI18n()
  const [asked, setAsked] = useState(false)
  if (asked) return <Suspense fallback={<Loading />}><BookSessionOpen mentorId={mentorId} /></Suspense>
  return (
    <Card id="mentor-book" title={t.meetingBookTitle} testId="book-session">
      <button type="button" className="sb-btn sb-btn-lg" onClick={() => setAsked(true)}>{t.meetingShowTimes}</button>
    </Card>
  )
}

function Reviews({ mentorId }: { mentorId: string }) {
  const { t, lang } = useI18n()
  const w = usePagerWords()
  const [page, setPage] = useState(1)
  // the key and the call of the signed-in page's list (extras.tsx): one cache
  const reviews = useQuery({ queryKey: ['reviews', mentorId, page], queryFn: () => getReviews(mentorId, page) })
  const d = reviews.data
  const last = d ? Math.max(1, Math.ceil(d.total / d.pageSize)) : 1
  return (
    <Card id="mentor-reviews" title={t.recentReviews}>
      {reviews.isPending ? <Loading /> : reviews.isError || !d ? <QueryError error={reviews.error} onRetry={() => void reviews.refetch()} />
        : d.items.length === 0 ? <p style={{ margin: 0, textAlign: 'center', color: TOKENS.colorTextSecondary }}>{t.noReviews}</p> : (
          <>
            <ul style={{ listStyle: 'none', margin: 0, padding: 0 }}>
              {d.items.map((r, i) => (
                <li key={r.id} style={{ padding: '10px 4px', borderTop: i ? '1px solid rgba(5,5,5,0.06)' : undefined }}>
                  <div style={{ display: 'flex', flexWrap: 'wrap', gap: 8, alignItems: 'center' }}>
                    <Stars rating={r.rating} size={14} label={t.ratingLabel(r.rating)} />
                    <strong>{r.authorName ?? '—'}</strong>
                    <span style={{ color: TOKENS.colorTextSecondary }}>{new Date(r.createdAt).toLocaleDateString(lang)}</span>
                  </div>
                  {r.comment && <p style={{ margin: '2px 0 0' }}>{r.comment}</p>}
                </li>
              ))}
            </ul>
            {last > 1 && (
              <div style={{ display: 'flex', gap: 8, alignItems: 'center', justifyContent: 'center', marginTop: 8 }}>
                <button type="button" className="sb-btn sb-btn-sm" disabled={page <= 1} onClick={() => setPage(page - 1)}>‹ {w.pagerPrev}</button>
                <span>{page} / {last}</span>
                <button type="button" className="sb-btn sb-btn-sm" disabled={page >= last} onClick={() => setPage(page + 1)}>{w.pagerNext} ›</button>
              </div>
            )}
          </>
        )}
    </Card>
  )
}

export function PublicExtras({ mentorId }: { mentorId: string }) {
  const { t } = useI18n()
  const loc = useLocation()
  return (
    <>
      <Booking mentorId={mentorId} />
      <Card id="mentor-write-review" title={t.writeReview} testId="write-review">
        <Link to={`/login?next=${encodeURIComponent(loc.pathname)}`} style={{ color: '#1d5fd6' }}>{t.loginToReview}</Link>
      </Card>
      <Reviews mentorId={mentorId} />
    </>
  )
}
