/**
 * How long a payment may wait, by default: the customer's window to finish
 * 3-D Secure or approve with PayPal, and how long a card authorization is
 * held before it must be captured or given up (card networks allow about 7
 * days). `PAYMENT_ACTION_TIMEOUT` and `PAYMENT_AUTHORIZATION_VALIDITY` set
 * them for new orders; an order whose input predates those fields gets these.
 */
export const paymentWindowDefaults = {
  actionTimeoutMs: 3_600_000,
  authorizationValidityMs: 6 * 86_400_000,
} as const
