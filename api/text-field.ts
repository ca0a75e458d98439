/**
 * The one text type of the contract: every string the API, the provider
 * webhooks, the carrier endpoint, a bearer token's claims and the admin CLI
 * accept is checked by the rule here, so nothing Postgres (or a person
 * reading the timeline) cannot take gets past the edge.
 */
import { z } from '@hono/zod-openapi'

/**
 * Code points no text accepts, wherever they are: the C0 controls (NUL
 * included), DEL, the C1 controls, and UTF-16 surrogates that are not part of
 * a pair (JSON can carry `"\ud800"`; Postgres cannot store it, nor NUL).
 * Under the `u` flag a well-formed pair is one code point outside this class,
 * so emoji and every other astral character pass.
 */
const singleLineRefused = '\\u0000-\\u001F\\u007F-\\u009F\\uD800-\\uDFFF'
/** The same, but tab, line feed and carriage return are allowed: what a person types in a text box. */
const multiLineRefused = '\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F\\uD800-\\uDFFF'

export interface TextOptions {
  /** The fewest characters (Unicode code points, as JSON Schema counts them); 0 by default. */
  min?: number
  /** The most characters (Unicode code points). Every text is bounded. */
  max: number
  /**
   * Also accept tab, line feed and carriage return (browsers send a text
   * box's line breaks as CRLF): for notes, reasons and descriptions. Off by
   * default: names, address lines, ids and tokens are one line.
   */
  multiline?: boolean
  /** Strip surrounding white space first (and count what is left). Off by default. */
  trim?: boolean
  /**
   * A stricter shape of its own (`^[A-Z]{3}$`, printable ASCII …), checked too
   * and shown as the OpenAPI `pattern` instead of the control-character one.
   * It must not admit any character the rule refuses.
   */
  pattern?: { regex: RegExp; message: string }
  /** What to say when the field is missing; "is required" by default. */
  whenMissing?: string
}

/** The text rule's OpenAPI pattern (ECMA-262 with the `u` flag, as JSON Schema validators apply it). */
export function textPattern(options: Pick<TextOptions, 'multiline'> = {}): string {
  return `^[^${options.multiline ? multiLineRefused : singleLineRefused}]*$`
}

const refusedSingleLine = new RegExp(`[${singleLineRefused}]`, 'u')
const refusedMultiLine = new RegExp(`[${multiLineRefused}]`, 'u')

function codePointName(codePoint: number): string {
  return `U+${codePoint.toString(16).toUpperCase().padStart(4, '0')}`
}

/**
 * Why `value` breaks the text rule, as a reason to show after the field's
 * name ("must be at most 200 characters"); null when it keeps it. For the
 * places that are not a zod schema: JWT claims and CLI arguments.
 *
 * @example
 * ```ts
 * textProblem('Ada\u0000Lovelace', { max: 200 }) // 'contains U+0000, a control character, at character 4'
 * textProblem('Zoë 🚀', { min: 1, max: 200 }) // null
 * ```
 */
export function textProblem(value: string, options: Pick<TextOptions, 'min' | 'max' | 'multiline'>): string | null {
  const problems = [...lengthProblems(value, options), characterProblem(value, options)].filter((p) => p !== null)
  return problems.length > 0 ? problems.join('; ') : null
}

function lengthProblems(value: string, options: Pick<TextOptions, 'min' | 'max'>): string[] {
  const problems: string[] = []
  const min = options.min ?? 0
  // Code points, not UTF-16 units: an emoji is one character, as JSON Schema's maxLength counts it.
  const length = [...value].length
  if (length < min) problems.push(min === 1 ? 'must not be empty' : `must be at least ${min} characters`)
  if (length > options.max) problems.push(`must be at most ${options.max} characters`)
  return problems
}

function characterProblem(value: string, options: Pick<TextOptions, 'multiline'>): string | null {
  const refused = (options.multiline ? refusedMultiLine : refusedSingleLine).exec(value)
  if (!refused) return null
  const codePoint = refused[0].codePointAt(0) ?? 0
  const position = [...value.slice(0, refused.index)].length + 1
  const what =
    codePoint >= 0xd800 && codePoint <= 0xdfff
      ? 'an unpaired UTF-16 surrogate (not a character: send well-formed Unicode)'
      : options.multiline
        ? 'a control character (only tab and line breaks are accepted here)'
        : 'a control character'
  return `contains ${codePointName(codePoint)}, ${what}, at character ${position}`
}

/**
 * A text field of the contract: bounded, and free of control characters
 * and unpaired surrogates, while any script, emoji and combining marks pass.
 *
 * @example
 * ```ts
 * const ShippingAddressInput = z.strictObject({ name: text({ min: 1, max: 200, trim: true }), ... })
 * const CancelOrderBody = z.strictObject({ reason: text({ min: 1, max: 500, trim: true, multiline: true }).optional() })
 * ```
 *
 * Each refusal is an issue on the field's own path, so the 400 problem
 * names it (`errors[].field`). Lengths count code points. The OpenAPI
 * document shows `minLength`, `maxLength` and the rule as a `pattern`
 * (or the field's own stricter `pattern`).
 */
export function text(options: TextOptions) {
  const whenMissing = options.whenMissing ?? 'is required'
  const own = options.pattern
  // Characters are checked on what was sent, before any trimming: a control character is refused even at the edges.
  let schema = z
    .string({ error: (issue) => (issue.input === undefined ? whenMissing : 'must be a string') })
    .superRefine((value, ctx) => {
      const problem = characterProblem(value, options)
      if (problem) ctx.addIssue({ code: 'custom', message: problem })
    })
  if (options.trim) schema = schema.trim()
  return schema
    .superRefine((value, ctx) => {
      // A field of its own shape is described best by that shape, unless a control character was named already.
      const ownProblem = own && !own.regex.test(value) ? own.message : null
      const problems = ownProblem ? (characterProblem(value, options) ? [] : [ownProblem]) : lengthProblems(value, options)
      for (const message of problems) ctx.addIssue({ code: 'custom', message })
    })
    .openapi({
      ...(options.min ? { minLength: options.min } : {}),
      maxLength: options.max,
      pattern: own ? own.regex.source : textPattern(options),
    })
}
