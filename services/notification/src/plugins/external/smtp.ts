import fp from 'fastify-plugin'
import type { FastifyInstance } from 'fastify'
import nodemailer, { type Transporter } from 'nodemailer'
import type SMTPTransport from 'nodemailer/lib/smtp-transport'

declare module 'fastify' {
  interface FastifyInstance {
    smtp: Transporter<SMTPTransport.SentMessageInfo>
  }
}

/**
 * The SMTP client (nodemailer) for SMTP_URL: smtp:// (STARTTLS when offered) or smtps://, optional user:password. Nothing is checked at start: SMTP being down only delays
 * mail (the outbox keeps it), so it is neither a readiness nor a liveness matter. Pooled: up to
 * `maxConnections` connections are reused (100 messages each); a failed one is replaced on the next send.
 */
export default fp(
  async function smtp(app: FastifyInstance, opts: { url: string; timeoutMs: number; maxConnections: number }) {
    const url = new URL(opts.url)
    const transport = nodemailer.createTransport({
      pool: true,
      maxConnections: opts.maxConnections,
      maxMessages: 100,
      host: url.hostname,
      port: url.port ? Number(url.port) : url.protocol === 'smtps:' ? 465 : 25,
      secure: url.protocol === 'smtps:',
      ...(url.username ? { auth: { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) } } : {}),
      connectionTimeout: opts.timeoutMs,
      greetingTimeout: opts.timeoutMs,
      socketTimeout: opts.timeoutMs * 3,
    })
    app.decorate('smtp', transport)
    app.addHook('onClose', async () => transport.close())
  },
  { name: 'smtp' },
)
