// My page › the danger zone: delete my account (issue 21, PIPA / GDPR). The user types a word to
// confirm; DELETE /api/me erases the account (the catalog tells every service, deletes the Firebase
// account, and the gateway refuses the old token at once); the app signs out and loads the home page,
// which shows a notice (components/AccountNotice.tsx).
import { Button, Card, Input, Modal, Typography } from 'antd'
import { useState } from 'react'
import { leaveAccountDeletedNotice } from '../../components/AccountNotice.tsx'
import { useAuth } from '../../auth/AuthProvider.tsx'
import { useFeedback } from '../../components/feedback.ts'
import { useI18n } from '../../i18n/index.tsx'
import { useDeletionWords } from '../../i18n/deletion.ts'
import { deleteMe } from '../../services/catalog.ts'

/** What the user types: the API's own confirmation word, the same in every language. */
const CONFIRM_WORD = 'DELETE'

export function DeleteAccountCard() {
  const { t } = useI18n()
  const w = useDeletionWords()
  const fb = useFeedback()
  const { logout } = useAuth()
  const [open, setOpen] = useState(false)
  const [typed, setTyped] = useState('')
  const [busy, setBusy] = useState(false)

  const confirm = async () => {
    setBusy(true)
    try {
      await deleteMe()
    } catch (err) {
      fb.error(err)
      setBusy(false)
      return
    }
    // The account is gone: sign out (the Firebase account is deleted, so that is all that is left) and
    // load the home page afresh, with the notice waiting there. A fresh load, because this page may
    // already have been left: a request that met the refused token signs the app out meanwhile.
    leaveAccountDeletedNotice()
    await logout().catch(() => undefined)
    window.location.replace('/')
  }

  return (
    <Card title={w.deleteZoneTitle} styles={{ header: { color: '#a8071a' } }} data-testid="danger-zone">
      <Typography.Paragraph>{w.deleteZoneIntro}</Typography.Paragraph>
      <Button danger onClick={() => { setTyped(''); setOpen(true) }} data-testid="delete-account">{w.deleteAccount}</Button>
      <Modal
        open={open}
        title={w.deleteConfirmTitle}
        onCancel={() => setOpen(false)}
        onOk={confirm}
        okText={w.deleteConfirmOk}
        cancelText={t.cancel}
        okButtonProps={{ danger: true, disabled: typed !== CONFIRM_WORD, ...{ 'data-testid': 'delete-account-confirm' } }}
        confirmLoading={busy}
        destroyOnHidden
      >
        <Typography.Paragraph>{w.deleteConfirmPrompt(CONFIRM_WORD)}</Typography.Paragraph>
        <Input value={typed} onChange={(e) => setTyped(e.target.value)} aria-label={w.deleteConfirmPrompt(CONFIRM_WORD)} autoComplete="off" data-testid="delete-account-word" />
      </Modal>
    </Card>
  )
}
