// Stands in for antd's tooltip/UniqueProvider in the production build (vite.config.ts, the plugin
// `antd-without-unique-tooltips`). antd's ConfigProvider imports it statically but renders it only when
// given `tooltip={{ unique: true }}` (one shared popup for every tooltip), which App.tsx never gives;
// the real one brings @rc-component/trigger (about 11 KB gzipped) to the first page. The tooltips
// themselves (antd's Tooltip, in the pages that use it) are untouched.
import type { ReactNode } from 'react'

export default function UniqueProvider({ children }: { children?: ReactNode }) {
  return <>{children}</>
}
