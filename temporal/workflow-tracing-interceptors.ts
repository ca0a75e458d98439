/**
 * The workflow's side of tracing, bundled into the workflow code (`workflowInterceptorModules`): the same spans as
 * `@temporalio/interceptors-opentelemetry`'s workflow interceptors (`RunWorkflow:<type>` under the client's
 * `StartWorkflow:<type>`, `StartActivity:<type>` under it, `HandleSignal:<name>`, `HandleUpdate:<name>`), the same
 * `_tracer-data` header for the activity's `RunActivity` span to continue, and the same `exporter` sink, which is
 * never called on replay and adds no command to the history.
 *
 * Without OpenTelemetry inside the sandbox: the reusable V8 context evaluates every module of the workflow bundle once
 * per workflow, so OpenTelemetry's API, core and SDK cost each cached workflow their module state, a tracer provider
 * and an `AsyncLocalStorage`, which Node then copies onto every promise of the process. Measured in
 * `bench/figures/worker-memory.ts`: about 950 KiB of the 1,470 KiB a parked order cost a worker.
 *
 * Spans the workflow starts outside a handler (activities, child workflows, signals it sends, continue-as-new) are
 * children of `RunWorkflow`; those a handler starts are too (no context follows the handler's promises).
 * Imports only `@temporalio/workflow`.
 */
import {
  ApplicationFailure,
  ContinueAsNew,
  type Headers,
  type Next,
  type Sinks,
  type WorkflowInboundCallsInterceptor,
  type WorkflowInterceptors,
  type WorkflowOutboundCallsInterceptor,
  defaultPayloadConverter,
  proxySinks,
  workflowInfo,
} from '@temporalio/workflow'

/** The header Temporal's OpenTelemetry interceptors carry the W3C context in. */
const traceHeader = '_tracer-data'
const internalKind = 0
const statusOk = 1
const statusError = 2

interface SpanContext {
  traceId: string
  spanId: string
  traceFlags: number
  traceState?: string
}

/** A W3C trace context as the propagator writes it, with the baggage the client sent. */
interface Carrier {
  traceparent?: string
  tracestate?: string
  baggage?: string
}

/** The span as `makeWorkflowExporter`'s sink takes it (`SerializableSpan`). */
interface ExportedSpan {
  name: string
  kind: number
  spanContext: SpanContext & { isRemote?: boolean }
  parentSpanId?: string
  startTime: [number, number]
  endTime: [number, number]
  status: { code: number; message?: string }
  attributes: Record<string, string>
  links: []
  events: []
  duration: [number, number]
  ended: true
  droppedAttributesCount: 0
  droppedEventsCount: 0
  droppedLinksCount: 0
  instrumentationLibrary: { name: string }
}

interface TracingSinks extends Sinks {
  exporter: { export(spans: ExportedSpan[]): void }
}

const { exporter } = proxySinks<TracingSinks>()

/** Hex digits from the workflow's seeded `Math.random`, as OpenTelemetry's `RandomIdGenerator` draws them. */
function randomHex(digits: number): string {
  let hex = ''
  for (let i = 0; i < digits; i++) hex += Math.floor(Math.random() * 16).toString(16)
  return hex
}

function hrTime(ms: number): [number, number] {
  return [Math.floor(ms / 1000), Math.round((ms % 1000) * 1e6)]
}

/** The parent a message's headers name, with the baggage and trace state to pass on. */
function parentFromHeaders(headers: Headers): { parent: SpanContext | null; carrier: Carrier } {
  const payload = headers[traceHeader]
  if (!payload) return { parent: null, carrier: {} }
  const carrier = defaultPayloadConverter.fromPayload<Carrier>(payload)
  const match = /^[\da-f]{2}-([\da-f]{32})-([\da-f]{16})-([\da-f]{2})$/.exec(carrier.traceparent ?? '')
  if (!match) return { parent: null, carrier }
  const [, traceId = '', spanId = '', flags = '01'] = match
  return {
    parent: {
      traceId,
      spanId,
      traceFlags: parseInt(flags, 16),
      ...(carrier.tracestate ? { traceState: carrier.tracestate } : {}),
    },
    carrier,
  }
}

class WorkflowSpan {
  readonly context: SpanContext
  private readonly startMs = Date.now()

