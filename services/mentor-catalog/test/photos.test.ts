import t from 'tap'
import { crc32, deflateSync } from 'node:zlib'
import sharp from 'sharp'
import { authEmulatorMissing } from '@sunbae/testing'
import { MENTOR_PHOTO_LIMITS, photoUrlOfSize } from '@sunbae/contracts'
import { buildCatalog, natsConnect, readEvents } from './helpers.ts'
import { account, approvedMentor } from './accounts.ts'

const skip = authEmulatorMissing()

/** A real photo: a 900 × 600 JPEG carrying EXIF (camera, GPS-like comment) that must not survive. */
const jpeg = () =>
  sharp({ create: { width: 900, height: 600, channels: 3, background: { r: 200, g: 80, b: 40 } } })
    .jpeg()
    .withExif({ IFD0: { Make: 'SecretCam', ImageDescription: 'home address 37.5665 126.9780' } })
    .toBuffer()
const png = (size = 200) => sharp({ create: { width: size, height: size, channels: 4, background: '#3355aa' } }).png().toBuffer()

/**
 * A decompression bomb: a valid 1-bit greyscale PNG of `side` × `side` blank pixels — a few KB of
 * file that decodes to side² pixels (8,000² = 64 million, 192 MB as RGB).
 */
function bombPng(side: number): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4)
    len.writeUInt32BE(data.length)
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data])
    const crc = Buffer.alloc(4)
    crc.writeUInt32BE(crc32(body))
    return Buffer.concat([len, body, crc])
  }
  const ihdr = Buffer.alloc(13)
  ihdr.writeUInt32BE(side, 0)
  ihdr.writeUInt32BE(side, 4)
  ihdr.set([1, 0, 0, 0, 0], 8) // bit depth 1, greyscale
  // each row: filter byte 0, then side/8 bytes of pixels
  const pixels = deflateSync(Buffer.alloc((1 + Math.ceil(side / 8)) * side))
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', pixels), chunk('IEND', Buffer.alloc(0))])
}

const put = (headers: Record<string, string>, body: Buffer, type: string) =>
  ({ method: 'PUT' as const, url: '/api/mentors/me/photo', headers: { ...headers, 'content-type': type }, payload: body })

