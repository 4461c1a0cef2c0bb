-- wrk: a rotating mix of searches (Korean, English, two-word, some with filters/sorts, pages 1-3).
local queries = {
  "q=%EB%A9%B4%EC%A0%91",                              -- 면접
  "q=python",
  "q=%EC%9D%B4%EC%A7%81",                              -- 이직
  "q=ux",
  "q=%EB%A9%B4%EC%A0%91%20%EC%9D%B4%EC%A7%81",         -- 면접 이직
  "q=react",
  "q=%EC%B7%A8%EC%97%85&page=2",                       -- 취업
  "q=python%20django",
  "q=%EB%8D%B0%EC%9D%B4%ED%84%B0%20%EB%B6%84%EC%84%9D", -- 데이터 분석
  "q=linux&sort=rating",
  "q=ux%20%EB%A6%AC%EC%84%9C%EC%B9%98",                -- ux 리서치
  "q=kubernetes%20aws",
  "q=%EB%84%A4%EC%B9%B4%EB%9D%BC%EC%BF%A0%EB%B0%B0",   -- 네카라쿠배
  "q=senior%20backend&page=3",
  "q=%EB%A9%B4%EC%A0%91&languages=en&maxRate=80000",   -- 면접, English speakers, ≤ 80k
  "q=spring%20boot&sort=price_asc",
  "q=%ED%8F%AC%ED%8A%B8%ED%8F%B4%EB%A6%AC%EC%98%A4",   -- 포트폴리오
  "q=machine%20learning",
  "q=%EC%BB%A4%EB%A6%AC%EC%96%B4%20%EC%83%81%EB%8B%B4", -- 커리어 상담
  "q=figma&skills=figma&sort=price_desc",
}
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", "/api/mentors?" .. queries[(i % #queries) + 1])
end
