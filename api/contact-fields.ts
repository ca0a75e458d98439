/**
 * How the API accepts a customer's contact details: an email address (the
 * token's `email` claim, or `contactEmail` at placement) and a language tag
 * (the token's `locale` claim, or `Accept-Language`), both under the text rule.
 */
import { text, textProblem } from './text-field.js'

/** The longest address SMTP carries (RFC 5321: 254 characters in a path). */
export const MAX_EMAIL_LENGTH = 254

/**
 * One address, `local@domain.tld`: no spaces, no angle brackets or commas (so
 * never two addresses, never a display name), a dot in the domain. Deliberately
 * simpler than RFC 5322: what shops accept at checkout.
 */
const emailPattern = /^[^\s@<>(),;:"[\]\\]+@[^\s@<>(),;:"[\]\\]+\.[^\s@<>(),;:"[\]\\.]{2,}$/u

/** A BCP 47 language tag as browsers and identity providers send them: `en`, `fr-CA`, `zh-Hant-TW`. */
const languageTagPattern = /^[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{2,8}){0,3}$/

/** The `contactEmail` field of a placement: the text rule plus the email format, trimmed. */
export function contactEmailField() {
  return text({
    min: 3,
    max: MAX_EMAIL_LENGTH,
    trim: true,
    pattern: { regex: emailPattern, message: 'must be one email address, like ada@example.com' },
  })
}

/** `value` as a contact address when it is one (the text rule and the format), else null. */
export function contactEmailOf(value: unknown): string | null {
  if (typeof value !== 'string') return null
  const trimmed = value.trim()
  if (textProblem(trimmed, { min: 3, max: MAX_EMAIL_LENGTH }) !== null || !emailPattern.test(trimmed)) return null
  return trimmed
}

/** `value` as a language tag when it is one, else null. */
export function languageTagOf(value: unknown): string | null {
  return typeof value === 'string' && languageTagPattern.test(value) ? value : null
}

/** The first language of an `Accept-Language` header (`fr-CH, fr;q=0.9, en;q=0.8` → `fr-CH`), or null. */
export function preferredLanguageOf(header: string | undefined): string | null {
  if (!header) return null
  const ranked = header
    .split(',')
    .map((part) => {
      const [tag = '', ...params] = part.trim().split(';')
      const q = params.map((p) => /^\s*q=([0-9.]+)\s*$/.exec(p)?.[1]).find((v) => v !== undefined)
      return { tag: tag.trim(), q: q === undefined ? 1 : Number(q) }
    })
    .filter((entry) => entry.q > 0 && languageTagOf(entry.tag) !== null)
    .sort((a, b) => b.q - a.q)
  return ranked[0]?.tag ?? null
}
