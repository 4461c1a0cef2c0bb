// One search hit. The landing page renders a list of these, so it is plain markup (an article with a
// real link, skills drawn as antd's Tag) rather than antd's Card and Typography, which bring tabs, tooltips
// and editable text the card never uses; antd's Tag and Flex themselves are not on the first page either.
// Its height does not depend on data arriving later (the avatar's box is sized before its photo
// loads, lazily; no other async parts), so the list does not shift.
import type { CSSProperties } from 'react'
import { Link } from 'react-router'
import type { MentorSearchItem, SearchHighlight } from '@sunbae/contracts'
import { Avatar } from './Avatar.tsx'
import { useI18n } from '../i18n/index.tsx'
import { TOKENS as token } from '../lib/theme.ts'
import { Highlighted } from './Highlighted.tsx'

/** antd's Tag (default, and its blue preset for a skill the query matched) */
const TAG: CSSProperties = { display: 'inline-block', paddingInline: 7, fontSize: 12, lineHeight: '20px', whiteSpace: 'nowrap', background: '#f5f5f5', color: 'rgba(0, 0, 0, 0.88)', border: '1px solid #d9d9d9', borderRadius: 4 }
const TAG_MATCHED: CSSProperties = { ...TAG, background: '#e6f4ff', color: '#0958d9', borderColor: '#91caff' }
const row = (gap: number): CSSProperties => ({ display: 'flex', flexWrap: 'wrap', gap, alignItems: 'center' })

const hl = (item: MentorSearchItem, field: SearchHighlight['field']) => item.highlights.find((h) => h.field === field)

/** One search hit: name, headline and a bio snippet with the matched terms marked. */
export function MentorCard({ item }: { item: MentorSearchItem }) {
  const { t } = useI18n()
  const name = hl(item, 'displayName')
  const headline = hl(item, 'headline')
  const bio = hl(item, 'bio')
  const skills = hl(item, 'skills')
  const matchedSkills = new Set(skills ? skills.ranges.map((r) => skills.snippet.slice(r.start, r.end).toLowerCase()) : [])
  const muted = { color: token.colorTextSecondary }
  return (
    <article
      data-testid="mentor-card"
      style={{ background: token.colorBgContainer, border: `1px solid ${token.colorBorderSecondary}`, borderRadius: token.borderRadiusLG, padding: '12px 16px', height: '100%' }}
    >
      <div style={{ display: 'flex', gap: 12, alignItems: 'flex-start' }}>
      <Avatar id={item.id} name={item.displayName} photoUrl={item.photoUrl} size={56} />
      <div style={{ display: 'flex', flexDirection: 'column', gap: 4, minWidth: 0, flex: 1 }}>
        <h2 style={{ margin: 0, fontSize: 18, fontWeight: 600, lineHeight: 1.4 }}>
          <Link to={`/mentors/${item.id}`}>{name ? <Highlighted text={name.snippet} ranges={name.ranges} /> : item.displayName}</Link>
        </h2>
        <p style={{ margin: 0 }}>{headline ? <Highlighted text={headline.snippet} ranges={headline.ranges} /> : item.headline}</p>
        {bio && (
          <p style={{ ...muted, margin: 0 }}>
            <Highlighted text={bio.snippet} ranges={bio.ranges} />
          </p>
        )}
        <div style={row(4)}>
          {item.skills.map((s) => (
            <span key={s} style={matchedSkills.has(s.toLowerCase()) ? TAG_MATCHED : TAG}>{s}</span>
          ))}
        </div>
        <div style={{ ...row(12), ...muted }}>
          <span><span aria-hidden style={{ color: '#ad6800' }}>★</span> {t.ratingLabel(item.rating)}</span>
          <span>{t.reviews(item.reviewCount)}</span>
          <span style={{ color: token.colorText }}>{t.perHour(item.hourlyRate)}</span>
          <span>{t.years(item.yearsExperience)}</span>
          {item.company && <span>{item.company}</span>}
        </div>
      </div>
      </div>
    </article>
  )
}
