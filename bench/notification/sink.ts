// The bench's SMTP sink as a process of its own (bench/notification/run.ts starts it): notification's
// local sink (src/mail/sink.ts) storing each message under <dir>, printing `url <smtp url>` once
// listening and then the epoch ms of each stored message, one a line. Out of the bench process, the
// sink's parsing and file writes do not compete with the publisher and the Firestore listener.
import { startMailSink } from '@sunbae/notification/mail-sink'

const dir = process.argv[2]
if (!dir) throw new Error('usage: node bench/notification/sink.ts <dir>')
const sink = await startMailSink({ dir, onStored: () => process.stdout.write(`${Date.now()}\n`) })
process.stdout.write(`url ${sink.url}\n`)
const stop = () => void sink.close().then(() => process.exit(0))
process.on('SIGTERM', stop)
process.on('SIGINT', stop)
