/**
 * A notification as a mail: the message of `domain/notification-messages.ts`
 * as plain text and as HTML, with the same words.
 */
import type { NotificationMessage } from '../../domain/notification-messages.js'

export interface RenderedEmail {
  subject: string
  text: string
  html: string
}

const escapes: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => escapes[char] ?? char)
}

/**
 * Renders a notification's message as a mail: the subject, the paragraphs
 * as text, and a small HTML page with the same paragraphs, escaped.
 *
 * @example
 * ```ts
 * const mail = renderNotificationEmail(notificationMessage(facts, 'en'), { shopName: 'Order engine' })
 * ```
 */
export function renderNotificationEmail(message: NotificationMessage, options: { shopName: string }): RenderedEmail {
  const text = `${message.paragraphs.join('\n\n')}\n\n— ${options.shopName}\n`
  const body = message.paragraphs.map((paragraph) => `<p>${escapeHtml(paragraph)}</p>`).join('\n    ')
  const html = `<!doctype html>
<html lang="${message.language}">
  <head><meta charset="utf-8"><title>${escapeHtml(message.subject)}</title></head>
  <body style="font-family: sans-serif; line-height: 1.5">
    <h1 style="font-size: 1.2em">${escapeHtml(message.subject)}</h1>
    ${body}
    <p style="color: #666">— ${escapeHtml(options.shopName)}</p>
  </body>
</html>
`
  return { subject: message.subject, text, html }
}
