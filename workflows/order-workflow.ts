/**
 * Where code outside `workflows/` has imported the order workflow's type from;
 * the workflow itself lives in `order/`. New code imports it from `index.js`.
 */
export { orderWorkflow } from './order/order-workflow.js'
