import t from 'tap'
import { fileDatabaseName } from '../src/isolation.ts'

t.test("a test file's database is named after the run's database and the file's path", async (t) => {
  const a = fileDatabaseName('sunbae_test', 'services/matching/test/numbers.test.ts')
  const b = fileDatabaseName('sunbae_test', 'services/meeting/test/numbers.test.ts')
  t.match(a, /^sunbae_test__matching_numbers_[0-9a-f]{6}$/)
  t.match(b, /^sunbae_test__meeting_numbers_[0-9a-f]{6}$/)
  t.not(a, b, 'files of the same name in two services never share a database')
  t.equal(fileDatabaseName('sunbae_test', 'services/matching/test/numbers.test.ts'), a, 'the same file: the same name (a killed run’s database is dropped by the next)')
})

t.test('long names stay within Postgres’s 63 characters and stay distinct', async (t) => {
  const run = 'a_rather_long_database_name_for_the_test_run'
  const x = fileDatabaseName(run, 'services/mentor-catalog/test/an-extremely-long-file-name-about-searching-one.test.ts')
  const y = fileDatabaseName(run, 'services/mentor-catalog/test/an-extremely-long-file-name-about-searching-two.test.ts')
  t.ok(x.length <= 63 && y.length <= 63, `${x.length} and ${y.length} characters`)
  t.not(x, y)
})
