// The main page: search box, filters, trending keywords and results, all in the URL (search-state.ts).
//
// It is the landing page, so it loads little: the filters (Select, InputNumber) and the pager are chunks
// loaded when used, the results are plain markup (MentorCard). The results' area keeps its height while a
// new page of results loads (previous data stays until then) and reserves the screen below the form, so
// the footer does not jump when they arrive.
import { Button, Flex, Input, Space, Tag, theme } from 'antd'
import { FilterOutlined, FireOutlined } from '@ant-design/icons'
import { keepPreviousData, useQuery } from '@tanstack/react-query'
import { lazy, Suspense, useEffect, useMemo, useState } from 'react'
import { useSearchParams } from 'react-router'
import { MentorCard } from '../../components/MentorCard.tsx'
import { EmptyState, Loading, QueryError } from '../../components/States.tsx'
import { useI18n } from '../../i18n/index.tsx'
import { parseSearch, toSearchParams, updateSearch, type SearchState } from '../../lib/search-state.ts'
import { searchMentors } from '../../services/catalog.ts'
import { trendingKeywords } from '../../services/tracking.ts'

const SearchFilters = lazy(() => import('./filters.tsx'))
const Pager = lazy(() => import('./pager.tsx'))
/** The filters form's height on a desktop (one row), reserved while its chunk loads. */
const FILTERS_MIN_HEIGHT = 86

const hasFilters = (s: SearchState) => s.skills.length > 0 || s.languages.length > 0 || s.minRate !== null || s.maxRate !== null || s.sort !== null

export default function SearchPage() {
  const { t } = useI18n()
  const [params, setParams] = useSearchParams()
  const state = useMemo(() => parseSearch(params), [params])
  const [q, setQ] = useState(state.q)
  useEffect(() => setQ(state.q), [state.q])
  const { token } = theme.useToken()
  const [filtersOpen, setFiltersOpen] = useState(() => hasFilters(state))
  const go = (patch: Partial<SearchState>) => setParams(toSearchParams(updateSearch(state, patch)))

  const results = useQuery({ queryKey: ['search', toSearchParams(state).toString()], queryFn: () => searchMentors(state), placeholderData: keepPreviousData })
  const trending = useQuery({ queryKey: ['trending'], queryFn: () => trendingKeywords(10), staleTime: 60_000 })

  return (
    <Flex vertical gap={16}>
      <h1 style={{ margin: 0, fontSize: 30, lineHeight: 1.3, fontWeight: 600 }}>{t.tagline}</h1>
      <form role="search" onSubmit={(e) => { e.preventDefault(); go({ q }) }}>
        <Space.Compact style={{ width: '100%' }}>
          <Input size="large" aria-label={t.searchLabel} placeholder={t.searchPlaceholder} value={q} maxLength={200} onChange={(e) => setQ(e.target.value)} />
          <Button size="large" type="primary" htmlType="submit">{t.searchButton}</Button>
        </Space.Compact>
      </form>
      <section aria-label={t.trending}>
        <Flex wrap gap={6} align="center">
          <strong><FireOutlined /> {t.trending}</strong>
          {trending.isPending ? <span style={{ color: token.colorTextSecondary }}>{t.loading}</span>
            : trending.isError ? <span style={{ color: token.colorTextSecondary }}>—</span>
            : trending.data.items.length === 0 ? <span style={{ color: token.colorTextSecondary }}>{t.noTrending}</span>
            : trending.data.items.map((k) => (
              <Tag.CheckableTag key={k.keyword} checked={state.q === k.keyword} onChange={() => go({ q: k.keyword })}>{k.keyword}</Tag.CheckableTag>
            ))}
        </Flex>
      </section>
      <div style={{ minHeight: filtersOpen ? FILTERS_MIN_HEIGHT : undefined }}>
        {filtersOpen ? (
          <Suspense fallback={null}>
            <SearchFilters state={state} go={go} />
          </Suspense>
        ) : (
          <Button aria-expanded={false} icon={<FilterOutlined />} onClick={() => setFiltersOpen(true)}>{t.filtersShow}</Button>
        )}
      </div>
      {/* the results' area is held at most of a screen's height, so what comes later does not move the page */}
      <div style={{ minHeight: '70vh' }}>
      {results.isPending ? <Loading /> : results.isError ? <QueryError error={results.error} onRetry={() => void results.refetch()} /> : (
        <Flex vertical gap={12} aria-busy={results.isFetching}>
          <strong data-testid="result-count">{t.resultCount(results.data.total)}</strong>
          {results.data.suggestion && (
            <span>
              {t.didYouMean} <Button type="link" style={{ padding: 0 }} onClick={() => go({ q: results.data.suggestion! })}>{results.data.suggestion}</Button>?
            </span>
          )}
          {results.data.items.length === 0 ? <EmptyState text={t.noResults} /> : (
            <ul style={{ listStyle: 'none', margin: 0, padding: 0, display: 'grid', gap: 12, gridTemplateColumns: 'repeat(auto-fill, minmax(min(100%, 440px), 1fr))' }}>
              {results.data.items.map((m) => (
                <li key={m.id}><MentorCard item={m} /></li>
              ))}
            </ul>
          )}
          {results.data.total > state.pageSize && (
            <Suspense fallback={<div style={{ height: 32 }} />}>
              <Pager state={state} total={results.data.total} go={go} />
            </Suspense>
          )}
        </Flex>
      )}
      </div>
    </Flex>
  )
}
