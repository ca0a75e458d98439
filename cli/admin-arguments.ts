/**
 * What `npm run admin -- …` was asked to do, read from its arguments and
 * checked by the same rules the API applies, before anything connects.
 */
import { parseArgs } from 'node:util'
import { isOrderId } from '../db/order-queries.js'
import { textProblem } from '../api/text-field.js'
import { type RefundReason, refundReasons } from '../domain/vocabulary.js'

export const adminUsage = [
  'usage: npm run admin -- status|confirm-cod <orderId>',
  '       npm run admin -- cancel <orderId> [--reason "…"]',
  `       npm run admin -- refund <orderId> --amount <minor units> --reason ${refundReasons.join('|')} [--note "…"] [--key <id>]`,
  '       npm run admin -- awaiting-confirmation',
  '  every command: [--admin <id>] (who is acting; admin_cli by default)',
].join('\n')

export type AdminCommand =
  | { name: 'awaiting-confirmation'; admin: string }
  | { name: 'status' | 'confirm-cod'; orderId: string; admin: string }
  | { name: 'cancel'; orderId: string; admin: string; reason: string | null }
  | {
      name: 'refund'
      orderId: string
      admin: string
      amount: number
      reason: RefundReason
      note: string | null
      key: string | null
    }

/** The arguments, understood; or why not, in words for the operator (the CLI then exits 2). */
export type AdminArguments = { ok: true; command: AdminCommand } | { ok: false; message: string }

/** The same bounds as the API's: a cancellation reason and a refund note are 500 characters, as in the request bodies. */
const noteLimits = { min: 1, max: 500, multiline: true } as const
/** An admin id is a token subject elsewhere: the same bound. */
const adminIdLimits = { min: 1, max: 200 } as const
/** A refund key becomes part of a Temporal update id: printable ASCII, as an Idempotency-Key. */
const keyShape = /^[\x21-\x7e]{1,255}$/

/**
 * Reads `npm run admin` arguments (`process.argv.slice(2)`).
 *
 * @example
 * ```ts
 * parseAdminArguments(['cancel', orderId, '--reason', 'duplicate order'])
 * // { ok: true, command: { name: 'cancel', orderId, admin: 'admin_cli', reason: 'duplicate order' } }
 * parseAdminArguments(['cancel', 'nope']) // { ok: false, message: 'orderId: "nope" is not an order id (a UUID)\n…usage' }
 * ```
 *
 * Every text argument follows the API's text rule (no control characters
 * or unpaired surrogates, bounded length; a note or reason may hold line
 * breaks). Each refusal names the argument, and the usage follows.
 */
export function parseAdminArguments(argv: readonly string[]): AdminArguments {
  let parsed
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        reason: { type: 'string' },
        amount: { type: 'string' },
        note: { type: 'string' },
        key: { type: 'string' },
        admin: { type: 'string', default: 'admin_cli' },
      },
    })
  } catch (error) {
    return refused([(error as Error).message])
  }
  const { values, positionals } = parsed
  const [name, orderId, ...extra] = positionals
  const problems: string[] = []
  const check = (argument: string, value: string | undefined, limits: Parameters<typeof textProblem>[1]) => {
    const problem = value === undefined ? null : textProblem(value, limits)
    if (problem) problems.push(`${argument} ${problem}`)
  }
  const admin = values.admin ?? 'admin_cli'
  check('--admin', admin, adminIdLimits)
  if (extra.length > 0) problems.push(`unexpected arguments: ${extra.map((word) => JSON.stringify(word)).join(' ')}`)

  if (name === 'awaiting-confirmation') {
    if (orderId !== undefined) problems.push('awaiting-confirmation takes no orderId')
    return problems.length > 0 ? refused(problems) : { ok: true, command: { name, admin } }
  }
  if (name !== 'status' && name !== 'confirm-cod' && name !== 'cancel' && name !== 'refund') {
    return refused([name === undefined ? 'no command given' : `unknown command ${JSON.stringify(name)}`])
  }
  if (orderId === undefined) problems.push('orderId is missing')
  else if (!isOrderId(orderId)) problems.push(`orderId ${JSON.stringify(orderId)} is not an order id (a UUID)`)
  const unused = (['reason', 'amount', 'note', 'key'] as const).filter(
    (option) => values[option] !== undefined && !(optionsOf[name] as readonly string[]).includes(option),
  )
  if (unused.length > 0) problems.push(`${name} takes no ${unused.map((option) => `--${option}`).join(', ')}`)

  if (name === 'status' || name === 'confirm-cod') {
    return problems.length > 0 || !orderId ? refused(problems) : { ok: true, command: { name, orderId, admin } }
  }
  if (name === 'cancel') {
    check('--reason', values.reason, noteLimits)
    if (problems.length > 0 || !orderId) return refused(problems)
    return { ok: true, command: { name, orderId, admin, reason: values.reason ?? null } }
  }
  const amount = Number(values.amount)
  if (values.amount === undefined) problems.push('--amount is required (minor units, such as 500)')
  else if (!/^\d+$/.test(values.amount) || !Number.isSafeInteger(amount) || amount <= 0) {
    problems.push(`--amount ${JSON.stringify(values.amount)} must be a whole number of minor units above 0`)
  }
  const reason = refundReasons.find((known) => known === values.reason)
  if (!reason) problems.push(`--reason must be one of ${refundReasons.join(', ')}`)
  check('--note', values.note, noteLimits)
  if (values.key !== undefined && !keyShape.test(values.key)) {
    problems.push('--key must be 1 to 255 printable ASCII characters without spaces (a UUID, say)')
  }
  if (problems.length > 0 || !orderId || !reason) return refused(problems)
  return {
    ok: true,
    command: { name, orderId, admin, amount, reason, note: values.note ?? null, key: values.key ?? null },
  }
}

/** The options each command takes besides --admin. */
const optionsOf = {
  status: [],
  'confirm-cod': [],
  cancel: ['reason'],
  refund: ['amount', 'reason', 'note', 'key'],
} as const

function refused(problems: string[]): AdminArguments {
  return { ok: false, message: `${problems.join('\n')}\n\n${adminUsage}` }
}
