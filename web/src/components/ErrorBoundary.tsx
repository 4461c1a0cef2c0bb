import { Component, type ReactNode } from 'react'
import { CloseCircleFilled } from './icons.tsx'
import { useI18n } from '../i18n/index.tsx'

/** Catches a render error anywhere below: a friendly page instead of a blank one (no stack shown). */
export class ErrorBoundary extends Component<{ children: ReactNode }, { failed: boolean }> {
  override state = { failed: false }
  static getDerivedStateFromError() {
    return { failed: true }
  }
  override componentDidCatch(error: unknown) {
    console.warn('render failed', error)
  }
  override render() {
    return this.state.failed ? <Crashed /> : this.props.children
  }
}

/** The error page, in the language on screen (the boundary is inside I18nProvider). */
function Crashed() {
  const { t } = useI18n()
  // antd's Result status="error", drawn here: Result itself carries its 404/403/500 illustrations (about
  // 8 KB gzipped) into every page, the first one too
  return (
    <div role="alert" style={{ padding: '48px 32px', textAlign: 'center' }}>
      <CloseCircleFilled style={{ fontSize: 72, color: '#cf1322' }} />
      <h1 style={{ margin: '24px 0 8px', fontSize: 24, fontWeight: 400, lineHeight: 1.33 }}>{t.crashTitle}</h1>
      <p style={{ margin: 0, color: 'rgba(0, 0, 0, 0.62)', fontSize: 14 }}>{t.crashText}</p>
      <div style={{ marginTop: 24 }}>
        <button type="button" className="sb-btn sb-btn-primary" onClick={() => window.location.assign('/')}>{t.home}</button>
      </div>
    </div>
  )
}
