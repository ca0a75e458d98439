/**
 * The delivery workflow's name, id and input, shared by the workflow, the
 * activity that starts first runs and the API that starts redeliveries.
 * Nothing here imports anything.
 */

/** Run `run` of delivery `deliveryId`: one id per run, so a run is started once however often it is asked for. */
export function webhookDeliveryWorkflowId(deliveryId: string, run: number): string {
  return `webhook-delivery-${deliveryId}-run-${run}`
}

export interface WebhookDeliveryInput {
  deliveryId: string
  /** 1 for the first run, 2 for the first manual redelivery … */
  run: number
}

export interface WebhookDeliveryResult {
  status: 'delivered' | 'failed' | 'gone'
  attempts: number
}
