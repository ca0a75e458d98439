/**
 * The input each order update takes, as an operator types it for the
 * `temporal` CLI, and the check every update validator runs first: an input
 * of the wrong shape is refused, before anything is written to history, with
 * a non-retryable `invalid_input` refusal that names the field and shows the
 * input expected, instead of a TypeError deep in a handler.
 *
 * @example
 * ```sh
 * temporal workflow update execute --workflow-id order-<id> --name confirmCashOnDelivery \
 *   --input '{"actor":{"type":"admin","id":"ops_jane"}}'
 * ```
 */
import { actorTypes, refundReasons } from '../domain/vocabulary.js'

/** The update names an operator can send, with the `--input` each takes (one JSON argument). */
export const updateInputExamples = {
  confirmCashOnDelivery: '{"actor":{"type":"admin","id":"ops_jane"}}',
  cancelOrder: '{"actor":{"type":"admin","id":"ops_jane"},"note":"customer phoned to cancel"}',
  refundPayment: '{"actor":{"type":"admin","id":"ops_jane"},"amount":500,"reason":"damaged","note":null}',
} as const

export type OperatorUpdateName = keyof typeof updateInputExamples

type Check = (input: Record<string, unknown>) => string | null

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

const actor: Check = ({ actor }) => {
  if (!isRecord(actor)) return 'actor: missing; it is {"type":"admin","id":"<your admin id>"}'
  if (typeof actor['type'] !== 'string' || !(actorTypes as readonly string[]).includes(actor['type']))
    return `actor.type: must be one of ${actorTypes.join(', ')}`
  if (actor['id'] !== null && typeof actor['id'] !== 'string') return 'actor.id: must be a string (or null)'
  return null
}

const note: Check = ({ note }) => (note === null || typeof note === 'string' ? null : 'note: must be a string or null')

/** A number; whether it is a positive integer the order can refund is the refund rule's to say (`invalid_amount`). */
const amount: Check = ({ amount }) =>
  typeof amount === 'number' ? null : 'amount: must be a number, in minor units of the order currency (500 is USD 5.00)'

const reason: Check = ({ reason }) =>
  typeof reason === 'string' && (refundReasons as readonly string[]).includes(reason)
    ? null
    : `reason: must be one of ${refundReasons.join(', ')}`

const checks: Record<OperatorUpdateName, readonly Check[]> = {
  confirmCashOnDelivery: [actor],
  cancelOrder: [actor, note],
  refundPayment: [actor, amount, reason, note],
}

/**
 * What is wrong with the input of update `name`, in words that end with the
 * input expected; null when its shape is right (whether the order takes it is
 * for the validator's business rules to say).
 *
 * @example
 * ```ts
 * updateInputProblem('confirmCashOnDelivery', undefined)
 * // 'confirmCashOnDelivery takes one JSON object, got nothing; send --input \'{"actor":…}\''
 * ```
 */
export function updateInputProblem(name: OperatorUpdateName, input: unknown): string | null {
  const expected = `send --input '${updateInputExamples[name]}'`
  if (!isRecord(input)) return `${name} takes one JSON object, got ${describe(input)}; ${expected}`
  for (const check of checks[name]) {
    const problem = check(input)
    if (problem) return `${name}: ${problem}; ${expected}`
  }
  return null
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing'
  if (value === null) return 'null'
  return Array.isArray(value) ? 'an array' : `a ${typeof value}`
}
