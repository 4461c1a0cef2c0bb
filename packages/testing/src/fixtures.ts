// @sunbae/testing/fixtures — test data that several services' tests share (no firebase-admin).
import { randomUUID } from 'node:crypto'
import type { BookingConfirmedV1, MentorProfileV1 } from '@sunbae/contracts'

/**
 * An approved catalog mentor profile, as mentor-catalog's `catalog.mentor.*` events carry it, with a
 * fresh id and account uid (`mentor-<uuid>`). Pass what a test depends on: `uid` of a test user,
 * `hourlyRate` for prices, `timezone`, `status`.
 */
export function mentorProfile(over: Partial<MentorProfileV1> = {}): MentorProfileV1 {
  return {
    id: randomUUID(),
    uid: `mentor-${randomUUID()}`,
    displayName: '김멘토',
    headline: '백엔드 개발자',
    bio: '서버 개발을 하고 있습니다.',
    skills: ['java'],
    company: 'Naver',
    yearsExperience: 5,
    hourlyRate: 50_000,
    languages: ['ko'],
    timezone: 'Asia/Seoul',
    links: [],
    status: 'active',
    rating: 0,
    reviewCount: 0,
    approvedAt: new Date().toISOString(),
    ...over,
  }
}

/**
 * The data of `meeting.booking.confirmed` for a paid one-hour session between two accounts, starting
 * at `startsAt` (two days from now unless given), with fresh booking, mentor and payment ids.
 */
export function bookingConfirmed(
  parties: { menteeUid: string; mentorUid: string; startsAt?: Date },
  over: Partial<BookingConfirmedV1> = {},
): BookingConfirmedV1 {
  const startsAt = parties.startsAt ?? new Date(Date.now() + 2 * 86_400_000)
  return {
    bookingId: randomUUID(),
    menteeUid: parties.menteeUid,
    mentorId: randomUUID(),
    mentorUid: parties.mentorUid,
    startsAt: startsAt.toISOString(),
    endsAt: new Date(startsAt.getTime() + 3_600_000).toISOString(),
    price: 50_000,
    currency: 'KRW',
    paymentId: randomUUID(),
    videoUrl: `https://meet.sunbae.app/r/${randomUUID()}`,
    confirmedAt: new Date().toISOString(),
    ...over,
  }
}
