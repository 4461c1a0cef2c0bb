import type { Locale } from './categories.ts'

export const DEFAULT_LOCALE: Locale = 'ko'
export const DEFAULT_TIME_ZONE = 'Asia/Seoul'

/** A zone Intl knows, else the default (a bad value from an event must not stop a notification). */
export function validTimeZone(zone: string | null | undefined): string {
  if (!zone) return DEFAULT_TIME_ZONE
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone })
    return zone
  } catch {
    return DEFAULT_TIME_ZONE
  }
}

/** An instant as the recipient reads it: their language, their zone, the zone named. */
export function formatTime(iso: string, locale: Locale, timeZone: string): string {
  const text = new Intl.DateTimeFormat(locale === 'ko' ? 'ko-KR' : 'en-US', {
    year: 'numeric',
    month: 'long',
    day: 'numeric',
    weekday: 'short',
    hour: 'numeric',
    minute: '2-digit',
    timeZone,
  }).format(new Date(iso))
  return `${text} (${timeZone})`
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }
export const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!)

/** Long user text (a request's message) in a title or summary. */
export const clip = (s: string, max: number): string => (s.length <= max ? s : `${s.slice(0, max - 1)}…`)
