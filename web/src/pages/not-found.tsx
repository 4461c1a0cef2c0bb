import { Button, Result } from 'antd'
import { Link } from 'react-router'
import { useI18n } from '../i18n/index.tsx'

export default function NotFound() {
  const { t } = useI18n()
  return <Result status="404" title={t.notFoundTitle} subTitle={t.notFoundText} extra={<Link to="/"><Button type="primary">{t.home}</Button></Link>} />
}
