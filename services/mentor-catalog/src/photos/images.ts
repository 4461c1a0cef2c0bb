import { createHash } from 'node:crypto'
import type { default as Sharp, Metadata } from 'sharp'
import { MENTOR_PHOTO_LIMITS, MENTOR_PHOTO_SIZES } from '@sunbae/contracts'
import { AppError } from '@sunbae/service-kit'

/**
 * sharp (libvips) loaded at the first upload, not at start: importing it costs a process ~17 MB of
 * resident memory (bench/footprint, issue 22) and ~50 ms, and uploads are rare next to the catalog's
 * idle hours. A missing native build now surfaces at the first upload instead of at boot
 * (test/photos.test.ts runs the real thing).
 */
let sharpLoading: Promise<typeof Sharp> | undefined
const loadSharp = () => (sharpLoading ??= import('sharp').then((m) => m.default))

/** The declared Content-Type of an upload → the format sharp must find in the bytes. */
const FORMAT_OF: Record<string, string> = { 'image/jpeg': 'jpeg', 'image/png': 'png', 'image/webp': 'webp' }

export interface ResizedPhoto {
  /** of the encoded images: it names the photo in its URLs (16 hex digits) */
  hash: string
  /** size in px → square WebP */
  images: Map<number, Buffer>
}

const notAnImage = (cause?: unknown) =>
  new AppError(400, 'PHOTO_NOT_AN_IMAGE', 'The body is not a JPEG, PNG or WebP image that can be read', { cause })

/**
 * The upload as the catalog keeps it: square WebP copies in MENTOR_PHOTO_SIZES, oriented by the
 * EXIF orientation and then re-encoded, so no metadata of the original (EXIF, GPS, ICC) survives.
 * The header is read first: bytes that are not one of the three formats are 400, a format other than
 * the declared Content-Type 415, and an image whose decoded pixels would exceed
 * MENTOR_PHOTO_LIMITS.pixels (a decompression bomb: a few KB of PNG can declare 50,000 × 50,000) is
 * refused before anything is decoded; sharp's limitInputPixels enforces the same bound while decoding.
 * The client crops to a square; another aspect is centre-cropped here.
 */
export async function resizePhoto(bytes: Buffer, contentType: string): Promise<ResizedPhoto> {
  const expected = FORMAT_OF[contentType]
  if (!expected) throw new AppError(415, 'UNSUPPORTED_MEDIA_TYPE', `Send the photo as ${MENTOR_PHOTO_LIMITS.types.join(', ')}`)
  const sharp = await loadSharp()
  let meta: Metadata
  try {
    // the header only (no pixels are decoded): unbounded here, so a bomb's size can be named below
    meta = await sharp(bytes, { limitInputPixels: false }).metadata()
  } catch (err) {
    throw notAnImage(err)
  }
  if (!meta.format || !Object.values(FORMAT_OF).includes(meta.format)) throw notAnImage()
  if (meta.format !== expected) {
    throw new AppError(415, 'PHOTO_TYPE_MISMATCH', `The body is ${meta.format}, not ${contentType}: send it with its own Content-Type`)
  }
  const width = meta.width ?? 0
  const height = meta.height ?? 0
  if (width * height > MENTOR_PHOTO_LIMITS.pixels) {
    throw new AppError(400, 'PHOTO_TOO_MANY_PIXELS', `The image is ${width} × ${height}: at most ${MENTOR_PHOTO_LIMITS.pixels / 1e6} million pixels`)
  }
  if (Math.min(width, height) < MENTOR_PHOTO_LIMITS.minSide) {
    throw new AppError(400, 'PHOTO_TOO_SMALL', `The image is ${width} × ${height}: at least ${MENTOR_PHOTO_LIMITS.minSide} px on each side`)
  }
  const images = new Map<number, Buffer>()
  try {
    // one input, one clone per size (a side below 480 px is enlarged for the largest)
    const decoded = sharp(bytes, { limitInputPixels: MENTOR_PHOTO_LIMITS.pixels, failOn: 'error', autoOrient: true })
    const encoded = await Promise.all(
      MENTOR_PHOTO_SIZES.map((size) => decoded.clone().resize(size, size, { fit: 'cover', position: 'centre' }).webp({ quality: 80 }).toBuffer()),
    )
    MENTOR_PHOTO_SIZES.forEach((size, i) => images.set(size, encoded[i]!))
  } catch (err) {
    // the header was fine, the data is not (truncated, corrupt)
    throw notAnImage(err)
  }
  const hash = createHash('sha256')
  for (const image of images.values()) hash.update(image)
  return { hash: hash.digest('hex').slice(0, 16), images }
}
