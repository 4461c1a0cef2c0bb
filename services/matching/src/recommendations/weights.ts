import type { Rating } from './mentor-index.ts'

/**
 * How a mentor's score is made. Every point comes from one reason the mentee sees, and the score
 * is exactly the sum of its reasons' points: nothing hidden moves the ranking except the diversity
 * re-ranking (which reorders, it does not change a score). Weights, in points:
 *
 * - shared skills (Korean and English names count alike): 25, 40, 50, 55, 60 for 1–5+ concepts
 * - goal words found in the headline (12 each) or only in the bio (8 each), at most 30; words that
 *   more than a quarter of all mentors use say nothing and are not counted
 * - a common language: 5 (mentors without one are left out when the mentee named languages)
 * - rate within the budget 15, below it 10, above it −(30 × excess / max), never below −30
 * - overlapping weekly time windows: 4 per shared hour, at most 20; same UTC offset: 3
 * - rating: Bayesian average (prior 4.3 over 5 reviews) − 4.3, × 25, within ±15
 * - experience that fits the career stage: 6
 */
export const WEIGHTS = {
  skills: [0, 25, 40, 50, 55, 60],
  goalHeadline: 12,
  goalBio: 8,
  goalMax: 30,
  goalMaxShare: 0.25,
  language: 5,
  budgetWithin: 15,
  budgetBelow: 10,
  overBudgetMax: 30,
  windowPerHour: 4,
  windowMax: 20,
  sameOffset: 3,
  ratingPrior: 4.3,
  ratingPriorWeight: 5,
  ratingScale: 25,
  ratingMax: 15,
  experience: 6,
  // diversity: subtracted while picking, per result already picked with the same headline / company
  sameHeadline: 40,
  sameCompany: 10,
} as const

/** Points of the rating reason: a Bayesian average, so three 5-star reviews do not beat forty 4.8s. */
export function ratingPointsOf({ rating, reviewCount }: Rating): number {
  if (reviewCount <= 0) return 0
  const bayes = (rating * reviewCount + WEIGHTS.ratingPrior * WEIGHTS.ratingPriorWeight) / (reviewCount + WEIGHTS.ratingPriorWeight)
  return Math.round(Math.max(-WEIGHTS.ratingMax, Math.min(WEIGHTS.ratingMax, (bayes - WEIGHTS.ratingPrior) * WEIGHTS.ratingScale)) * 10) / 10
}
