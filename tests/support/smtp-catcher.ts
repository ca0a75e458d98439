/**
 * A real SMTP server for tests (npm `smtp-server`): it receives the engine's
 * mails over SMTP, parses each (npm `mailparser`) and keeps it, and can answer
 * as a test needs (refuse a mailbox for good, or do something before it answers).
 */
import { simpleParser } from 'mailparser'
import { SMTPServer } from 'smtp-server'
import { settleMs } from './patience.js'

export interface CaughtMail {
  to: string
  from: string
  subject: string
  text: string
  html: string
  messageId: string
  language: string | null
  orderId: string | null
  notificationId: string | null
}

/** How the server answers a mail: keep it (250), or refuse it for good (550, and it is not kept). */
export type SmtpAnswer = 'accept' | 'refuse'

export interface SmtpCatcher {
  url: string
  mails: CaughtMail[]
  /** Waits until `count` kept mails satisfy `match`; returns them. */
  waitFor(match: (mail: CaughtMail) => boolean, count?: number, timeoutMs?: number): Promise<CaughtMail[]>
  close(): Promise<void>
}

export async function startSmtpCatcher(
  options: { answer?: (mail: CaughtMail) => SmtpAnswer | Promise<SmtpAnswer> } = {},
): Promise<SmtpCatcher> {
  const mails: CaughtMail[] = []
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, _session, callback) {
      simpleParser(stream)
        .then(async (parsed) => {
          const header = (name: string) => {
            const value = parsed.headers.get(name)
            return typeof value === 'string' ? value : null
          }
          const to = Array.isArray(parsed.to) ? parsed.to[0]?.text : parsed.to?.text
          const mail: CaughtMail = {
            to: to ?? '',
            from: parsed.from?.text ?? '',
            subject: parsed.subject ?? '',
            text: parsed.text ?? '',
            html: typeof parsed.html === 'string' ? parsed.html : '',
            messageId: parsed.messageId ?? '',
            language: header('content-language'),
            orderId: header('x-order-id'),
            notificationId: header('x-notification-id'),
          }
          const answer = (await options.answer?.(mail)) ?? 'accept'
          if (answer === 'refuse') {
            callback(Object.assign(new Error('Requested action not taken: mailbox unavailable'), { responseCode: 550 }))
            return
          }
          mails.push(mail)
          callback()
        })
        .catch((error: unknown) => callback(error instanceof Error ? error : new Error(String(error))))
    },
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.server.address()
  const port = typeof address === 'object' && address ? address.port : 0

  return {
    url: `smtp://127.0.0.1:${port}`,
    mails,
    async waitFor(match, count = 1, timeoutMs = settleMs) {
      const deadline = Date.now() + timeoutMs
      for (;;) {
        const found = mails.filter(match)
        if (found.length >= count) return found
        if (Date.now() > deadline) {
          throw new Error(`${found.length} of ${count} mails came; got: ${mails.map((m) => m.subject).join(' | ')}`)
        }
        await new Promise((resolve) => setTimeout(resolve, 100))
      }
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}
