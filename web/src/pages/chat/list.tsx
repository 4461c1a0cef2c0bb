// Chat: my rooms with unread counts and the other side's avatar; the selected room (?room=) shows
// history from the API and new messages live from Firestore.
import { Badge, Button, Card, Col, Empty, Flex, Input, Row, Tag, Typography } from 'antd'
import { ItemList } from '../../components/ItemList.tsx'
import { useInfiniteQuery, useMutation, useQueries, useQuery, useQueryClient } from '@tanstack/react-query'
import { useEffect, useMemo, useRef, useState } from 'react'
import { useSearchParams } from 'react-router'
import { CHAT_LIMITS, type ChatMessage, type ChatRoom } from '@sunbae/contracts'
import { useAuth } from '../../auth/AuthProvider.tsx'
import { Avatar } from '../../components/Avatar.tsx'
import { useFeedback } from '../../components/feedback.ts'
import { QueryError, QueryView } from '../../components/States.tsx'
import { useI18n } from '../../i18n/index.tsx'
import { can } from '../../lib/access.ts'
import { listRooms, markRead, roomMessages, sendMessage, watchMessages } from '../../services/chat.ts'
import { listMatches } from '../../services/matching.ts'
import { getMentor } from '../../services/catalog.ts'

/** The other side of a room: whose avatar (id), name and photo. */
interface Partner {
  id: string
  name: string
  photoUrl: string | null
}

/**
 * The other side of each room, from my matches (a room's id is its match id). A mentor's photo comes
 * from their public page (GET /api/mentors/:id, cached like the mentor page itself); mentees have none.
 */
function usePartners(): Map<string, Partner> {
  const asMentee = useQuery({ queryKey: ['matches', 'mentee', 1], queryFn: () => listMatches('mentee', 1) })
  const { viewer } = useAuth()
  const asMentor = useQuery({ queryKey: ['matches', 'mentor', 1], queryFn: () => listMatches('mentor', 1), enabled: can(viewer, 'seeMyMentees') })
  const mentorIds = [...new Set((asMentee.data?.items ?? []).map((x) => x.mentor.id))]
  const pages = useQueries({
    queries: mentorIds.map((id) => ({ queryKey: ['mentor', id], queryFn: () => getMentor(id), staleTime: 5 * 60_000, retry: false })),
  })
  const photos = new Map(pages.flatMap((p) => (p.data ? [[p.data.id, p.data.photoUrl] as const] : [])))
  const photoKey = [...photos].join()
  return useMemo(() => {
    const m = new Map<string, Partner>()
    for (const x of asMentee.data?.items ?? []) m.set(x.id, { id: x.mentor.id, name: x.mentor.displayName ?? x.mentor.id, photoUrl: photos.get(x.mentor.id) ?? null })
    for (const x of asMentor.data?.items ?? []) m.set(x.id, { id: x.mentee.uid, name: x.mentee.displayName ?? x.mentee.uid, photoUrl: null })
    return m
    // photos is rebuilt each render; photoKey says when it changed
  }, [asMentee.data, asMentor.data, photoKey])
}

const unknownPartner = (roomId: string): Partner => ({ id: roomId, name: roomId.slice(0, 8), photoUrl: null })

