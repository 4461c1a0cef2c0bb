// antd's Alert and Empty with the app's theme and locale, for States.tsx, which loads them when a page
// first shows an error or nothing: on the search page nothing else has set antd's theme up (AntdConfig).
import { Alert, Empty } from 'antd'
import type { ComponentProps } from 'react'
import { AntdConfig } from './AntdConfig.tsx'

export function ThemedAlert(props: ComponentProps<typeof Alert>) {
  return <AntdConfig><Alert {...props} /></AntdConfig>
}

export function ThemedEmpty(props: ComponentProps<typeof Empty>) {
  return <AntdConfig><Empty {...props} /></AntdConfig>
}
