/**
 * Skill names that mean the same thing, Korean and English. A mentee who asks for "파이썬" shares a
 * skill with a mentor tagged "python"; the reason then names both ("파이썬 ↔ python"), so the user
 * sees exactly which words were taken as the same.
 *
 * Only true synonyms and transliterations belong here (plus a "review"/"mock" variant that is the
 * same service, e.g. 포트폴리오 ↔ portfolio review): "aws" is not "클라우드", and a reason claiming
 * so would not be truthful. The vocabulary follows /work/shared/data/gen_mentors.py and what
 * mentees type; anything not listed still matches itself (case, spaces and dots ignored).
 */
const GROUPS: readonly (readonly string[])[] = [
  // languages and frameworks
  ['python', '파이썬'],
  ['java', '자바'],
  ['go', 'golang', '고랭'],
  ['kotlin', '코틀린'],
  ['javascript', 'js', '자바스크립트'],
  ['typescript', 'ts', '타입스크립트'],
  ['node.js', 'node', '노드'],
  ['django', '장고'],
  ['flask', '플라스크'],
  ['spring', '스프링'],
  ['spring boot', '스프링 부트'],
  ['react', 'react.js', '리액트'],
  ['vue', 'vue.js', '뷰'],
  ['angular', '앵귤러'],
  ['next.js', 'nextjs', '넥스트'],
  ['swift', '스위프트'],
  ['swiftui', '스위프트ui'],
  ['flutter', '플러터'],
  ['react native', '리액트 네이티브'],
  ['android', '안드로이드'],
  ['ios', '아이오에스'],
  ['c++', 'cpp', '씨쁠쁠'],
  ['c#', 'csharp', '씨샵'],
  ['unity', '유니티'],
  ['unreal engine', 'unreal', '언리얼', '언리얼 엔진'],
  ['sql', '에스큐엘'],
  ['excel', '엑셀'],
  ['pandas', '판다스'],
  ['spark', '스파크'],
  ['pytorch', '파이토치'],
  ['tensorflow', '텐서플로'],
  ['docker', '도커'],
  ['kubernetes', 'k8s', '쿠버네티스'],
  ['linux', '리눅스'],
  ['terraform', '테라폼'],
  ['aws', '아마존 웹 서비스'],
  ['figma', '피그마'],
  ['tableau', '태블로'],
  // fields
  ['backend', 'back-end', 'backend development', '백엔드', '백엔드 개발'],
  ['frontend', 'front-end', 'frontend development', '프론트엔드', '프론트엔드 개발', '프런트엔드'],
  ['web development', '웹 개발', '웹개발'],
  ['app development', 'mobile development', '앱 개발', '모바일 개발'],
  ['data analysis', 'data analytics', '데이터 분석'],
  ['data science', '데이터 사이언스', '데이터 과학'],
  ['data engineering', '데이터 엔지니어링'],
  ['machine learning', 'ml', '머신러닝', '머신 러닝', '기계학습'],
  ['deep learning', 'dl', '딥러닝', '딥 러닝'],
  ['statistics', '통계', '통계학'],
  ['nlp', 'natural language processing', '자연어 처리', '자연어처리'],
  ['computer vision', '컴퓨터 비전'],
  ['recommendation systems', 'recommender systems', '추천 시스템'],
  ['a/b testing', 'ab testing', 'a/b 테스트', 'ab 테스트'],
  ['system design', '시스템 설계', '시스템 디자인'],
  ['distributed systems', '분산 시스템'],
  ['microservices', 'msa', '마이크로서비스'],
  ['devops', '데브옵스'],
  ['security', '보안', '정보보안'],
  ['cloud', '클라우드'],
  ['cloud architecture', '클라우드 아키텍처'],
  ['networking', 'network', '네트워크'],
  ['serverless', '서버리스'],
  ['testing', 'test', '테스트'],
  ['embedded', '임베디드'],
  ['semiconductor', '반도체'],
  ['iot', '사물인터넷'],
  ['robotics', '로보틱스', '로봇'],
  ['autonomous driving', '자율주행'],
  ['firmware', '펌웨어'],
  ['game development', '게임 개발'],
  ['game design', 'game planning', '게임 기획', '게임 디자인'],
  ['game server', '게임 서버'],
  ['blockchain', '블록체인'],
  ['qa', 'quality assurance', '품질 보증'],
  // product, design, marketing, business, people
  ['product management', 'pm', 'product manager', '프로덕트 매니저', '프로덕트 매니지먼트', '제품 관리'],
  ['product strategy', '제품 전략', '프로덕트 전략'],
  ['planning', '기획'],
  ['service planning', '서비스 기획'],
  ['design', '디자인'],
  ['ui design', 'ui 디자인'],
  ['ux', 'user experience', '사용자 경험'],
  ['ux research', 'ux 리서치', 'ux 리서처'],
  ['user research', '사용자 조사', '유저 리서치'],
  ['design systems', 'design system', '디자인 시스템'],
  ['agile', '애자일'],
  ['scrum', '스크럼'],
  ['marketing', '마케팅'],
  ['growth marketing', '그로스 마케팅'],
  ['digital marketing', '디지털 마케팅'],
  ['performance marketing', '퍼포먼스 마케팅'],
  ['content marketing', '콘텐츠 마케팅'],
  ['seo', '검색엔진 최적화', '검색 엔진 최적화'],
  ['branding', '브랜딩'],
  ['copywriting', '카피라이팅'],
  ['google analytics', 'ga', '구글 애널리틱스'],
  ['growth hacking', '그로스 해킹'],
  ['startup', 'startups', '스타트업'],
  ['founding', 'entrepreneurship', '창업'],
  ['fundraising', '투자 유치'],
  ['investment', '투자'],
  ['venture capital', 'vc', '벤처캐피탈', '벤처 캐피탈'],
  ['business development', 'bd', '사업 개발'],
  ['sales', '영업', '세일즈'],
  ['consulting', '컨설팅'],
  ['finance', '재무'],
  ['accounting', '회계'],
  ['strategy', '전략'],
  ['business strategy', '경영 전략', '경영전략'],
  ['e-commerce', 'ecommerce', '이커머스', '전자상거래'],
  ['fintech', '핀테크'],
  ['hr', 'human resources', '인사'],
  ['recruiting', 'hiring', '채용'],
  ['people management', '인사 관리', '피플 매니지먼트'],
  ['leadership', '리더십'],
  ['engineering management', '엔지니어링 매니지먼트', '개발 조직 관리'],
  ['communication', '커뮤니케이션', '소통'],
  ['negotiation', '협상'],
  ['public speaking', 'presentation', '발표', '스피치'],
  ['organizational culture', 'company culture', '조직문화', '조직 문화'],
  // career topics
  ['interview', 'interviews', 'mock interview', 'technical interview', '면접', '모의 면접', '모의면접', '기술 면접', '기술면접'],
  ['resume', 'resume review', 'cv', '이력서', '이력서 리뷰'],
  ['cover letter', '자기소개서', '자소서'],
  ['portfolio', 'portfolio review', '포트폴리오', '포트폴리오 리뷰'],
  ['salary negotiation', '연봉협상', '연봉 협상'],
  ['career change', 'job change', '이직'],
  ['job search', 'job hunting', '취업', '구직'],
  ['career', 'career path', 'career growth', '커리어', '진로'],
  ['coding test', '코딩테스트', '코딩 테스트'],
  ['algorithms', 'algorithm', '알고리즘'],
  ['data structures', 'data structure', '자료구조'],
  ['computer science', 'cs', '컴퓨터공학', '컴퓨터 공학', '전산'],
  ['competitive programming', '알고리즘 대회', '대회 프로그래밍'],
  ['graduate school', 'grad school', '대학원'],
  ['study abroad', '유학'],
  ['working abroad', 'overseas jobs', '해외취업', '해외 취업'],
  ['new grad', 'entry level', '신입'],
  ['junior', '주니어'],
  ['foreign company', 'multinational', '외국계'],
  ['large company', 'conglomerate', '대기업'],
  ['bootcamp', '부트캠프'],
  ['side project', 'side projects', '사이드 프로젝트', '사이드프로젝트'],
  ['open source', '오픈소스', '오픈 소스'],
  ['remote work', '원격 근무', '재택근무'],
  ['english', '영어'],
]

/** Lookup key of a skill name: case, whitespace, dots, hyphens and underscores do not matter. */
export function skillKey(name: string): string {
  return name.normalize('NFC').toLowerCase().replace(/[\s._-]+/g, '')
}

const conceptOfKey = new Map<string, string>()
for (const group of GROUPS) {
  const concept = skillKey(group[0]!)
  for (const name of group) {
    const key = skillKey(name)
    const existing = conceptOfKey.get(key)
    // a name in two groups would make reasons ambiguous: refuse at load, not in a request
    if (existing !== undefined && existing !== concept) throw new Error(`skill synonym "${name}" is in two groups`)
    conceptOfKey.set(key, concept)
  }
}

/** The concept a skill name stands for: its synonym group's first name, or its own key. */
export function skillConcept(name: string): string {
  const key = skillKey(name)
  return conceptOfKey.get(key) ?? key
}

/** Number of synonym groups (tests and docs). */
export const SYNONYM_GROUPS = GROUPS.length
