// The results' pager (antd Pagination with its page-size select): a chunk of its own, loaded only when
// there is more than one page.
import { Pagination } from 'antd'
import type { SearchState } from '../../lib/search-state.ts'

export default function Pager({ state, total, go }: { state: SearchState; total: number; go: (patch: Partial<SearchState>) => void }) {
  return (
    <Pagination
      align="center"
      current={state.page}
      pageSize={state.pageSize}
      total={Math.min(total, state.pageSize * 10_000)}
      showSizeChanger
      pageSizeOptions={[10, 20, 50]}
      onChange={(page, pageSize) => go(pageSize !== state.pageSize ? { pageSize, page: 1 } : { page })}
    />
  )
}
