import { Button, Card, Divider, Form, Input, Typography } from 'antd'
import { GoogleAuthProvider, signInWithEmailAndPassword, signInWithPopup } from 'firebase/auth'
import { useEffect, useState } from 'react'
import { Link, useNavigate, useSearchParams } from 'react-router'
import { useAuth } from '../../auth/AuthProvider.tsx'
import { useFeedback } from '../../components/feedback.ts'
import { auth, googleSignInEnabled } from '../../firebase.ts'
import { useI18n } from '../../i18n/index.tsx'
import { safeNext } from '../../lib/access.ts'

export function GoogleButton() {
  const { t } = useI18n()
  const fb = useFeedback()
  if (!googleSignInEnabled) return null
  return (
    <>
      <Divider />
      <Button block onClick={() => signInWithPopup(auth, new GoogleAuthProvider()).catch(fb.error)}>{t.google}</Button>
    </>
  )
}

/** Once signed in, leave the auth page for ?next= (a same-site path only). */
export function useLeaveWhenSignedIn() {
  const { viewer } = useAuth()
  const [params] = useSearchParams()
  const navigate = useNavigate()
  useEffect(() => {
    if (viewer) navigate(safeNext(params.get('next')), { replace: true })
  }, [viewer, params, navigate])
}

export default function Login() {
  const { t } = useI18n()
  const fb = useFeedback()
  const [busy, setBusy] = useState(false)
  const [params] = useSearchParams()
  useLeaveWhenSignedIn()

  const onFinish = async (v: { email: string; password: string }) => {
    setBusy(true)
    try {
      await signInWithEmailAndPassword(auth, v.email.trim(), v.password)
    } catch (err) {
      fb.error(err)
    } finally {
      setBusy(false)
    }
  }

  return (
    <Card style={{ maxWidth: 420, margin: '24px auto' }}>
      <Typography.Title level={2}>{t.loginTitle}</Typography.Title>
      <Form layout="vertical" onFinish={onFinish} requiredMark={false} name="login">
        <Form.Item label={t.email} name="email" rules={[{ required: true, type: 'email', message: t.authInvalidEmail }]}>
          <Input type="email" autoComplete="email" />
        </Form.Item>
        <Form.Item label={t.password} name="password" rules={[{ required: true, message: t.required }]}>
          <Input.Password autoComplete="current-password" />
        </Form.Item>
        <Button type="primary" htmlType="submit" block loading={busy}>{t.loginSubmit}</Button>
      </Form>
      <Typography.Paragraph style={{ marginTop: 12, marginBottom: 0 }}>
        <Link to="/forgot-password">{t.forgotLink}</Link>
      </Typography.Paragraph>
      <GoogleButton />
      <Typography.Paragraph style={{ marginTop: 16 }}>
        {t.noAccount} <Link to={`/signup${params.get('next') ? `?next=${encodeURIComponent(params.get('next')!)}` : ''}`}>{t.navSignup}</Link>
      </Typography.Paragraph>
    </Card>
  )
}
