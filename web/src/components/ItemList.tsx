import { Flex, Pagination } from 'antd'
import type { CSSProperties, ReactNode } from 'react'

/** A plain list of items with dividers and optional pagination (antd's List is deprecated in v6). */
export function ItemList<T>({ items, render, itemKey, page, onItemClick, itemStyle, ...rest }: {
  items: readonly T[]
  render: (item: T) => ReactNode
  itemKey: (item: T) => string
  page?: { current: number; pageSize: number; total: number; onChange: (p: number) => void }
  onItemClick?: (item: T) => void
  itemStyle?: (item: T) => CSSProperties | undefined
  'data-testid'?: string
}) {
  return (
    <Flex vertical gap={8}>
      <ul style={{ listStyle: 'none', margin: 0, padding: 0 }} data-testid={rest['data-testid']}>
        {items.map((item, i) => (
          <li key={itemKey(item)} onClick={onItemClick ? () => onItemClick(item) : undefined}
            style={{ padding: '10px 4px', borderTop: i ? '1px solid rgba(5,5,5,0.06)' : undefined, ...itemStyle?.(item) }}>
            {render(item)}
          </li>
        ))}
      </ul>
      {page && page.total > page.pageSize && <Pagination align="center" size="small" {...page} showSizeChanger={false} />}
    </Flex>
  )
}
