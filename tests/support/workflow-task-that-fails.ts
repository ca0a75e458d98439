/**
 * An `orderWorkflow` whose every workflow task fails, as an order's does when
 * its worker keeps crashing on it: the server then takes no update for it
 * ("Workflow Task in failed state"). Registered under the order workflow's
 * name, on a task queue of its own, by the test that needs it.
 */
export async function orderWorkflow(): Promise<never> {
  // Any error but a Temporal failure fails the workflow task (retried), not the workflow.
  throw new Error('this workflow task always fails')
}
