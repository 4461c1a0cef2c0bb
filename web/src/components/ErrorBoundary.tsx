import { Component, type ReactNode } from 'react'
import { Button, Result } from 'antd'
import { DICTS } from '../i18n/dict.ts'

/** Catches a render error anywhere below: a friendly page instead of a blank one (no stack shown). */
export class ErrorBoundary extends Component<{ children: ReactNode; lang: 'ko' | 'en' }, { failed: boolean }> {
  override state = { failed: false }
  static getDerivedStateFromError() {
    return { failed: true }
  }
  override componentDidCatch(error: unknown) {
    console.warn('render failed', error)
  }
  override render() {
    if (!this.state.failed) return this.props.children
    const t = DICTS[this.props.lang]
    return (
      <Result
        status="error"
        title={t.crashTitle}
        subTitle={t.crashText}
        extra={<Button type="primary" onClick={() => window.location.assign('/')}>{t.home}</Button>}
      />
    )
  }
}
