// sharp (libvips) is loaded by the first upload, not when the catalog's photo code is imported: it
// costs every idle catalog process ~17 MB (issue 22). Read from this process's own memory map: the
// native library is mapped once sharp is loaded, and not before.
import t from 'tap'
import fs from 'node:fs'
import { AppError } from '@sunbae/service-kit'

const libvipsMapped = () => /libvips|sharp-linux/.test(fs.readFileSync('/proc/self/maps', 'utf8'))

t.test('importing the photo code does not load sharp; the first photo does', async (t) => {
  t.notOk(libvipsMapped(), 'nothing has loaded sharp in this process yet')
  const { resizePhoto } = await import('../src/photos/images.ts')
  t.notOk(libvipsMapped(), 'importing images.ts leaves sharp unloaded')
  // a refused type never needs it
  const refused = await resizePhoto(Buffer.from('x'), 'image/gif').catch((e: unknown) => e)
  t.ok(refused instanceof AppError && refused.statusCode === 415, 'a GIF: 415')
  t.notOk(libvipsMapped(), 'nor does a refused Content-Type')
  const err = await resizePhoto(Buffer.from('not a png'), 'image/png').catch((e: unknown) => e)
  t.ok(err instanceof AppError && err.statusCode === 400 && err.code === 'PHOTO_NOT_AN_IMAGE', 'bytes that are not an image: 400 from sharp')
  t.ok(libvipsMapped(), 'sharp is loaded by the first photo it reads')
})
