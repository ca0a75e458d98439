/**
 * A process that claims an Idempotency-Key the way an API process does, and
 * then just stays alive holding it (renewing its lease), until it is killed:
 * the test of dead holders kills it with SIGKILL, as a crash would.
 *
 * Input (environment): DATABASE_URL, HOLD_SUBJECT, HOLD_KEY, HOLD_BODY (the placement body as JSON).
 * Output: one line of JSON, `{ "orderId": "…" }`, once the key is held.
 */
import { randomUUID } from 'node:crypto'
import { claimIdempotencyKey } from '../../commerce/idempotency-key.js'
import { requestFingerprint } from '../../commerce/request-fingerprint.js'
import { createDatabase } from '../../db/connection.js'

const need = (name: string) => {
  const value = process.env[name]
  if (!value) throw new Error(`${name} is required`)
  return value
}
const db = createDatabase({ connectionString: need('DATABASE_URL'), maxConnections: 2 })
const claim = await claimIdempotencyKey(db, {
  caller: { role: 'customer', subject: need('HOLD_SUBJECT') },
  key: need('HOLD_KEY'),
  fingerprint: requestFingerprint(JSON.parse(need('HOLD_BODY'))),
  orderId: randomUUID(),
})
if (claim.kind !== 'held') throw new Error('the key was answered already')
process.stdout.write(`${JSON.stringify({ orderId: claim.orderId })}\n`)
// The lease renews on an unref'd timer: this keeps the process (a request still being worked on) alive.
setInterval(() => undefined, 60_000)
