import type { RequestAcceptedV1, RequestCancelledV1, RequestCreatedV1, RequestDeclinedV1, RequestExpiredV1 } from '@sunbae/contracts'
import type { Locale } from './categories.ts'
import { clip, formatTime } from './format.ts'
import type { Message } from './message.ts'

/** The other person's display name, or a word for them when the read model does not know it yet. */
export type NameOf = (locale: Locale) => string
export const named = (name: string | null | undefined, fallback: Record<Locale, string>): NameOf => (l) => name?.trim() || fallback[l]
export const MENTEE: Record<Locale, string> = { ko: '멘티', en: 'A mentee' }
export const MENTOR: Record<Locale, string> = { ko: '멘토', en: 'Your mentor' }

const REQUESTS_PAGE = '/me?tab=requests'

/** To the mentor: someone asks for a 1:1, with their message and the deadline in the mentor's zone. */
export function requestCreated(d: RequestCreatedV1, mentee: NameOf): Message {
  return {
    category: 'requests',
    link: REQUESTS_PAGE,
    render: (l, zone) => {
      const who = mentee(l)
      const due = formatTime(d.expiresAt, l, zone)
      return l === 'ko'
        ? {
            title: `${who}님의 새 1:1 요청`,
            body: `${who}: “${clip(d.message, 120)}”`,
            paragraphs: [`${who}님이 1:1 요청을 보냈습니다.`, `“${d.message}”`, `${due}까지 수락하거나 거절해 주세요. 답이 없으면 요청은 만료됩니다.`],
            action: '요청 보기',
          }
        : {
            title: `New 1:1 request from ${who}`,
            body: `${who}: “${clip(d.message, 120)}”`,
            paragraphs: [`${who} sent you a 1:1 request.`, `“${d.message}”`, `Please accept or decline by ${due}; unanswered requests expire.`],
            action: 'View the request',
          }
    },
  }
}

/** To the mentee: the mentor accepted; the chat room is open. */
export function requestAccepted(d: RequestAcceptedV1, mentor: NameOf): Message {
  return {
    category: 'requests',
    link: '/chat',
    render: (l) => {
      const who = mentor(l)
      return l === 'ko'
        ? {
            title: `${who}님이 1:1 요청을 수락했습니다`,
            body: '채팅방이 열렸습니다. 먼저 인사를 건네 보세요.',
            paragraphs: [`${who}님이 1:1 요청을 수락했습니다.`, '채팅방이 열렸습니다. 먼저 인사를 건네 보세요.'],
            action: '채팅 열기',
          }
        : {
            title: `${who} accepted your 1:1 request`,
            body: 'Your chat room is open. Say hello!',
            paragraphs: [`${who} accepted your 1:1 request.`, 'Your chat room is open. Say hello!'],
            action: 'Open the chat',
          }
    },
  }
}

/** To the mentee: declined, with the mentor's reason. */
export function requestDeclined(d: RequestDeclinedV1, mentor: NameOf): Message {
  return {
    category: 'requests',
    link: `/mentors/${d.mentorId}`,
    render: (l) => {
      const who = mentor(l)
      const reason = d.reason.trim()
      return l === 'ko'
        ? {
            title: `${who}님이 1:1 요청을 거절했습니다`,
            body: reason ? `사유: ${clip(reason, 120)}` : '다른 멘토를 찾아보세요.',
            paragraphs: [`${who}님이 1:1 요청을 거절했습니다.`, ...(reason ? [`사유: ${reason}`] : []), '다른 멘토에게도 요청을 보낼 수 있습니다.'],
            action: '멘토 다시 보기',
          }
        : {
            title: `${who} declined your 1:1 request`,
            body: reason ? `Reason: ${clip(reason, 120)}` : 'You can ask another mentor.',
            paragraphs: [`${who} declined your 1:1 request.`, ...(reason ? [`Reason: ${reason}`] : []), 'You can send a request to another mentor too.'],
            action: 'See the mentor',
          }
    },
  }
}

/** To the mentee: nobody answered in time. */
export function requestExpired(d: RequestExpiredV1, mentor: NameOf): Message {
  return {
    category: 'requests',
    link: `/mentors/${d.mentorId}`,
    render: (l, zone) => {
      const who = mentor(l)
      const at = formatTime(d.expiredAt, l, zone)
      return l === 'ko'
        ? {
            title: `${who}님에게 보낸 1:1 요청이 만료되었습니다`,
            body: `${at}까지 답이 없어 요청이 만료되었습니다.`,
            paragraphs: [`${who}님에게 보낸 1:1 요청이 ${at}까지 답을 받지 못해 만료되었습니다.`, '다시 요청하거나 다른 멘토를 찾아보세요.'],
            action: '멘토 다시 보기',
          }
        : {
            title: `Your 1:1 request to ${who} expired`,
            body: `No answer by ${at}, so the request expired.`,
            paragraphs: [`Your 1:1 request to ${who} got no answer by ${at} and expired.`, 'You can ask again or find another mentor.'],
            action: 'See the mentor',
          }
    },
  }
}

/** To whoever did not cancel (today always the mentor: only the mentee may cancel a pending request). */
export function requestCancelled(_d: RequestCancelledV1, canceller: NameOf, toMentor: boolean): Message {
  return {
    category: 'requests',
    link: REQUESTS_PAGE,
    render: (l) => {
      const who = canceller(l)
      return l === 'ko'
        ? {
            title: `${who}님이 1:1 요청을 취소했습니다`,
            body: toMentor ? '이 요청에는 더 답하지 않아도 됩니다.' : '요청이 취소되었습니다.',
            paragraphs: [`${who}님이 1:1 요청을 취소했습니다.`, toMentor ? '이 요청에는 더 답하지 않아도 됩니다.' : '요청이 취소되었습니다.'],
            action: '요청 목록 보기',
          }
        : {
            title: `${who} cancelled the 1:1 request`,
            body: toMentor ? 'Nothing more to answer for this request.' : 'The request was cancelled.',
            paragraphs: [`${who} cancelled the 1:1 request.`, toMentor ? 'Nothing more to answer for this request.' : 'The request was cancelled.'],
            action: 'See your requests',
          }
    },
  }
}
