import type { BookingCompletedV1, ReviewCreatedV1 } from '@sunbae/contracts'
import { clip } from './format.ts'
import type { NameOf } from './matching.ts'
import type { Message } from './message.ts'

/** To the mentee after a completed session: a review helps others choose. */
export function reviewRequested(d: BookingCompletedV1, mentor: NameOf): Message {
  return {
    category: 'reviews',
    link: `/mentors/${d.mentorId}`,
    render: (l) => {
      const who = mentor(l)
      return l === 'ko'
        ? { title: `${who}님과의 세션은 어떠셨나요?`, body: '후기를 남기면 다른 멘티가 멘토를 고르는 데 도움이 됩니다.', paragraphs: [`${who}님과의 1:1 세션이 끝났습니다.`, '후기를 남기면 다른 멘티가 멘토를 고르는 데 도움이 됩니다.'], action: '후기 남기기' }
        : { title: `How was your session with ${who}?`, body: 'A review helps other mentees choose.', paragraphs: [`Your 1:1 session with ${who} is over.`, 'A review helps other mentees choose a mentor.'], action: 'Leave a review' }
    },
  }
}

/** To the mentor: a mentee reviewed a session. */
export function reviewReceived(d: ReviewCreatedV1, mentee: NameOf): Message {
  const stars = '★'.repeat(d.rating) + '☆'.repeat(5 - d.rating)
  return {
    category: 'reviews',
    link: `/mentors/${d.mentorId}`,
    render: (l) => {
      const who = mentee(l)
      const comment = d.comment.trim()
      return l === 'ko'
        ? { title: `${who}님이 후기를 남겼습니다 ${stars}`, body: comment ? clip(comment, 140) : stars, paragraphs: [`${who}님이 세션 후기를 남겼습니다: ${stars}`, ...(comment ? [`“${comment}”`] : [])], action: '후기 보기' }
        : { title: `${who} reviewed your session ${stars}`, body: comment ? clip(comment, 140) : stars, paragraphs: [`${who} reviewed your session: ${stars}`, ...(comment ? [`“${comment}”`] : [])], action: 'See the review' }
    },
  }
}
