// My page › my name, and changing it (issue 21). The name lives in two places that must agree:
// Firebase's profile (the next ID token carries it, and every sign-in mirrors it to the catalog with
// PUT /api/me) and the catalog's account, whose catalog.user.updated takes it to matching (the mentor's
// inbox), notification and — for a mentor — the public profile. Firebase first: if the PUT then fails,
// the next sign-in's PUT still brings the catalog round to the new name.
import { Button, Flex, Form, Input, Space } from 'antd'
import { useQueryClient } from '@tanstack/react-query'
import { updateProfile } from 'firebase/auth'
import { useState } from 'react'
import { useAuth } from '../../auth/AuthProvider.tsx'
import { useFeedback } from '../../components/feedback.ts'
import { useI18n } from '../../i18n/index.tsx'
import { putMe } from '../../services/catalog.ts'

export function DisplayName() {
  const { t } = useI18n()
  const fb = useFeedback()
  const qc = useQueryClient()
  const { user, refresh } = useAuth()
  const [editing, setEditing] = useState(false)
  const [busy, setBusy] = useState(false)

  const save = async (v: { displayName: string }) => {
    if (!user) return
    const displayName = v.displayName.trim()
    setBusy(true)
    try {
      await updateProfile(user, { displayName })
      // a fresh token carries the name; its change event re-renders the header and this page with it
      await refresh()
      qc.setQueryData(['me'], await putMe({ displayName }))
      // lists that name me (requests, matches) follow once matching has the event
      void qc.invalidateQueries()
      setEditing(false)
      fb.success(t.profileRenamed)
    } catch (err) {
      fb.error(err)
    } finally {
      setBusy(false)
    }
  }

  if (!editing) {
    return (
      <Space size="small" wrap>
        <span data-testid="my-name">{user?.displayName ?? '—'}</span>
        <Button size="small" type="link" onClick={() => setEditing(true)} data-testid="rename">{t.profileRename}</Button>
      </Space>
    )
  }
  return (
    <Form layout="inline" name="rename" initialValues={{ displayName: user?.displayName ?? '' }} onFinish={save}>
      <Flex gap={8} wrap>
        <Form.Item name="displayName" rules={[{ required: true, whitespace: true, max: 80, message: t.required }]} style={{ margin: 0 }}>
          <Input aria-label={t.displayName} autoComplete="name" maxLength={80} autoFocus />
        </Form.Item>
        <Button type="primary" htmlType="submit" loading={busy} data-testid="rename-save">{t.save}</Button>
        <Button onClick={() => setEditing(false)} disabled={busy}>{t.cancel}</Button>
      </Flex>
    </Form>
  )
}