  constructor(
    readonly name: string,
    private readonly parent: SpanContext | null,
    /** What goes on in the headers of the calls this span makes: the baggage, the trace state. */
    readonly carrier: Carrier,
    private readonly attributes: Record<string, string> = {},
  ) {
    // Drawn in the order OpenTelemetry's tracer draws them (span id, then a trace id for a root), so a workflow that
    // also draws from `Math.random` sees the numbers it saw under OpenTelemetry's interceptors.
    const spanId = randomHex(16)
    const traceId = parent?.traceId ?? randomHex(32)
    this.context = {
      traceId,
      spanId,
      traceFlags: parent?.traceFlags ?? 1,
      ...(parent?.traceState ? { traceState: parent.traceState } : {}),
    }
  }

  /** `headers` with this span as the parent of what they start. */
  headers(headers: Headers): Headers {
    const flags = this.context.traceFlags.toString(16).padStart(2, '0')
    const carrier: Carrier = { ...this.carrier, traceparent: `00-${this.context.traceId}-${this.context.spanId}-${flags}` }
    return { ...headers, [traceHeader]: defaultPayloadConverter.toPayload(carrier) }
  }

  end(error?: unknown): void {
    const endMs = Date.now()
    let status: ExportedSpan['status'] = { code: statusOk }
    if (error !== undefined && !(error instanceof ContinueAsNew)) {
      const benign = error instanceof ApplicationFailure && error.category === 'BENIGN'
      status = { code: benign ? 0 : statusError, message: error instanceof Error ? error.message : String(error) }
    }
    exporter.export([
      {
        name: this.name,
        kind: internalKind,
        spanContext: this.context,
        ...(this.parent ? { parentSpanId: this.parent.spanId } : {}),
        startTime: hrTime(this.startMs),
        endTime: hrTime(endMs),
        status,
        attributes: this.attributes,
        links: [],
        events: [],
        duration: hrTime(endMs - this.startMs),
        ended: true,
        droppedAttributesCount: 0,
        droppedEventsCount: 0,
        droppedLinksCount: 0,
        instrumentationLibrary: { name: '@temporalio/interceptor-workflow' },
      },
    ])
  }

  async around<T>(run: (span: WorkflowSpan) => Promise<T>): Promise<T> {
    try {
      const result = await run(this)
      this.end()
      return result
    } catch (error) {
      this.end(error)
      throw error
    }
  }
}

/** This run's `RunWorkflow` span: the parent of what the workflow starts. The module is this workflow's own. */
let runSpan: WorkflowSpan | null = null

function spanFromHeaders(name: string, headers: Headers, attributes?: Record<string, string>): WorkflowSpan {
  const { parent, carrier } = parentFromHeaders(headers)
  return new WorkflowSpan(name, parent, carrier, attributes)
}

/** A span under `RunWorkflow` around an outbound call, its context in the call's headers. */
function outbound<I extends { headers: Headers }, O>(name: string, input: I, next: (input: I) => Promise<O>): Promise<O> {
  const span = new WorkflowSpan(name, runSpan?.context ?? null, runSpan?.carrier ?? {})
  return span.around((started) => next({ ...input, headers: started.headers(input.headers) }))
}

const inbound: WorkflowInboundCallsInterceptor = {
  execute(input, next) {
    runSpan = spanFromHeaders(`RunWorkflow:${workflowInfo().workflowType}`, input.headers)
    return runSpan.around(() => next(input))
  },
  handleSignal(input, next) {
    return spanFromHeaders(`HandleSignal:${input.signalName}`, input.headers).around(() => next(input))
  },
  handleUpdate(input, next) {
    return spanFromHeaders(`HandleUpdate:${input.name}`, input.headers, { temporalUpdateId: input.updateId }).around(() =>
      next(input),
    )
  },
}

const outboundCalls: WorkflowOutboundCallsInterceptor = {
  scheduleActivity: (input, next) => outbound(`StartActivity:${input.activityType}`, input, next),
  scheduleLocalActivity: (input, next) => outbound(`StartActivity:${input.activityType}`, input, next),
  startChildWorkflowExecution: (input, next: Next<WorkflowOutboundCallsInterceptor, 'startChildWorkflowExecution'>) =>
    outbound(`StartChildWorkflow:${input.workflowType}`, input, next),
  signalWorkflow: (input, next) => outbound(`SignalWorkflow:${input.signalName}`, input, next),
  continueAsNew: (input, next) => outbound(`ContinueAsNew:${input.options.workflowType}`, input, next),
}

/** What `workflowInterceptorModules` loads. */
export const interceptors = (): WorkflowInterceptors => ({ inbound: [inbound], outbound: [outboundCalls] })
