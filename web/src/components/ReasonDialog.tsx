// A confirmation that asks why: every admin action goes to the audit trail with a reason. One dialog
// for suspend / reinstate / disable / enable / hide / restore.
import { Form, Input, Modal, Typography } from 'antd'
import { useI18n } from '../i18n/index.tsx'

export function ReasonDialog({ open, title, hint, okText, danger = false, pending, onCancel, onSubmit, label }: {
  open: boolean
  title: string
  hint?: string | undefined
  okText: string
  danger?: boolean
  pending: boolean
  label?: string
  onCancel: () => void
  onSubmit: (reason: string) => void
}) {
  const { t } = useI18n()
  const [form] = Form.useForm<{ reason: string }>()
  return (
    <Modal open={open} title={title} onCancel={onCancel} onOk={() => form.submit()} okText={okText} okButtonProps={{ danger }} cancelText={t.cancel}
      confirmLoading={pending} destroyOnHidden afterClose={() => form.resetFields()}>
      {hint && <Typography.Paragraph type="secondary">{hint}</Typography.Paragraph>}
      <Form form={form} layout="vertical" name="admin-reason" onFinish={(v) => onSubmit(v.reason.trim())}>
        <Form.Item label={label ?? t.adminReason} name="reason" rules={[{ required: true, whitespace: true, message: t.required }]}>
          <Input.TextArea rows={3} maxLength={1000} showCount />
        </Form.Item>
      </Form>
    </Modal>
  )
}
