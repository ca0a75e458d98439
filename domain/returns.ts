/**
 * After delivery: returns (RMA), refunds by line, exchanges, and cash-on-delivery
 * refunds owed. One after-sales workflow per order (`afterSalesWorkflowId`), started
 * on demand by the first after-sales request; shared by that workflow, the read
 * model, the API and the CLI.
 */

/** Why a customer sends items back; `damaged`, `wrong_item` and `not_as_described` are the shop's fault. */
export const returnReasons = ['damaged', 'wrong_item', 'not_as_described', 'no_longer_needed', 'other'] as const
export type ReturnReason = (typeof returnReasons)[number]

/** Where a return stands, in the words Shopify and Medusa users know. */
export const returnStatuses = ['REQUESTED', 'APPROVED', 'REJECTED', 'IN_TRANSIT', 'RECEIVED', 'REFUNDED', 'CLOSED'] as const
export type ReturnStatus = (typeof returnStatuses)[number]

/** The id of an order's after-sales workflow. */
export function afterSalesWorkflowId(orderId: string): string {
  return `order-${orderId}-aftersales`
}
