import { randomUUID } from 'node:crypto'
import { mkdir, writeFile } from 'node:fs/promises'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { SMTPServer } from 'smtp-server'

export interface MailSinkOptions {
  /** where each message is stored as `<time>-<id>.eml` */
  dir: string
  /** 0 for any free port */
  port?: number
  host?: string
  /** recipients refused with 550 (a permanent failure), e.g. to test how the sender marks them */
  refuse?: (address: string) => boolean
  /**
   * recipients this sink takes; others get 450 (try again later). Test files share one database, so
   * any file's sender may pick up another file's email: each file's sink hands back what is not its own.
   */
  accept?: (address: string) => boolean
  /** called once a message is stored (bench/notification counts deliveries per second with it) */
  onStored?: (file: string) => void
}

export interface MailSink {
  port: number
  dir: string
  /** the SMTP_URL that reaches it */
  url: string
  close(): Promise<void>
}

/**
 * A local SMTP server that keeps every message as an `.eml` file — what `npm start` and the tests
 * send to (compose runs Mailpit instead). No TLS, any or no login, nothing relayed anywhere.
 */
export async function startMailSink(opts: MailSinkOptions): Promise<MailSink> {
  await mkdir(opts.dir, { recursive: true })
  const host = opts.host ?? '127.0.0.1'
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    banner: 'Sunbae mail sink',
    size: 10 * 1024 * 1024,
    logger: false,
    onRcptTo(address, _session, callback) {
      if (opts.refuse?.(address.address)) {
        const err = Object.assign(new Error(`mailbox ${address.address} refused by the sink`), { responseCode: 550 })
        callback(err)
        return
      }
      if (opts.accept && !opts.accept(address.address)) {
        callback(Object.assign(new Error(`mailbox ${address.address} is not served by this sink, try later`), { responseCode: 450 }))
        return
      }
      callback()
    },
    onData(stream, _session, callback) {
      const chunks: Buffer[] = []
      stream.on('data', (c: Buffer) => chunks.push(c))
      stream.on('error', callback)
      stream.on('end', () => {
        const file = join(opts.dir, `${new Date().toISOString().replace(/[:.]/g, '-')}-${randomUUID()}.eml`)
        writeFile(file, Buffer.concat(chunks)).then(() => {
          opts.onStored?.(file)
          callback()
        }, callback)
      })
    },
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', reject)
      resolve()
    })
  })
  const port = (server.server.address() as AddressInfo).port
  return {
    port,
    dir: opts.dir,
    url: `smtp://${host}:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}
