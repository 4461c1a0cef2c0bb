// The words of the search results' pager (pages/search/pager.tsx), in the reader's language (usePagerWords).
import { useI18n } from './index.tsx'

export const pagerKo = {
  pagerLabel: '검색 결과 페이지',
  pagerPrev: '이전 페이지',
  pagerNext: '다음 페이지',
  pagerPage: (n: number) => `${n} 페이지`,
  pagerSize: (n: number) => `${n}개씩 보기`,
  pagerSizeLabel: '한 페이지에 보일 멘토 수',
}

export const pagerEn: typeof pagerKo = {
  pagerLabel: 'Search result pages',
  pagerPrev: 'Previous page',
  pagerNext: 'Next page',
  pagerPage: (n: number) => `Page ${n}`,
  pagerSize: (n: number) => `${n} / page`,
  pagerSizeLabel: 'Mentors per page',
}

/** The pager's words in the language the app shows. */
export function usePagerWords(): typeof pagerKo {
  const { lang } = useI18n()
  return lang === 'en' ? pagerEn : pagerKo
}
