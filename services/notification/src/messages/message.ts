import type { CalendarPart } from './calendar.ts'
import type { Category, Locale } from './categories.ts'
import { escapeHtml } from './format.ts'

/** One notification as its recipient will read it, in their language. */
export interface Rendered {
  /** in-app title and email subject */
  title: string
  /** in-app text (short) */
  body: string
  /** the email's paragraphs (plain text; the HTML part escapes them) */
  paragraphs: string[]
  /** the button's label */
  action: string
}

/** What one event tells one person: the category, where to go, and the text per language. */
export interface Message {
  category: Category
  /** a path of the web app, e.g. /chat */
  link: string
  render(locale: Locale, timeZone: string): Rendered
  /**
   * Calendar entries the email carries (booking emails): the first is the invite itself (sent as
   * text/calendar with its METHOD), any others attachments.
   */
  calendar?(locale: Locale, attendee: { email: string | null; name: string | null }): CalendarPart[]
}

export interface Email {
  subject: string
  text: string
  html: string
}

const UNSUBSCRIBE: Record<Locale, string> = {
  ko: '이런 메일을 더 받지 않으려면',
  en: 'To stop emails like this',
}

const FOOTER: Record<Locale, string> = {
  ko: '선배(Sunbae)에서 보낸 알림입니다. 알림 설정은 내 정보 > 알림에서 바꿀 수 있습니다.',
  en: 'A notification from Sunbae. Change what you get under My page > Notifications.',
}

/** The email of a rendered message: plain text and HTML with the same content and link (and, unless transactional, how to stop such mail). */
export function toEmail(r: Rendered, url: string, locale: Locale, unsubscribeUrl?: string): Email {
  const stop = unsubscribeUrl ? [`${UNSUBSCRIBE[locale]}: ${unsubscribeUrl}`] : []
  const text = [...r.paragraphs, `${r.action}: ${url}`, '', '--', FOOTER[locale], ...stop].join('\n\n')
  const html = `<!doctype html>
<html lang="${locale}"><head><meta charset="utf-8"><title>${escapeHtml(r.title)}</title></head>
<body style="font-family:-apple-system,'Apple SD Gothic Neo','Noto Sans KR',sans-serif;color:#222;max-width:560px;margin:0 auto;padding:24px">
<h1 style="font-size:20px">${escapeHtml(r.title)}</h1>
${r.paragraphs.map((p) => `<p style="white-space:pre-line">${escapeHtml(p)}</p>`).join('\n')}
<p><a href="${escapeHtml(url)}" style="display:inline-block;background:#1677ff;color:#fff;padding:10px 16px;border-radius:6px;text-decoration:none">${escapeHtml(r.action)}</a></p>
<hr style="border:none;border-top:1px solid #eee"><p style="color:#888;font-size:12px">${escapeHtml(FOOTER[locale])}</p>
${unsubscribeUrl ? `<p style="color:#888;font-size:12px">${escapeHtml(UNSUBSCRIBE[locale])}: <a href="${escapeHtml(unsubscribeUrl)}">${escapeHtml(unsubscribeUrl)}</a></p>` : ''}
</body></html>`
  return { subject: r.title, text, html }
}
