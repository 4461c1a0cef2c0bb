import t from 'tap'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { connect } from '@nats-io/transport-node'
import { jetstreamManager } from '@nats-io/jetstream'
import { findNatsServer, startPrivateNats } from '../lib/test-nats.ts'

const binary = findNatsServer()

t.test('a private NATS with JetStream starts on a free port and leaves nothing behind', { skip: binary ? false : 'nats-server not installed' }, async (t) => {
  const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'sunbae-nats-')), 'store')
  const nats = await startPrivateNats(binary!, dir)
  t.match(nats.url, /^nats:\/\/127\.0\.0\.1:\d+$/)
  const nc = await connect({ servers: nats.url })
  const jsm = await jetstreamManager(nc)
  const info = await jsm.getAccountInfo()
  t.equal(info.streams, 0, 'a fresh server: no streams from earlier runs')
  await nc.close()
  await nats.stop()
  t.notOk(fs.existsSync(dir), 'store removed')
  t.notOk(fs.existsSync(`${dir}.pid`), 'pid file removed')
  await t.rejects(connect({ servers: nats.url, reconnect: false, timeout: 1000 }), 'server stopped')
})
