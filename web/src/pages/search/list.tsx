// The main page: search box, filters, trending keywords and results, all in the URL (search-state.ts).
import { Button, Col, Flex, Form, Input, InputNumber, Pagination, Row, Select, Space, Tag, Typography } from 'antd'
import { FireOutlined } from '@ant-design/icons'
import { keepPreviousData, useQuery } from '@tanstack/react-query'
import { useEffect, useMemo, useState } from 'react'
import { useSearchParams } from 'react-router'
import type { SearchSort } from '@sunbae/contracts'
import { MentorCard } from '../../components/MentorCard.tsx'
import { EmptyState, Loading, QueryError } from '../../components/States.tsx'
import { useI18n } from '../../i18n/index.tsx'
import { parseSearch, toSearchParams, updateSearch, type SearchState } from '../../lib/search-state.ts'
import { searchMentors } from '../../services/catalog.ts'
import { trendingKeywords } from '../../services/tracking.ts'

const LANGS = ['ko', 'en', 'ja', 'zh', 'es', 'fr', 'de', 'vi']

export default function SearchPage() {
  const { t } = useI18n()
  const [params, setParams] = useSearchParams()
  const state = useMemo(() => parseSearch(params), [params])
  const [q, setQ] = useState(state.q)
  useEffect(() => setQ(state.q), [state.q])
  const go = (patch: Partial<SearchState>) => setParams(toSearchParams(updateSearch(state, patch)))

  const results = useQuery({ queryKey: ['search', toSearchParams(state).toString()], queryFn: () => searchMentors(state), placeholderData: keepPreviousData })
  const trending = useQuery({ queryKey: ['trending'], queryFn: () => trendingKeywords(10), staleTime: 60_000 })

  const sorts: { value: SearchSort; label: string }[] = [
    { value: 'relevance', label: t.sortRelevance },
    { value: 'rating', label: t.sortRating },
    { value: 'price_asc', label: t.sortPriceAsc },
    { value: 'price_desc', label: t.sortPriceDesc },
  ]

  return (
    <Flex vertical gap={16}>
      <Typography.Title level={1} style={{ marginBottom: 0 }}>{t.tagline}</Typography.Title>
      <form role="search" onSubmit={(e) => { e.preventDefault(); go({ q }) }}>
        <Space.Compact style={{ width: '100%' }}>
          <Input size="large" aria-label={t.searchLabel} placeholder={t.searchPlaceholder} value={q} maxLength={200} onChange={(e) => setQ(e.target.value)} allowClear />
          <Button size="large" type="primary" htmlType="submit">{t.searchButton}</Button>
        </Space.Compact>
      </form>
      <section aria-label={t.trending}>
        <Flex wrap gap={6} align="center">
          <Typography.Text strong><FireOutlined /> {t.trending}</Typography.Text>
          {trending.isPending ? <Typography.Text type="secondary">{t.loading}</Typography.Text>
            : trending.isError ? <Typography.Text type="secondary">—</Typography.Text>
            : trending.data.items.length === 0 ? <Typography.Text type="secondary">{t.noTrending}</Typography.Text>
            : trending.data.items.map((k) => (
              <Tag.CheckableTag key={k.keyword} checked={state.q === k.keyword} onChange={() => go({ q: k.keyword })}>{k.keyword}</Tag.CheckableTag>
            ))}
        </Flex>
      </section>
      <Form layout="vertical" aria-label={t.filters}>
        <Row gutter={12}>
          <Col xs={24} sm={12} md={6}>
            <Form.Item label={t.skills} htmlFor="f-skills">
              <Select id="f-skills" mode="tags" value={state.skills} maxCount={10} onChange={(v: string[]) => go({ skills: v })} tokenSeparators={[',']} open={false} suffixIcon={null} />
            </Form.Item>
          </Col>
          <Col xs={24} sm={12} md={6}>
            <Form.Item label={t.languages} htmlFor="f-langs">
              <Select id="f-langs" mode="multiple" value={state.languages} onChange={(v: string[]) => go({ languages: v })} options={LANGS.map((l) => ({ value: l, label: l }))} />
            </Form.Item>
          </Col>
          <Col xs={12} md={4}>
            <Form.Item label={t.minRate} htmlFor="f-min">
              <InputNumber id="f-min" min={0} step={10000} style={{ width: '100%' }} value={state.minRate} onChange={(v) => go({ minRate: typeof v === 'number' ? v : null })} />
            </Form.Item>
          </Col>
          <Col xs={12} md={4}>
            <Form.Item label={t.maxRate} htmlFor="f-max">
              <InputNumber id="f-max" min={0} step={10000} style={{ width: '100%' }} value={state.maxRate} onChange={(v) => go({ maxRate: typeof v === 'number' ? v : null })} />
            </Form.Item>
          </Col>
          <Col xs={24} md={4}>
            <Form.Item label={t.sort} htmlFor="f-sort">
              <Select id="f-sort" allowClear value={state.sort ?? undefined} onChange={(v?: SearchSort) => go({ sort: v ?? null })} options={sorts} />
            </Form.Item>
          </Col>
        </Row>
      </Form>
      {results.isPending ? <Loading /> : results.isError ? <QueryError error={results.error} onRetry={() => void results.refetch()} /> : (
        <Flex vertical gap={12} aria-busy={results.isFetching}>
          <Typography.Text strong data-testid="result-count">{t.resultCount(results.data.total)}</Typography.Text>
          {results.data.suggestion && (
            <Typography.Text>
              {t.didYouMean} <Button type="link" style={{ padding: 0 }} onClick={() => go({ q: results.data.suggestion! })}>{results.data.suggestion}</Button>?
            </Typography.Text>
          )}
          {results.data.items.length === 0 ? <EmptyState text={t.noResults} /> : (
            <Row gutter={[12, 12]}>
              {results.data.items.map((m) => (
                <Col key={m.id} xs={24} lg={12}><MentorCard item={m} /></Col>
              ))}
            </Row>
          )}
          {results.data.total > state.pageSize && (
            <Pagination
              align="center"
              current={state.page}
              pageSize={state.pageSize}
              total={Math.min(results.data.total, state.pageSize * 10_000)}
              showSizeChanger
              pageSizeOptions={[10, 20, 50]}
              onChange={(page, pageSize) => go(pageSize !== state.pageSize ? { pageSize, page: 1 } : { page })}
            />
          )}
        </Flex>
      )}
    </Flex>
  )
}
