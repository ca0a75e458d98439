/**
 * Sending mail over SMTP with nodemailer: the port the email channel sends
 * through, and the SMTP implementation `SMTP_URL` selects.
 */
import nodemailer from 'nodemailer'

/** One mail, ready to send. */
export interface OutgoingMail {
  to: string
  subject: string
  text: string
  html: string
  /** The same on every retry of the same notification, so mail clients and tests can spot a duplicate. */
  messageId: string
  headers: Record<string, string>
  language: string
}

/** Sends mail; a refusal the server means for good (5xx) is a {@link MailRefused} with `permanent`. */
export interface Mailer {
  send(mail: OutgoingMail): Promise<void>
  close(): void
}

/** The SMTP server refused the mail: for good (5xx: no such mailbox) or for now (4xx, connection trouble). */
export class MailRefused extends Error {
  constructor(
    message: string,
    readonly permanent: boolean,
  ) {
    super(message)
    this.name = 'MailRefused'
  }
}

export interface SmtpMailerProps {
  /** `smtp://user:pass@host:587`, `smtps://host:465`, or `smtp://127.0.0.1:1025` for a mail catcher. */
  url: string
  /** The From address, `Shop <orders@shop.example>`. */
  from: string
}

/**
 * A {@link Mailer} over SMTP. Connection and greeting timeouts are short (10
 * s), so a server that does not answer fails the attempt instead of holding it.
 *
 * @example
 * ```ts
 * const mailer = createSmtpMailer({ url: 'smtp://127.0.0.1:1025', from: 'Shop <orders@shop.example>' })
 * await mailer.send({ to: 'ada@example.com', subject, text, html, messageId, headers: {}, language: 'en' })
 * ```
 */
export function createSmtpMailer(props: SmtpMailerProps): Mailer {
  const transport = nodemailer.createTransport(props.url, { from: props.from })
  transport.set('connectionTimeout', 10_000)
  return {
    async send(mail) {
      try {
        await transport.sendMail({
          from: props.from,
          to: mail.to,
          subject: mail.subject,
          text: mail.text,
          html: mail.html,
          messageId: mail.messageId,
          headers: { ...mail.headers, 'Content-Language': mail.language },
        })
      } catch (error) {
        const code = (error as { responseCode?: unknown }).responseCode
        const message = error instanceof Error ? error.message : String(error)
        throw new MailRefused(message, typeof code === 'number' && code >= 500 && code < 600)
      }
    },
    close() {
      transport.close()
    },
  }
}
