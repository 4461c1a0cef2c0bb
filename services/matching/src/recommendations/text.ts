/**
 * Words of free text, for "a word of your goals is in the mentor's headline/bio". Both sides are
 * cut the same way, so a match is always a word stem that really occurs on both sides (the reason
 * shows it). Korean attaches particles and endings to words ("분석가로", "이직하고"): a short list of
 * common ones is stripped from the end of a word when at least two characters remain, which turns
 * "데이터 분석가로 이직하고 싶어요" into 데이터 · 분석 · 이직 and "python와" into python. It is
 * deliberately simple (no morphological analyser): a wrong cut only costs a missed match or joins
 * two words of one stem, and a match is still a shared stem.
 */

// longest first, so 에서 is tried before 서 and 으로 before 로
const KO_SUFFIXES = [
  '에서는', '으로는', '이라는', '에서', '에게', '으로', '하고', '이랑', '처럼', '까지', '부터', '보다', '라는', '이나',
  '하는', '했던', '해서', '하며', '하기', '입니다', '합니다', '이고', '이며',
  '을', '를', '이', '가', '은', '는', '의', '와', '과', '도', '만', '에', '로', '랑', '나', '께',
].sort((a, b) => b.length - a.length)

const HANGUL = /[\uac00-\ud7a3]/

/** Function words and filler of goals, Korean and English: never evidence of a shared interest. */
export const STOPWORDS = new Set([
  // English
  'a', 'an', 'the', 'and', 'or', 'but', 'of', 'to', 'in', 'on', 'at', 'for', 'with', 'from', 'by', 'as', 'about', 'into',
  'i', 'me', 'my', 'we', 'our', 'you', 'your', 'it', 'its', 'is', 'am', 'are', 'was', 'be', 'been', 'being', 'have', 'has',
  'had', 'do', 'does', 'did', 'want', 'wanna', 'would', 'like', 'love', 'need', 'get', 'got', 'become', 'learn', 'learning',
  'help', 'how', 'what', 'who', 'can', 'could', 'will', 'should', 'some', 'any', 'more', 'better', 'good', 'great', 'next',
  'also', 'so', 'that', 'this', 'these', 'those', 'there', 'here', 'them', 'they', 'not', 'no', 'yes', 'too', 'very', 'just',
  'ask', 'anything', 'let', "let's", 'lets', 'talk', 'now', 'currently', 'previously', 'happy', 'enjoy', 'years', 'year',
  'experience', 'ex',
  // Korean (already stripped of particles)
  '저', '저는', '제가', '나', '나는', '싶어요', '싶습니다', '싶다', '싶은', '하고', '하는', '있는', '있습니다', '있어요',
  '그리고', '또는', '및', '등', '좀', '더', '잘', '많이', '함께', '관련', '위해', '대해', '통해', '무엇이든', '편하게',
  '물어보세요', '도와드립니다', '도와드려요', '알려드려요', '환영합니다', '공유합니다', '진행합니다', '나눠요', '싶어',
  '되고', '되는', '준비', '경험', '멘토', '멘토링', '멘티', '일하고', '일하는', '지금까지', '이상', '현업', '현',
  '전', '년차', '년째', '명',
])

// Stripped until nothing more comes off, so both sides end on the same stem: "분석가로" and
// "분석가" both become "분석" (one pass would leave "분석가" on one side and "분석" on the other).
function stripSuffix(word: string): string {
  if (!HANGUL.test(word)) return word
  for (let changed = true; changed; ) {
    changed = false
    for (const s of KO_SUFFIXES) {
      if (word.length - s.length >= 2 && word.endsWith(s)) {
        word = word.slice(0, -s.length)
        changed = true
        break
      }
    }
  }
  return word
}

/** Distinct comparable words of a text (lower case, particles stripped, stopwords and numbers out). */
export function words(text: string): string[] {
  const out = new Set<string>()
  // letters and digits of any script, plus the symbols inside tech words (c++, c#, node.js, ci/cd)
  for (const raw of text.normalize('NFC').toLowerCase().split(/[^\p{L}\p{N}+#./]+/u)) {
    const token = raw.replace(/^[./]+|[./]+$/g, '')
    if (!token) continue
    const word = stripSuffix(token)
    if (word.length < 2 && !HANGUL.test(word)) continue
    if (/^[\d./]+$/.test(word)) continue
    if (STOPWORDS.has(word) || STOPWORDS.has(token)) continue
    out.add(word)
  }
  return [...out]
}
