// Admin: chat moderation — search the messages of every room by words (hidden ones keep their text
// here), hide one with a reason, or show a hidden one again with a reason.
import { Button, Flex, Form, Input, Modal, Table, Tag, Typography } from 'antd'
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { useState } from 'react'
import { CHAT_LIMITS, type AdminChatMessage, type AdminMessageSearchResult } from '@sunbae/contracts'
import { useFeedback } from '../../components/feedback.ts'
import { QueryView } from '../../components/States.tsx'
import { useI18n } from '../../i18n/index.tsx'
import { hideMessage, searchAllMessages } from '../../services/chat.ts'
import { unhideMessage } from '../../services/admin-ops.ts'

export default function ChatModeration() {
  const { t, lang } = useI18n()
  const fb = useFeedback()
  const qc = useQueryClient()
  const [q, setQ] = useState('')
  const [hiding, setHiding] = useState<AdminChatMessage | null>(null)
  const [showing, setShowing] = useState<AdminChatMessage | null>(null)
  const [unhideForm] = Form.useForm<{ reason: string }>()
  const [form] = Form.useForm<{ reason: string }>()
  const found = useQuery({ queryKey: ['admin-chat-search', q], queryFn: () => searchAllMessages(q), enabled: !!q })
  const hide = useMutation({
    mutationFn: (v: { m: AdminChatMessage; reason: string }) => hideMessage(v.m.roomId, v.m.id, v.reason),
    onSuccess: (m) => {
      // the answer is the message as it is now: the list shows it hidden without another search
      qc.setQueryData<AdminMessageSearchResult>(['admin-chat-search', q], (d) => d && { items: d.items.map((x) => (x.id === m.id && x.roomId === m.roomId ? m : x)) })
      setHiding(null)
      form.resetFields()
      fb.success(t.messageHidden)
    },
    onError: fb.error,
  })
  const unhide = useMutation({
    mutationFn: (v: { m: AdminChatMessage; reason: string }) => unhideMessage(v.m.roomId, v.m.id, v.reason),
    onSuccess: (m) => {
      qc.setQueryData<AdminMessageSearchResult>(['admin-chat-search', q], (d) => d && { items: d.items.map((x) => (x.id === m.id && x.roomId === m.roomId ? m : x)) })
      setShowing(null)
      unhideForm.resetFields()
      fb.success(t.messageUnhidden)
    },
    onError: fb.error,
  })
  return (
    <Flex vertical gap={12}>
      <Input.Search aria-label={t.searchMessages} placeholder={t.searchMessages} allowClear enterButton={t.searchButton} maxLength={CHAT_LIMITS.query} style={{ maxWidth: 480 }}
        onSearch={(v) => setQ(v.trim())} />
      {!q ? <Typography.Text type="secondary">{t.searchMessagesHint}</Typography.Text> : (
        <QueryView query={found} isEmpty={(d) => d.items.length === 0} empty={t.noResults}>
          {(d) => (
            <Table<AdminChatMessage> rowKey={(m) => `${m.roomId}/${m.id}`} size="small" scroll={{ x: true }} dataSource={d.items} pagination={{ pageSize: 20, hideOnSinglePage: true }}
              data-testid="admin-chat-messages"
              columns={[
                { title: t.occurredAt, key: 'at', render: (_, m) => new Date(m.createdAt).toLocaleString(lang) },
                { title: t.message, key: 'text', render: (_, m) => (
                  <Typography.Paragraph style={{ margin: 0, whiteSpace: 'pre-wrap', maxWidth: 480 }} type={m.hidden ? 'secondary' : undefined} delete={m.hidden}>{m.text}</Typography.Paragraph>
                ) },
                { title: t.author, key: 'author', render: (_, m) => (m.type === 'system' ? <Tag>system</Tag> : <Typography.Text copyable style={{ fontSize: 12 }}>{m.authorUid ?? '—'}</Typography.Text>) },
                { title: t.room, key: 'room', render: (_, m) => <Typography.Text copyable style={{ fontSize: 12 }}>{m.roomId}</Typography.Text> },
                { title: t.status, key: 'hidden', render: (_, m) => (m.hidden ? <Tag color="red">{t.hiddenTag}</Tag> : null) },
                { title: t.actions, key: 'actions', render: (_, m) => m.hidden ? (
                  <Button size="small" onClick={() => setShowing(m)}>{t.unhideMessage}</Button>
                ) : (
                  <Button size="small" danger onClick={() => setHiding(m)}>{t.hideMessage}</Button>
                ) },
              ]} />
          )}
        </QueryView>
      )}
      <Modal open={!!hiding} title={t.hideMessage} onCancel={() => setHiding(null)} onOk={() => form.submit()} okText={t.hideMessage} okButtonProps={{ danger: true }}
        cancelText={t.cancel} confirmLoading={hide.isPending} destroyOnHidden>
        {hiding && <Typography.Paragraph style={{ whiteSpace: 'pre-wrap' }} type="secondary">{hiding.text}</Typography.Paragraph>}
        <Form form={form} layout="vertical" name="hide-message" onFinish={(v) => hiding && hide.mutate({ m: hiding, reason: v.reason.trim() })}>
          <Form.Item label={t.hideReason} name="reason" rules={[{ required: true, whitespace: true, message: t.required }]}>
            <Input.TextArea rows={3} maxLength={CHAT_LIMITS.reason} showCount />
          </Form.Item>
        </Form>
      </Modal>
      <Modal open={!!showing} title={t.unhideMessage} onCancel={() => setShowing(null)} onOk={() => unhideForm.submit()} okText={t.unhideMessage}
        cancelText={t.cancel} confirmLoading={unhide.isPending} destroyOnHidden>
        {showing && <Typography.Paragraph style={{ whiteSpace: 'pre-wrap' }} type="secondary">{showing.text}</Typography.Paragraph>}
        <Form form={unhideForm} layout="vertical" name="unhide-message" onFinish={(v) => showing && unhide.mutate({ m: showing, reason: v.reason.trim() })}>
          <Form.Item label={t.adminReason} name="reason" rules={[{ required: true, whitespace: true, message: t.required }]}>
            <Input.TextArea rows={3} maxLength={CHAT_LIMITS.reason} showCount />
          </Form.Item>
        </Form>
      </Modal>
    </Flex>
  )
}
