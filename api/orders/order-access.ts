import type { Principal } from '../auth.js'
import { ApiProblem } from '../problem.js'

/** Admins see every order; a customer sees their own. */
export function canSeeOrder(principal: Principal, customerId: string): boolean {
  return principal.role === 'admin' || principal.subject === customerId
}

/** The answer for an order that does not exist, or is someone else's: the two read the same. */
export function orderNotFound(orderId: string): ApiProblem {
  return new ApiProblem('order_not_found', `There is no order ${orderId}`)
}
