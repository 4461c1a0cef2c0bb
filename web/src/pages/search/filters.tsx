// The search filters (skills, languages, price, sort): antd's Select, InputNumber and Form. A chunk of
// their own, loaded when the visitor opens the filters or the URL already has one, so the landing page
// does not carry them (web/test/bundle-budget.test.ts).
import { Col, Form, InputNumber, Row, Select } from 'antd'
import type { SearchSort } from '@sunbae/contracts'
import { AntdConfig } from '../../components/AntdConfig.tsx'
import { useI18n } from '../../i18n/index.tsx'
import type { SearchState } from '../../lib/search-state.ts'

const LANGS = ['ko', 'en', 'ja', 'zh', 'es', 'fr', 'de', 'vi']

export default function SearchFilters({ state, go }: { state: SearchState; go: (patch: Partial<SearchState>) => void }) {
  const { t } = useI18n()
  const sorts: { value: SearchSort; label: string }[] = [
    { value: 'relevance', label: t.sortRelevance },
    { value: 'rating', label: t.sortRating },
    { value: 'price_asc', label: t.sortPriceAsc },
    { value: 'price_desc', label: t.sortPriceDesc },
  ]
  return (
    <AntdConfig>
      <Form layout="vertical" aria-label={t.filters} id="search-filters">
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
    </AntdConfig>
  )
}
