/**
 * Temporal's OpenTelemetry interceptors, wired once: the client's (a `StartWorkflow`, `SignalWorkflow`,
 * `StartWorkflowUpdate`… span around each call, its context sent in the call's headers), the workflow's
 * (`RunWorkflow`, `StartActivity`, `HandleSignal`…, made inside the sandbox by `workflow-tracing-interceptors.ts`
 * and handed out through the `exporter` sink) and the activities' (`RunActivity`, the parent of what the activity
 * does). Workflow spans leave the workflow through a sink, which is never called on replay, and add no command to
 * its history.
 */
import { fileURLToPath } from 'node:url'
import type { WorkflowClientInterceptor } from '@temporalio/client'
import {
  OpenTelemetryActivityInboundInterceptor,
  OpenTelemetryWorkflowClientInterceptor,
  makeWorkflowExporter,
} from '@temporalio/interceptors-opentelemetry'
import type { WorkerOptions } from '@temporalio/worker'
import { workflowSpanDestination } from '../tracing.js'

/**
 * The module the workflow bundle takes its interceptors from (`workflowInterceptorModules`): our own, without
 * OpenTelemetry in the sandbox, which cost each parked workflow about 950 KiB of the worker's memory.
 */
export const workflowTracingInterceptorsModule = fileURLToPath(new URL('./workflow-tracing-interceptors.ts', import.meta.url))

/** What every client of the engine traces its calls with. */
export function tracingClientInterceptor(): WorkflowClientInterceptor {
  return new OpenTelemetryWorkflowClientInterceptor()
}

/**
 * The worker options that trace activities and export the workflow's spans to the process's tracing. A prebuilt
 * bundle has the workflow interceptors in it already (`npm run build:workflows`); a worker bundling at start adds them.
 */
export function tracingWorkerOptions(options: {
  prebuiltBundle: boolean
}): Required<Pick<WorkerOptions, 'interceptors' | 'sinks'>> {
  const { spanProcessor, resource } = workflowSpanDestination()
  return {
    interceptors: {
      activity: [(ctx) => ({ inbound: new OpenTelemetryActivityInboundInterceptor(ctx) })],
      ...(options.prebuiltBundle ? {} : { workflowModules: [workflowTracingInterceptorsModule] }),
    },
    sinks: { exporter: makeWorkflowExporter(spanProcessor, resource) },
  }
}
