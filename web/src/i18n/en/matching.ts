// The words of matching: the reasons of a recommendation (the server sends a code and its facts,
// lib/reasons.ts picks these by code) and the notice when an action needs a verified email address.
// In English: spread into en/index.ts, loaded only when a visitor chooses English; typed by the Korean
// words (ko/matching.ts), so a missing or extra key is a type error.
import type { matchingKo } from '../ko/matching.ts'

export const matchingEn: typeof matchingKo = {
  reasonSkills: (n) => (n === 1 ? 'You share 1 skill of interest' : `You share ${n} skills of interest`),
  reasonGoals: "Words from your goals appear in the mentor's profile",
  reasonGoalWhere: { headline: 'headline', bio: 'bio' },
  reasonLanguage: (languages) => `Languages you share: ${languages}`,
  reasonBudgetWithin: (rate, min, max) => `${rate} an hour — within your budget of ${min}–${max}`,
  reasonBudgetBelow: (rate, min) => `${rate} an hour — below your budget's minimum of ${min}`,
  reasonOverBudget: (rate, max, over) => `${rate} an hour — ${over} above your budget's maximum of ${max}`,
  reasonTimeWindows: (hours, tz) => `Your preferred times overlap the mentor's (${hours} h a week, ${tz} time)`,
  reasonNextDay: 'next day',
  reasonTimezone: (tz) => `Same time zone (${tz})`,
  reasonRating: (rating, reviews) => `Rated ${rating} (${reviews === 1 ? '1 review' : `${reviews} reviews`})`,
  reasonExperience: (years, stage, min) => `${years} years of experience — right for the ${stage} stage (${min}+ years)`,
  reasonStage: { student: 'student', job_seeker: 'job seeker', junior: 'junior', mid: 'mid-level', senior: 'senior', career_changer: 'career change' },
  reasonDays: { mon: 'Mon', tue: 'Tue', wed: 'Wed', thu: 'Thu', fri: 'Fri', sat: 'Sat', sun: 'Sun' },
  reasonOther: 'Another reason',
  verifyRequired: 'Verify your email address to send a 1:1 request or to pay.',
  verifyRequiredHint: 'Open the link in the email we sent when you signed up. No email? We will send it again.',
  verifyGoMe: 'Verify on my page',
  verifyRecheck: "I've opened the link",
  verifyRecheckPending: 'Not verified yet: open the link in the email.',
  verifyRecheckDone: 'Your email address is verified. Try again now.',
}
