// The results' pager (antd Pagination with its page-size select): a chunk of its own, loaded only when
// there is more than one page. Its page links are real anchors with the page's URL (crawlers follow them;
// antd draws them without href); a click stays in the app (antd's onChange), without a page load.
import { Pagination } from 'antd'
import { cloneElement, isValidElement, type MouseEvent, type ReactElement } from 'react'
import { toSearchParams, updateSearch, type SearchState } from '../../lib/search-state.ts'

export default function Pager({ state, total, go }: { state: SearchState; total: number; go: (patch: Partial<SearchState>) => void }) {
  const href = (page: number) => `/?${toSearchParams(updateSearch(state, { page })).toString()}`
  return (
    <Pagination
      align="center"
      current={state.page}
      pageSize={state.pageSize}
      total={Math.min(total, state.pageSize * 10_000)}
      showSizeChanger
      pageSizeOptions={[10, 20, 50]}
      onChange={(page, pageSize) => go(pageSize !== state.pageSize ? { pageSize, page: 1 } : { page })}
      itemRender={(page, _type, element) =>
        isValidElement(element) && element.type === 'a'
          ? cloneElement(element as ReactElement<{ href?: string; onClick?: (e: MouseEvent) => void }>, { href: href(page), onClick: (e: MouseEvent) => e.preventDefault() })
          : element}
    />
  )
}
