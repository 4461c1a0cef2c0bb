import { spawnSync } from 'node:child_process'
import t from 'tap'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { connect } from '@nats-io/transport-node'
import { jetstreamManager } from '@nats-io/jetstream'
import { findNatsServer, startPrivateNats } from '../src/nats-server.ts'

const binary = findNatsServer()

t.test('a private NATS with JetStream starts on a free port and leaves nothing behind', { skip: binary ? false : 'nats-server not installed' }, async (t) => {
  const parent = fs.mkdtempSync(path.join(os.tmpdir(), 'sunbae-nats-'))
  t.teardown(() => fs.rmSync(parent, { recursive: true, force: true }))
  const dir = path.join(parent, 'store')
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

t.test('a running private NATS does not keep its caller alive; kill() in an exit handler ends it', { skip: binary ? false : 'nats-server not installed' }, async (t) => {
  // payment's test files start one per file and end it from process 'exit': before the child was
  // unref'd, such a file never exited (tap's timeout, with a ChildProcess handle left open).
  const parent = fs.mkdtempSync(path.join(os.tmpdir(), 'sunbae-nats-'))
  t.teardown(() => fs.rmSync(parent, { recursive: true, force: true }))
  const dir = path.join(parent, 'store')
  const script = `
    import { startPrivateNats } from ${JSON.stringify(new URL('../src/nats-server.ts', import.meta.url).href)}
    const nats = await startPrivateNats(${JSON.stringify(binary)}, ${JSON.stringify(dir)})
    process.once('exit', () => nats.kill())
    const { readFileSync } = await import('node:fs')
    process.stdout.write(readFileSync(${JSON.stringify(`${dir}.pid`)}, 'utf8'))
  `
  const res = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 30_000 })
  t.equal(res.signal, null, 'it exited by itself (not killed by the 30 s timeout)')
  t.equal(res.status, 0, res.stderr)
  const pid = Number(res.stdout)
  t.ok(pid > 0, 'it printed the server pid')
  let alive = true
  for (let i = 0; i < 50 && alive; i++) {
    alive = fs.existsSync(`/proc/${pid}`) && !fs.readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z ')
    if (alive) await new Promise((r) => setTimeout(r, 100))
  }
  t.notOk(alive, 'the server is gone')
  if (alive) process.kill(pid, 'SIGKILL') // (only when this test fails)
  t.notOk(fs.existsSync(dir), 'store removed')
})

t.test('keepStore and port: a restart on the same port keeps the streams and their messages', { skip: binary ? false : 'nats-server not installed' }, async (t) => {
  const parent = fs.mkdtempSync(path.join(os.tmpdir(), 'sunbae-nats-'))
  t.teardown(() => fs.rmSync(parent, { recursive: true, force: true }))
  const dir = path.join(parent, 'store')
  const first = await startPrivateNats(binary!, dir, { keepStore: true })
  t.teardown(() => first.kill())
  const nc = await connect({ servers: first.url })
  const jsm = await jetstreamManager(nc)
  await jsm.streams.add({ name: 'KEPT', subjects: ['kept.>'] })
  await jsm.jetstream().publish('kept.one', 'x')
  await nc.close()
  await first.stop()
  t.ok(fs.existsSync(dir), 'the store stays after stop()')

  const second = await startPrivateNats(binary!, dir, { keepStore: true, port: first.port })
  t.teardown(() => second.kill())
  t.equal(second.url, first.url, 'the same address')
  const nc2 = await connect({ servers: second.url })
  const info = await (await jetstreamManager(nc2)).streams.info('KEPT')
  t.equal(info.state.messages, 1, 'the stream and its message survived the restart')
  await nc2.close()
  await second.stop()

  const fresh = await startPrivateNats(binary!, dir)
  t.teardown(() => fresh.kill())
  const nc3 = await connect({ servers: fresh.url })
  t.equal((await (await jetstreamManager(nc3)).getAccountInfo()).streams, 0, 'without keepStore the store starts empty (the default)')
  await nc3.close()
  await fresh.stop()
  t.notOk(fs.existsSync(dir), 'and is removed on stop()')
})
