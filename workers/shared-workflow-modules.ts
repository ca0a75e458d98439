/**
 * The workflow modules every workflow in a worker shares, loaded once.
 *
 * In the SDK's reusable V8 context each workflow evaluates every module it
 * imports for itself (its own module cache), so a parked order would pay for
 * a copy of every module's functions, classes and tables. These modules hold
 * no state of a workflow's own (what is a run's lives in the objects the run
 * creates, or, for the one per-run switch, on the workflow's own globals:
 * `workflows/order/activity-proxies.ts`), so they are preloaded instead:
 * evaluated once when the worker starts, deep-frozen, and shared
 * (`bundlerOptions.preloadModules`). `npm test` runs every workflow with them
 * preloaded, and the previous-code test carries orders older code started on in
 * the worker that runs new ones. A module with state of a workflow's own at module level must never
 * be added to these folders (`tests/unit/shared-workflow-modules-hold-no-state.test.ts`).
 * The tracing interceptor is not: it is loaded per workflow.
 */
import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

/** The folders whose every module is shared: the vocabulary and rules, and the workflows themselves. */
const sharedFolders = ['../domain', '../workflows'].map((folder) => fileURLToPath(new URL(folder, import.meta.url)))

/** Absolute paths of the modules to preload, for `bundleWorkflowCode` and `WorkerOptions.bundlerOptions`. */
export const sharedWorkflowModules: string[] = sharedFolders.flatMap((folder) =>
  readdirSync(folder, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts'))
    .sort()
    .map((file) => join(folder, file)),
)
