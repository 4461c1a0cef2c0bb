import type { Message } from './message.ts'

/** Unread chat, at most one per window per person: how many messages in how many rooms. */
export function chatDigest(messages: number, rooms: number): Message {
  return {
    category: 'chat',
    link: '/chat',
    render: (l) =>
      l === 'ko'
        ? { title: `읽지 않은 메시지 ${messages}개`, body: `채팅방 ${rooms}곳에 읽지 않은 메시지가 있습니다.`, paragraphs: [`채팅방 ${rooms}곳에 읽지 않은 메시지가 ${messages}개 있습니다.`], action: '채팅 열기' }
        : { title: `${messages} unread message${messages === 1 ? '' : 's'}`, body: `Unread messages in ${rooms} chat${rooms === 1 ? '' : 's'}.`, paragraphs: [`You have ${messages} unread message${messages === 1 ? '' : 's'} in ${rooms} chat${rooms === 1 ? '' : 's'}.`], action: 'Open the chat' },
  }
}
