import { Card, Flex, Rate, Tag, Typography } from 'antd'
import { Link } from 'react-router'
import type { MentorSearchItem, SearchHighlight } from '@sunbae/contracts'
import { useI18n } from '../i18n/index.tsx'
import { Highlighted } from './Highlighted.tsx'

const hl = (item: MentorSearchItem, field: SearchHighlight['field']) => item.highlights.find((h) => h.field === field)

/** One search hit: name, headline and a bio snippet with the matched terms marked. */
export function MentorCard({ item }: { item: MentorSearchItem }) {
  const { t } = useI18n()
  const name = hl(item, 'displayName')
  const headline = hl(item, 'headline')
  const bio = hl(item, 'bio')
  const skills = hl(item, 'skills')
  const matchedSkills = new Set(skills ? skills.ranges.map((r) => skills.snippet.slice(r.start, r.end).toLowerCase()) : [])
  return (
    <Card size="small" data-testid="mentor-card">
      <Flex vertical gap={4}>
        <Link to={`/mentors/${item.id}`} style={{ fontSize: 18, fontWeight: 600 }}>
          {name ? <Highlighted text={name.snippet} ranges={name.ranges} /> : item.displayName}
        </Link>
        <Typography.Text>{headline ? <Highlighted text={headline.snippet} ranges={headline.ranges} /> : item.headline}</Typography.Text>
        {bio && (
          <Typography.Text type="secondary">
            <Highlighted text={bio.snippet} ranges={bio.ranges} />
          </Typography.Text>
        )}
        <Flex wrap gap={4}>
          {item.skills.map((s) => (
            <Tag key={s} color={matchedSkills.has(s.toLowerCase()) ? 'gold' : undefined}>{s}</Tag>
          ))}
        </Flex>
        <Flex wrap gap={12} align="center">
          <span aria-label={`rating ${item.rating.toFixed(1)}`}><Rate disabled allowHalf value={Math.round(item.rating * 2) / 2} style={{ fontSize: 14 }} /></span>
          <Typography.Text type="secondary">{t.reviews(item.reviewCount)}</Typography.Text>
          <Typography.Text>{t.perHour(item.hourlyRate)}</Typography.Text>
          <Typography.Text type="secondary">{t.years(item.yearsExperience)}</Typography.Text>
          {item.company && <Typography.Text type="secondary">{item.company}</Typography.Text>}
        </Flex>
      </Flex>
    </Card>
  )
}
