// The main page: search box, filters, trending keywords and results, all in the URL (search-state.ts).
//
// It is the landing page, so it loads little and draws no antd component (lib/theme.ts): the filters
// (antd's Select, InputNumber) are a chunk loaded when used; the results (MentorCard) and the pager are
// plain markup. The results' area keeps its height while a new page of results loads (previous data
// stays until then) and reserves the screen below the form, so the footer does not jump when they arrive.
import { keepPreviousData, useQuery } from '@tanstack/react-query'
import type { MentorSearchItem } from '@sunbae/contracts'
import { lazy, memo, Suspense, useDeferredValue, useEffect, useMemo, useState } from 'react'
import { useSearchParams } from 'react-router'
import { FilterOutlined, FireOutlined } from '../../components/icons.tsx'
import { MentorCard } from '../../components/MentorCard.tsx'
import { EmptyState, Loading, QueryError } from '../../components/States.tsx'
import { useI18n } from '../../i18n/index.tsx'
import { parseSearch, toSearchParams, updateSearch, type SearchState } from '../../lib/search-state.ts'
import { TOKENS as token } from '../../lib/theme.ts'
import { searchMentors } from '../../services/catalog.ts'
import { trendingKeywords } from '../../services/tracking.ts'
import { Pager } from './pager.tsx'
import './search-box.css'

const SearchFilters = lazy(() => import('./filters.tsx'))
/** The filters form's height on a desktop (one row), reserved while its chunk loads. */
const FILTERS_MIN_HEIGHT = 86

const hasFilters = (s: SearchState) => s.skills.length > 0 || s.languages.length > 0 || s.minRate !== null || s.maxRate !== null || s.sort !== null

export default function SearchPage() {
  const { t } = useI18n()
  const [params, setParams] = useSearchParams()
  const state = useMemo(() => parseSearch(params), [params])
  const [q, setQ] = useState(state.q)
  useEffect(() => setQ(state.q), [state.q])
  const [filtersOpen, setFiltersOpen] = useState(() => hasFilters(state))
  const go = (patch: Partial<SearchState>) => setParams(toSearchParams(updateSearch(state, patch)))

  const results = useQuery({ queryKey: ['search', toSearchParams(state).toString()], queryFn: () => searchMentors(state), placeholderData: keepPreviousData })
  // TanStack Query's updates render at once (useSyncExternalStore), so a page of results arriving
  // would draw every card in one long task; drawn from this deferred copy, the cards render as a
  // transition, in slices that leave the main thread free (issue 24: Total Blocking Time)
  const data = useDeferredValue(results.data)
  const trending = useQuery({ queryKey: ['trending'], queryFn: () => trendingKeywords(10), staleTime: 60_000 })

  return (
    <div style={{ display: 'flex', flexDirection: 'column', gap: 16 }}>
      <h1 style={{ margin: 0, fontSize: 30, lineHeight: 1.3, fontWeight: 600 }}>{t.tagline}</h1>
      <form role="search" onSubmit={(e) => { e.preventDefault(); go({ q }) }}>
        {/* antd's large Input and primary Button side by side, both native (search-box.css, shell.css) */}
        <div style={{ display: 'flex', width: '100%' }}>
          <input type="text" enterKeyHint="search" className="sb-search-input" aria-label={t.searchLabel} placeholder={t.searchPlaceholder} value={q} maxLength={200} onChange={(e) => setQ(e.target.value)} />
          <button type="submit" className="sb-btn sb-btn-primary sb-btn-lg sb-search-button">{t.searchButton}</button>
        </div>
      </form>
      <section aria-label={t.trending}>
        <div style={{ display: 'flex', flexWrap: 'wrap', gap: 6, alignItems: 'center' }}>
          <strong><FireOutlined /> {t.trending}</strong>
          {trending.isPending ? <span style={{ color: token.colorTextSecondary }}>{t.loading}</span>
            : trending.isError ? <span style={{ color: token.colorTextSecondary }}>—</span>
            : trending.data.items.length === 0 ? <span style={{ color: token.colorTextSecondary }}>{t.noTrending}</span>
            : trending.data.items.map((k) => (
              // antd's CheckableTag, as a toggle button (components/shell.css)
              <button key={k.keyword} type="button" className="sb-tag" aria-pressed={state.q === k.keyword} onClick={() => go({ q: k.keyword })}>{k.keyword}</button>
            ))}
        </div>
      </section>
      <div style={{ minHeight: filtersOpen ? FILTERS_MIN_HEIGHT : undefined }}>
        {filtersOpen ? (
          <Suspense fallback={null}>
            <SearchFilters state={state} go={go} />
          </Suspense>
        ) : (
          <button type="button" className="sb-btn" aria-expanded={false} onClick={() => setFiltersOpen(true)}><FilterOutlined />{t.filtersShow}</button>
        )}
      </div>
      {/* the results' area is held at most of a screen's height, so what comes later does not move the page */}
      <div style={{ minHeight: '70vh' }}>
      {results.isError ? <QueryError error={results.error} onRetry={() => void results.refetch()} /> : !data ? <Loading /> : (
        <div style={{ display: 'flex', flexDirection: 'column', gap: 12 }} aria-busy={results.isFetching || data !== results.data}>
          <strong data-testid="result-count">{t.resultCount(data.total)}</strong>
          {data.suggestion && (
            <span>
              {t.didYouMean} <button type="button" className="sb-btn sb-btn-link" onClick={() => go({ q: data.suggestion! })}>{data.suggestion}</button>?
            </span>
          )}
          {data.items.length === 0 ? <EmptyState text={t.noResults} /> : <Results items={data.items} />}
          {data.total > state.pageSize && (
            <Pager state={state} total={data.total} go={go} />
          )}
        </div>
      )}
      </div>
    </div>
  )
}

/** The cards of a page of results: drawn again only when the page's items change (not while the deferred copy still holds the old ones). */
const Results = memo(function Results({ items }: { items: MentorSearchItem[] }) {
  return (
    <ul style={{ listStyle: 'none', margin: 0, padding: 0, display: 'grid', gap: 12, gridTemplateColumns: 'repeat(auto-fill, minmax(min(100%, 440px), 1fr))' }}>
      {items.map((m) => (
        <li key={m.id}><MentorCard item={m} /></li>
      ))}
    </ul>
  )
})