t.test('a mentor uploads a photo: three square WebP sizes, immutable and content-hashed, in the profile, search and the event', { skip }, async (t) => {
  const app = await buildCatalog()
  const nc = await natsConnect()
  t.teardown(async () => {
    await app.close()
    await nc.close()
  })
  const { acct, mentorId } = await approvedMentor(app, { headline: '사진 있는 멘토 photoqx' })
  t.equal((await app.inject(`/api/mentors/${mentorId}`)).json().photoUrl, null, 'no photo yet')

  const res = await app.inject(put(acct.headers, await jpeg(), 'image/jpeg'))
  t.equal(res.statusCode, 200, res.body)
  const { photoUrl } = res.json()
  t.match(photoUrl, new RegExp(`^/api/mentors/${mentorId}/photo/[0-9a-f]{16}/160$`))
  t.same(res.json().sizes, [64, 160, 480])

  for (const size of [64, 160, 480] as const) {
    const img = await app.inject(photoUrlOfSize(photoUrl, size))
    t.equal(img.statusCode, 200, `${size}`)
    t.equal(img.headers['content-type'], 'image/webp')
    t.equal(img.headers['cache-control'], 'public, max-age=31536000, immutable')
    const hash = photoUrl.split('/').at(-2)
    t.equal(img.headers.etag, `"${hash}-${size}"`)
    const meta = await sharp(img.rawPayload).metadata()
    t.match(meta, { format: 'webp', width: size, height: size }, `${size} px square WebP`)
    t.equal(meta.exif, undefined, 'no EXIF left')
    t.ok(img.rawPayload.length < 60_000, `${size} px is ${img.rawPayload.length} bytes`)
    const again = await app.inject({ url: photoUrlOfSize(photoUrl, size), headers: { 'if-none-match': img.headers.etag as string } })
    t.equal(again.statusCode, 304, 'If-None-Match → 304')
    t.equal(again.rawPayload.length, 0)
  }
  t.equal((await app.inject(photoUrl.replace(/\/[0-9a-f]{16}\//, '/0000000000000000/'))).statusCode, 404, 'another hash is 404')
  t.equal((await app.inject(photoUrl.replace(/\/160$/, '/100'))).statusCode, 400, 'a size not kept is 400')

  t.equal((await app.inject(`/api/mentors/${mentorId}`)).json().photoUrl, photoUrl, 'on the mentor page')
  t.equal((await app.inject({ url: '/api/mentors/me', headers: acct.headers })).json().photoUrl, photoUrl, 'on my profile')
  const [event] = await readEvents(nc, 'CATALOG', 'catalog.mentor.updated', (e) => e.data.id === mentorId && e.data.photoUrl === photoUrl)
  t.ok(event, 'catalog.mentor.updated carries the photoUrl')
  await app.mentorSearch.settled()
  const found = (await app.inject('/api/mentors?q=photoqx')).json()
  t.match(found.items, [{ id: mentorId, photoUrl }], 'search results carry it')

  // a new photo gets a new URL; the old one is gone
  const next = await app.inject(put(acct.headers, await png(300), 'image/png'))
  t.equal(next.statusCode, 200, next.body)
  t.not(next.json().photoUrl, photoUrl)
  t.equal((await app.inject(photoUrl)).statusCode, 404, 'the replaced photo is 404')

  // removed: initials again, published, search follows
  const del = await app.inject({ method: 'DELETE', url: '/api/mentors/me/photo', headers: acct.headers })
  t.equal(del.statusCode, 204)
  t.equal((await app.inject(next.json().photoUrl)).statusCode, 404, 'deleted photo is 404')
  t.equal((await app.inject(`/api/mentors/${mentorId}`)).json().photoUrl, null)
  const cleared = await readEvents(nc, 'CATALOG', 'catalog.mentor.updated', (e) => e.data.id === mentorId && e.data.photoUrl === null)
  t.equal(cleared.length, 1, 'removal published once')
  await app.mentorSearch.settled()
  t.match((await app.inject('/api/mentors?q=photoqx')).json().items, [{ id: mentorId, photoUrl: null }])
  t.equal((await app.inject({ method: 'DELETE', url: '/api/mentors/me/photo', headers: acct.headers })).statusCode, 204, 'deleting nothing is fine')
})

t.test('uploads that are refused: too large, not an image, another type, a lying type, a decompression bomb, too small', { skip }, async (t) => {
  const app = await buildCatalog()
  t.teardown(() => app.close())
  const { acct, mentorId } = await approvedMentor(app)
  const refused = async (body: Buffer, type: string, status: number, code: string) => {
    const res = await app.inject(put(acct.headers, body, type))
    t.equal(res.statusCode, status, `${code}: ${res.body.slice(0, 200)}`)
    t.match(res.json(), { error: { code, message: String, requestId: String } }, code)
  }
  const big = Buffer.concat([await jpeg(), Buffer.alloc(MENTOR_PHOTO_LIMITS.bytes)])
  await refused(big, 'image/jpeg', 413, 'PAYLOAD_TOO_LARGE')
  await refused(Buffer.from('this is not a picture at all, only words '.repeat(20)), 'image/png', 400, 'PHOTO_NOT_AN_IMAGE')
  await refused((await jpeg()).subarray(0, 400), 'image/jpeg', 400, 'PHOTO_NOT_AN_IMAGE')
  await refused(await png(), 'image/jpeg', 415, 'PHOTO_TYPE_MISMATCH')
  await refused(await sharp(await png()).gif().toBuffer(), 'image/gif', 415, 'UNSUPPORTED_MEDIA_TYPE')
  await refused(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>'), 'image/svg+xml', 415, 'UNSUPPORTED_MEDIA_TYPE')
  const bomb = bombPng(8_000)
  t.ok(bomb.length < 100_000, `the bomb is ${bomb.length} bytes`)
  await refused(bomb, 'image/png', 400, 'PHOTO_TOO_MANY_PIXELS')
  await refused(await png(32), 'image/png', 400, 'PHOTO_TOO_SMALL')
  const empty = await app.inject({ method: 'PUT', url: '/api/mentors/me/photo', headers: acct.headers })
  t.equal(empty.statusCode, 415, 'no body at all')
  t.equal(empty.json().error.code, 'UNSUPPORTED_MEDIA_TYPE')
  await refused(Buffer.from(JSON.stringify({ photo: 'x' })), 'application/json', 415, 'UNSUPPORTED_MEDIA_TYPE')
  // image bytes are for the photo route only
  const patch = await app.inject({ method: 'PATCH', url: '/api/mentors/me', headers: { ...acct.headers, 'content-type': 'image/png' }, payload: await png() })
  t.equal(patch.statusCode, 415, 'other routes still refuse images')
  t.equal((await app.inject(`/api/mentors/${mentorId}`)).json().photoUrl, null, 'nothing was stored')
})

t.test('only a mentor sets their own photo', { skip }, async (t) => {
  const app = await buildCatalog()
  t.teardown(() => app.close())
  const a = await approvedMentor(app)
  const b = await approvedMentor(app)
  const mentee = await account(app)
  const image = await png()

  t.equal((await app.inject(put(mentee.headers, image, 'image/png'))).statusCode, 403, 'a mentee')
  t.equal((await app.inject({ method: 'DELETE', url: '/api/mentors/me/photo', headers: mentee.headers })).statusCode, 403)
  t.equal((await app.inject(put({}, image, 'image/png'))).statusCode, 401, 'nobody')
  t.equal((await app.inject(put(a.acct.as('mentee'), image, 'image/png'))).statusCode, 403, "a mentor's mentee token")
  // The path has no id: a mentor reaches only their own photo; another's is no route at all.
  t.equal((await app.inject({ ...put(a.acct.headers, image, 'image/png'), url: `/api/mentors/${b.mentorId}/photo` })).statusCode, 404)
  t.equal((await app.inject({ method: 'DELETE', url: `/api/mentors/${b.mentorId}/photo`, headers: a.acct.headers })).statusCode, 404)
  const mine = await app.inject(put(a.acct.headers, image, 'image/png'))
  t.equal(mine.statusCode, 200)
  t.equal((await app.inject(`/api/mentors/${b.mentorId}`)).json().photoUrl, null, "B's profile untouched")
  t.match((await app.inject(`/api/mentors/${a.mentorId}`)).json().photoUrl, a.mentorId)

  // a suspended mentor's photo is not served
  const suspend = await app.inject({ method: 'POST', url: `/api/admin/mentors/${a.mentorId}/suspend`, headers: (await import('./accounts.ts')).adminHeaders(), payload: { reason: 'test' } })
  t.equal(suspend.statusCode, 200)
  t.equal((await app.inject(mine.json().photoUrl)).statusCode, 404, 'suspended: 404')
})
