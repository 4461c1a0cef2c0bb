// Photo sizes and limits alone, in a module without schemas (as search-limits.ts): the web's search
// page draws avatars from photoUrl without carrying the contracts' schemas or TypeBox.

/**
 * Mentor photos (PUT /api/mentors/me/photo): the catalog keeps square WebP copies in these sizes
 * (px) and serves each at a content-hashed URL, cached as immutable.
 */
export const MENTOR_PHOTO_SIZES = [64, 160, 480] as const
export type MentorPhotoSize = (typeof MENTOR_PHOTO_SIZES)[number]
/** Upload limits: the body of PUT /api/mentors/me/photo. */
export const MENTOR_PHOTO_LIMITS = {
  bytes: 5 * 1024 * 1024,
  /** decoded pixels an upload may have (a decompression bomb is refused before it is decoded) */
  pixels: 40_000_000,
  /** the shorter side, in px */
  minSide: 64,
  types: ['image/jpeg', 'image/png', 'image/webp'],
} as const

/** The URL of another size of a mentor's photo, from its `photoUrl` (which ends in /160). */
export const photoUrlOfSize = (photoUrl: string, size: MentorPhotoSize): string => photoUrl.replace(/\/\d+$/, `/${size}`)
