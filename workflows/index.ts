/** The workflows this engine registers with its worker. */
export { orderWorkflow } from './order/order-workflow.js'
export { codReconciliationWorkflow } from './cod-reconciliation-workflow.js'
export { webhookDeliveryWorkflow } from './webhook-delivery-workflow.js'
