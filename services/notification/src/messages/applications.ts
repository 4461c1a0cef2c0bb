import type { ApplicationRejectedV1, MentorProfileV1 } from '@sunbae/contracts'
import type { Message } from './message.ts'

/** To the applicant: they are a mentor now. */
export function applicationApproved(d: MentorProfileV1): Message {
  return {
    category: 'applications',
    link: `/mentors/${d.id}`,
    render: (l) =>
      l === 'ko'
        ? { title: '멘토 신청이 승인되었습니다', body: '이제 멘토로 활동할 수 있습니다. 프로필과 일정을 채워 주세요.', paragraphs: ['멘토 신청이 승인되었습니다.', '이제 멘토로 활동할 수 있습니다. 프로필과 상담 가능 시간을 채워 주세요.'], action: '내 멘토 페이지' }
        : { title: 'Your mentor application is approved', body: 'You are a mentor now. Fill in your profile and hours.', paragraphs: ['Your mentor application is approved.', 'You are a mentor now: fill in your profile and your available hours.'], action: 'My mentor page' },
  }
}

/** To the applicant: rejected, with the reason. */
export function applicationRejected(d: ApplicationRejectedV1): Message {
  return {
    category: 'applications',
    link: '/apply',
    render: (l) =>
      l === 'ko'
        ? { title: '멘토 신청이 반려되었습니다', body: `사유: ${d.reason}`, paragraphs: ['멘토 신청이 반려되었습니다.', `사유: ${d.reason}`, '내용을 보완해 다시 신청할 수 있습니다.'], action: '신청 내역 보기' }
        : { title: 'Your mentor application was not approved', body: `Reason: ${d.reason}`, paragraphs: ['Your mentor application was not approved.', `Reason: ${d.reason}`, 'You can apply again with more detail.'], action: 'See your application' },
  }
}
