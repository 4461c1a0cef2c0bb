// Firebase's email actions, handled in our app (the project's action URL points at /auth/action):
// ?mode=resetPassword&oobCode=… checks the code, asks for the new password and confirms it;
// ?mode=verifyEmail&oobCode=… applies the code. A used or expired code says so and offers the way back.
import { Alert, Button, Card, Form, Input, Spin, Typography } from 'antd'
import { applyActionCode, confirmPasswordReset, verifyPasswordResetCode } from 'firebase/auth'
import { useEffect, useRef, useState } from 'react'
import { Link, useSearchParams } from 'react-router'
import { useAuth } from '../../auth/AuthProvider.tsx'
import { useFeedback } from '../../components/feedback.ts'
import { auth } from '../../firebase.ts'
import { useI18n } from '../../i18n/index.tsx'

type State =
  | { step: 'checking' }
  | { step: 'invalid' }
  | { step: 'unknown' }
  | { step: 'reset'; email: string }
  | { step: 'resetDone' }
  | { step: 'verified' }

const INVALID = new Set(['auth/expired-action-code', 'auth/invalid-action-code', 'auth/user-disabled', 'auth/user-not-found'])

export default function EmailAction() {
  const { t } = useI18n()
  const fb = useFeedback()
  const { refresh } = useAuth()
  const [params] = useSearchParams()
  const mode = params.get('mode')
  const code = params.get('oobCode') ?? ''
  const [state, setState] = useState<State>({ step: 'checking' })
  const [busy, setBusy] = useState(false)
  // A code works once: the check runs once per code, whatever re-renders (a refreshed token) follow.
  const handled = useRef<string | null>(null)

  useEffect(() => {
    const key = `${mode}:${code}`
    if (handled.current === key) return
    handled.current = key
    const fail = (err: unknown) => {
      if (INVALID.has((err as { code?: string }).code ?? '')) setState({ step: 'invalid' })
      else {
        fb.error(err)
        setState({ step: 'invalid' })
      }
    }
    if (!code || (mode !== 'resetPassword' && mode !== 'verifyEmail')) {
      setState({ step: 'unknown' })
    } else if (mode === 'resetPassword') {
      verifyPasswordResetCode(auth, code).then((email) => setState({ step: 'reset', email }), fail)
    } else {
      applyActionCode(auth, code).then(async () => {
        // a signed-in session learns it now: the user record (emailVerified) and a fresh token
        // (its email_verified claim, what the server reads). The link opens this page anew: until
        // Auth has restored the persisted user, currentUser is null and both steps would do nothing,
        // leaving the session with its old token (403 EMAIL_UNVERIFIED on its next request).
        await auth.authStateReady().catch(() => {})
        await auth.currentUser?.reload().catch(() => {})
        await refresh().catch(() => {})
        setState({ step: 'verified' })
      }, fail)
    }
  }, [mode, code, fb, refresh])

  const onReset = async (v: { password: string }) => {
    setBusy(true)
    try {
      await confirmPasswordReset(auth, code, v.password)
      setState({ step: 'resetDone' })
    } catch (err) {
      if (INVALID.has((err as { code?: string }).code ?? '')) setState({ step: 'invalid' })
      else fb.error(err)
    } finally {
      setBusy(false)
    }
  }

  return (
    <Card style={{ maxWidth: 420, margin: '24px auto' }}>
      <Typography.Title level={2}>{mode === 'verifyEmail' ? t.email : t.resetTitle}</Typography.Title>
      {state.step === 'checking' && <Spin aria-label={t.actionChecking} description={t.actionChecking}><div style={{ minHeight: 48 }} /></Spin>}
      {state.step === 'invalid' && (
        <>
          <Alert type="error" showIcon title={t.actionInvalid} />
          <Typography.Paragraph style={{ marginTop: 16 }}>
            <Link to={mode === 'resetPassword' ? '/forgot-password' : '/me'}>{mode === 'resetPassword' ? t.forgotTitle : t.goHome}</Link>
          </Typography.Paragraph>
        </>
      )}
      {state.step === 'unknown' && (
        <>
          <Alert type="warning" showIcon title={t.actionUnknown} />
          <Typography.Paragraph style={{ marginTop: 16 }}><Link to="/">{t.goHome}</Link></Typography.Paragraph>
        </>
      )}
      {state.step === 'reset' && (
        <>
          <Typography.Paragraph>{t.resetFor(state.email)}</Typography.Paragraph>
          <Form layout="vertical" onFinish={onReset} requiredMark={false} name="reset">
            {/* the account's email for password managers, not shown */}
            <input type="email" name="username" autoComplete="username" value={state.email} readOnly hidden />
            <Form.Item label={t.resetNewPassword} name="password" rules={[{ required: true, min: 6, message: t.authWeakPassword }]}>
              <Input.Password autoComplete="new-password" />
            </Form.Item>
            <Button type="primary" htmlType="submit" block loading={busy}>{t.resetSubmit}</Button>
          </Form>
        </>
      )}
      {state.step === 'resetDone' && (
        <>
          <Alert type="success" showIcon role="status" title={t.resetDone} />
          <Typography.Paragraph style={{ marginTop: 16 }}><Link to="/login">{t.goLogin}</Link></Typography.Paragraph>
        </>
      )}
      {state.step === 'verified' && (
        <>
          <Alert type="success" showIcon role="status" title={t.verifyDone} />
          <Typography.Paragraph style={{ marginTop: 16 }}><Link to="/">{t.goHome}</Link></Typography.Paragraph>
        </>
      )}
    </Card>
  )
}
