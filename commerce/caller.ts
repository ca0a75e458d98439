import type { Actor } from '../domain/order-types.js'

/**
 * Who asks a use case: a customer or an admin, by subject. The API's
 * verified `Principal` is one; the CLI's admin is another.
 */
export interface Caller {
  role: 'customer' | 'admin'
  subject: string
}

/** The caller as the order's timeline names them. */
export function actorOf(caller: Caller): Actor {
  return { type: caller.role, id: caller.subject }
}

/** Admins see every order; a customer sees their own. */
export function canSeeOrder(caller: Caller, customerId: string): boolean {
  return caller.role === 'admin' || caller.subject === customerId
}

/** The caller as stored beside what they did (`role:subject`), in idempotency keys and the catalog's audit trail. */
export function callerName(caller: Caller): string {
  return `${caller.role}:${caller.subject}`
}
