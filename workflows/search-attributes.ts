/**
 * The search attributes every order workflow keeps current, so operators can
 * list orders by state in the CLI and the Web UI:
 *
 * ```sh
 * temporal workflow list --query "OrderStatus='AWAITING_CONFIRMATION'"
 * ```
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common'

export const OrderStatusKey = defineSearchAttributeKey('OrderStatus', SearchAttributeType.KEYWORD)
export const CustomerIdKey = defineSearchAttributeKey('CustomerId', SearchAttributeType.KEYWORD)
export const PaymentMethodKey = defineSearchAttributeKey('PaymentMethod', SearchAttributeType.KEYWORD)
export const OrderTotalKey = defineSearchAttributeKey('OrderTotal', SearchAttributeType.INT)
/** The order an after-sales workflow (`order-<id>-aftersales`) belongs to. */
export const OrderIdKey = defineSearchAttributeKey('OrderId', SearchAttributeType.KEYWORD)

/** Every custom search attribute, with the type the server must register it as. */
export const orderSearchAttributes = [OrderStatusKey, CustomerIdKey, PaymentMethodKey, OrderTotalKey, OrderIdKey] as const
