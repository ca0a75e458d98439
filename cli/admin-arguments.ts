/**
 * What `npm run admin -- …` was asked to do, read from its arguments and
 * checked by the same rules the API applies, before anything connects.
 */
import { parseArgs } from 'node:util'
import { isOrderId } from '../db/order-queries.js'
import { textProblem } from '../api/text-field.js'
import type { ReceivedLine } from '../domain/returns.js'
import { type RefundReason, refundReasons } from '../domain/vocabulary.js'

export const adminUsage = [
  'usage: npm run admin -- status|confirm-cod <orderId>',
  '       npm run admin -- cancel <orderId> [--reason "…"]',
  `       npm run admin -- refund <orderId> --amount <minor units> --reason ${refundReasons.join('|')} [--note "…"] [--key <id>]`,
  '       npm run admin -- awaiting-confirmation',
  '       npm run admin -- approve-return|reject-return <orderId> <returnId> [--note "…"]',
  '       npm run admin -- receive-return <orderId> <returnId> --line <sku>:<quantity>:resellable|written-off … [--note "…"]',
  '       npm run admin -- settle-cod-refund <orderId> <cod-refund-n> --reference "…" [--note "…"]',
  '  every command: [--admin <id>] (who is acting; admin_cli by default)',
].join('\n')

export type AdminCommand =
  | { name: 'awaiting-confirmation'; admin: string }
  | { name: 'status' | 'confirm-cod'; orderId: string; admin: string }
  | { name: 'cancel'; orderId: string; admin: string; reason: string | null }
  | { name: 'approve-return' | 'reject-return'; orderId: string; returnId: string; admin: string; note: string | null }
  | {
      name: 'receive-return'
      orderId: string
      returnId: string
      admin: string
      lines: ReceivedLine[]
      note: string | null
    }
  | { name: 'settle-cod-refund'; orderId: string; refundId: string; admin: string; reference: string; note: string | null }
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
        line: { type: 'string', multiple: true },
        reference: { type: 'string' },
        admin: { type: 'string', default: 'admin_cli' },
      },
    })
  } catch (error) {
    return refused([(error as Error).message])
  }
  const { values, positionals } = parsed
  if (positionals[0] !== undefined && positionals[0] in afterSalesCommands) return parseAfterSalesCommand(values, positionals)
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
  const unused = (['reason', 'amount', 'note', 'key', 'line', 'reference'] as const).filter(
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

/** The after-sales commands, and the options each takes besides --admin. */
const afterSalesCommands = {
  'approve-return': ['note'],
  'reject-return': ['note'],
  'receive-return': ['line', 'note'],
  'settle-cod-refund': ['reference', 'note'],
} as const

type ParsedValues = {
  reason?: string | undefined
  amount?: string | undefined
  note?: string | undefined
  key?: string | undefined
  line?: string[] | undefined
  reference?: string | undefined
  admin?: string | undefined
}

/** One `--line <sku>:<quantity>:resellable|written-off` of a receipt. */
const receivedLineShape = /^([A-Za-z0-9][A-Za-z0-9._-]{0,63}):(\d{1,3}):(resellable|written-off)$/

/** The after-sales commands: on the order's after-sales workflow, naming the return or the COD refund owed. */
function parseAfterSalesCommand(values: ParsedValues, positionals: readonly string[]): AdminArguments {
  const [command, orderId, second, ...extra] = positionals
  const name = command as keyof typeof afterSalesCommands
  const problems: string[] = []
  const admin = values.admin ?? 'admin_cli'
  const check = (argument: string, value: string | undefined, limits: Parameters<typeof textProblem>[1]) => {
    const problem = value === undefined ? null : textProblem(value, limits)
    if (problem) problems.push(`${argument} ${problem}`)
  }
  check('--admin', admin, adminIdLimits)
  check('--note', values.note, noteLimits)
  if (extra.length > 0) problems.push(`unexpected arguments: ${extra.map((word) => JSON.stringify(word)).join(' ')}`)
  if (orderId === undefined) problems.push('orderId is missing')
  else if (!isOrderId(orderId)) problems.push(`orderId ${JSON.stringify(orderId)} is not an order id (a UUID)`)
  const unused = (['reason', 'amount', 'key', 'line', 'reference'] as const).filter(
    (option) => values[option] !== undefined && !(afterSalesCommands[name] as readonly string[]).includes(option),
  )
  if (unused.length > 0) problems.push(`${name} takes no ${unused.map((option) => `--${option}`).join(', ')}`)
  const note = values.note ?? null

  if (name === 'settle-cod-refund') {
    if (second === undefined || !/^cod-refund-\d{1,6}$/.test(second)) {
      problems.push('the COD refund is missing or not one (cod-refund-<n>, as GET /v1/orders/<id>/cod-refunds lists them)')
    }
    if (values.reference === undefined) problems.push("--reference is required (the bank transfer's reference)")
    check('--reference', values.reference, { min: 1, max: 200 })
    if (problems.length > 0 || !orderId || !second || !values.reference) return refused(problems)
    return { ok: true, command: { name, orderId, refundId: second, admin, reference: values.reference, note } }
  }
  if (second === undefined) problems.push('returnId is missing')
  else if (!isOrderId(second)) problems.push(`returnId ${JSON.stringify(second)} is not a return id (a UUID)`)
  if (name === 'receive-return') {
    const lines: ReceivedLine[] = []
    for (const line of values.line ?? []) {
      const match = receivedLineShape.exec(line)
      const quantity = Number(match?.[2])
      if (!match || quantity < 1) {
        problems.push(`--line ${JSON.stringify(line)} must be <sku>:<quantity above 0>:resellable or written-off`)
      } else lines.push({ sku: match[1]!, quantity, resellable: match[3] === 'resellable' })
    }
    if (lines.length === 0 && problems.length === 0) problems.push('--line is required: what arrived, one --line per sku')
    if (problems.length > 0 || !orderId || !second) return refused(problems)
    return { ok: true, command: { name, orderId, returnId: second, admin, lines, note } }
  }
  if (problems.length > 0 || !orderId || !second) return refused(problems)
  return { ok: true, command: { name, orderId, returnId: second, admin, note } }
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