function Room({ room, partner }: { room: ChatRoom; partner: Partner }) {
  const { t, lang } = useI18n()
  const { user } = useAuth()
  const fb = useFeedback()
  const qc = useQueryClient()
  const [text, setText] = useState('')
  const [live, setLive] = useState<ChatMessage[]>([])
  const [liveError, setLiveError] = useState<unknown>(null)
  const bottom = useRef<HTMLDivElement>(null)
  const history = useInfiniteQuery({
    queryKey: ['chat-messages', room.id],
    queryFn: ({ pageParam }) => roomMessages(room.id, pageParam),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextBefore ?? undefined,
  })
  useEffect(() => watchMessages(room.id, setLive, setLiveError), [room.id])
  const read = useMutation({ mutationFn: () => markRead(room.id), onSuccess: () => void qc.invalidateQueries({ queryKey: ['chat-rooms'] }) })
  const messages = useMemo(() => {
    const byId = new Map<string, ChatMessage>()
    for (const page of history.data?.pages ?? []) for (const m of page.items) byId.set(m.id, m)
    for (const m of live) byId.set(m.id, m)
    return [...byId.values()].sort((a, b) => a.createdAt.localeCompare(b.createdAt))
  }, [history.data, live])
  const newest = messages.at(-1)?.id
  useEffect(() => {
    bottom.current?.scrollIntoView({ block: 'end' })
    if (newest) read.mutate()
    // Marks the room read whenever a newer message shows (not on every render).
  }, [newest])
  const send = useMutation({
    mutationFn: (body: string) => sendMessage(room.id, user!.uid, body),
    onSuccess: () => setText(''),
    onError: fb.error,
  })
  const submit = () => {
    const body = text.trim()
    if (body && !send.isPending) send.mutate(body)
  }
  return (
    <Card title={<Flex align="center" gap={8}><Avatar id={partner.id} name={partner.name} photoUrl={partner.photoUrl} size={32} decorative />{partner.name}</Flex>} extra={room.status === 'closed' && <Tag>closed</Tag>}>
      {liveError ? <QueryError error={liveError} /> : null}
      <Flex vertical gap={8} style={{ height: 420, overflowY: 'auto' }} data-testid="chat-messages" aria-live="polite">
        {history.hasNextPage && <Button size="small" onClick={() => void history.fetchNextPage()} loading={history.isFetchingNextPage}>↑</Button>}
        {history.isError && <QueryError error={history.error} onRetry={() => void history.refetch()} />}
        {!history.isPending && messages.length === 0 && <Empty />}
        {messages.map((m) => {
          const mine = m.authorUid === user?.uid
          return (
            <Flex key={m.id} justify={m.type === 'system' ? 'center' : mine ? 'flex-end' : 'flex-start'}>
              <div style={{ maxWidth: '75%', padding: '6px 10px', borderRadius: 8, background: m.type === 'system' ? 'transparent' : mine ? '#e6f0ff' : '#f5f5f5' }}>
                <Typography.Text type={m.type === 'system' || m.hidden ? 'secondary' : undefined} style={{ whiteSpace: 'pre-wrap' }}>{m.text ?? '—'}</Typography.Text>
                <div><Typography.Text type="secondary" style={{ fontSize: 11 }}>{new Date(m.createdAt).toLocaleTimeString(lang, { hour: '2-digit', minute: '2-digit' })}</Typography.Text></div>
              </div>
            </Flex>
          )
        })}
        <div ref={bottom} />
      </Flex>
      <Flex gap={8} style={{ marginTop: 12 }}>
        <Input.TextArea aria-label={t.typeMessage} placeholder={t.typeMessage} value={text} maxLength={CHAT_LIMITS.text} autoSize={{ minRows: 1, maxRows: 4 }}
          disabled={room.status !== 'open'}
          onChange={(e) => setText(e.target.value)}
          onPressEnter={(e) => { if (!e.shiftKey && !e.nativeEvent.isComposing) { e.preventDefault(); submit() } }} />
        <Button type="primary" onClick={submit} loading={send.isPending} disabled={room.status !== 'open' || !text.trim()}>{t.send}</Button>
      </Flex>
    </Card>
  )
}

export default function ChatPage() {
  const { t } = useI18n()
  const [params, setParams] = useSearchParams()
  const rooms = useQuery({ queryKey: ['chat-rooms'], queryFn: listRooms, refetchInterval: 15_000 })
  const partners = usePartners()
  const selected = rooms.data?.items.find((r) => r.id === params.get('room')) ?? null
  return (
    <Flex vertical gap={12}>
      <Typography.Title level={1} style={{ margin: 0 }}>{t.navChat}</Typography.Title>
      <Row gutter={[12, 12]}>
        <Col xs={24} md={8}>
          <Card size="small" title={t.chatRooms}>
            <QueryView query={rooms} isEmpty={(d) => d.items.length === 0} empty={t.noRooms}>
              {(d) => (
                <ItemList items={d.items} itemKey={(r) => r.id} data-testid="chat-rooms"
                  itemStyle={(r) => ({ background: r.id === selected?.id ? '#f0f5ff' : undefined, paddingInline: 8 })}
                  render={(r) => (
                    <Flex justify="space-between" style={{ width: '100%' }} gap={8}>
                      {(() => {
                        const p = partners.get(r.id) ?? unknownPartner(r.id)
                        return <Avatar id={p.id} name={p.name} photoUrl={p.photoUrl} size={40} decorative style={{ marginTop: 2 }} />
                      })()}
                      <Flex vertical style={{ minWidth: 0, flex: 1 }}>
                        <Button type="link" style={{ padding: 0, height: 'auto', justifyContent: 'flex-start' }} onClick={() => setParams({ room: r.id })}>{(partners.get(r.id) ?? unknownPartner(r.id)).name}</Button>
                        <Typography.Text type="secondary" ellipsis>{r.lastMessage?.text ?? ''}</Typography.Text>
                      </Flex>
                      {r.unread > 0 ? <span role="img" aria-label={`${t.unread} ${r.unread}`}><Badge count={r.unread} /></span> : null}
                    </Flex>
                )} />
              )}
            </QueryView>
          </Card>
        </Col>
        <Col xs={24} md={16}>
          {selected ? <Room key={selected.id} room={selected} partner={partners.get(selected.id) ?? unknownPartner(selected.id)} /> : null}
        </Col>
      </Row>
    </Flex>
  )
}
