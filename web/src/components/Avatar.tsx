// A person's picture: the photo (a content-hashed WebP the browser may cache for a year) or, without one,
// their initials on a colour of their own — then no image is requested at all. Plain markup, no antd:
// the search page's results draw it. Its box is its size before anything loads (width and height set),
// so nothing shifts when a photo arrives.
import type { CSSProperties } from 'react'
import { MENTOR_PHOTO_SIZES, photoUrlOfSize } from '@sunbae/contracts'
import { avatarColour, initials } from '../lib/avatar.ts'

export interface AvatarProps {
  /** whose: the colour of the initials follows it */
  id: string
  name: string | null
  photoUrl: string | null | undefined
  /** CSS px */
  size: number
  /** the name is written right beside it: no alt text (a screen reader would read the name twice) */
  decorative?: boolean
  /** lazy (default) in lists; eager where it is at the top of the page */
  loading?: 'lazy' | 'eager'
  style?: CSSProperties
}

export function Avatar({ id, name, photoUrl, size, decorative = false, loading = 'lazy', style }: AvatarProps) {
  const box: CSSProperties = { width: size, height: size, borderRadius: '50%', flex: 'none', ...style }
  const label = decorative ? '' : (name ?? '')
  if (photoUrl) {
    // each stored size by its width: the browser picks what the screen's density needs
    const srcSet = MENTOR_PHOTO_SIZES.map((s) => `${photoUrlOfSize(photoUrl, s)} ${s}w`).join(', ')
    return (
      <img src={photoUrl} srcSet={srcSet} sizes={`${size}px`} width={size} height={size} alt={label} loading={loading} decoding="async"
        data-testid="avatar-photo" style={{ ...box, objectFit: 'cover', background: '#f0f0f0' }} />
    )
  }
  return (
    <span {...(decorative ? { 'aria-hidden': true } : { role: 'img', 'aria-label': label })} data-testid="avatar-initials"
      style={{ ...box, display: 'inline-flex', alignItems: 'center', justifyContent: 'center', background: avatarColour(id), color: '#fff', fontSize: Math.round(size * 0.4), fontWeight: 600, lineHeight: 1, userSelect: 'none' }}>
      <span aria-hidden>{initials(name)}</span>
    </span>
  )
}
