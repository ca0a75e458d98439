/** The workflows this engine registers with its worker. */
export { orderWorkflow } from './order/order-workflow.js'
export { codReconciliationWorkflow } from './cod-reconciliation-workflow.js'
export { notificationDispatcherWorkflow } from './notification-dispatcher-workflow.js'
export { notificationDeliveryWorkflow } from './notification-delivery-workflow.js'
export { webhookDeliveryWorkflow } from './webhook-delivery-workflow.js'
export { afterSalesWorkflow } from './after-sales/after-sales-workflow.js'
export { shipmentWorkflow } from './shipment/shipment-workflow.js'
