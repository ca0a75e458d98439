/**
 * An order placed through the real API leaves no readable customer data in Temporal: every payload of its
 * history is sealed with the newest payload key, searched byte by byte with a connection that has no codec.
 * The codec server opens it for a caller holding its token (bearer or browser session) from the Web UI's
 * origin only; the `temporal` CLI shows it decoded through the codec server; after a key rotation the old
 * history still opens, replays, and new payloads are sealed with the new key.
 */
import { execFile } from 'node:child_process'
import { randomBytes, randomUUID } from 'node:crypto'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { Connection } from '@temporalio/client'
import type { Payload } from '@temporalio/common'
import proto from '@temporalio/proto'
import { Worker } from '@temporalio/worker'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { type RunningServer, serveApp } from '../api/serve.js'
import { sendCancellation } from '../commerce/order-updates.js'
import { projectRoot } from '../config.js'
import { findTemporalCli } from '../dev/temporal-cli.js'
import { connectTemporal, connectionOptions } from '../temporal/client.js'
import { createCodecServer } from '../temporal/codec-server.js'
import { orderEngineDataConverter } from '../temporal/data-converter.js'
import { type PayloadKey, PayloadEncryptionCodec } from '../temporal/payload-encryption.js'
import { writeRunningStack } from '../temporal/running-stack.js'
import { orderWorkflowId, statusQuery } from '../workflows/messages.js'
import { createProducts } from './support/fixtures.js'
import { type HttpStack, startHttpStack, waitForHttpOrder } from './support/http-stack.js'
import { logger, testPayloadKeys, testTemporal } from './support/services.js'

type History = proto.temporal.api.history.v1.IHistory
const { History: HistoryMessage } = proto.temporal.api.history.v1
const run = promisify(execFile)

const uiOrigin = 'http://localhost:8233'
const codecToken = randomBytes(32).toString('base64url')
const suffix = randomUUID().slice(0, 6)
// What must never be readable in Temporal: the customer's name and address, and the payment token.
const shippingAddress = {
  name: `Ottilie Quensel ${suffix}`,
  line1: `77 Zebrastraat ${suffix}`,
  city: 'Gent',
  postalCode: '9000',
  country: 'BE',
}
const paymentToken = 'tok_visa'
const secrets = [shippingAddress.name, shippingAddress.line1, paymentToken]

let stack: HttpStack
let raw: Connection
let codecServer: RunningServer
let codecUrl: string
let customer: string
let orderId: string

beforeAll(async () => {
  stack = await startHttpStack()
  // A connection with no data converter at all: what Temporal (or anyone reading its database) sees.
  raw = await Connection.connect(connectionOptions(testTemporal()))
  codecServer = await serveApp(
    createCodecServer({
      codec: new PayloadEncryptionCodec(testPayloadKeys),
      token: codecToken,
      allowedOrigins: [uiOrigin],
      namespace: 'default',
      logger,
    }),
    { host: '127.0.0.1', port: 0 },
  )
  codecUrl = `http://127.0.0.1:${codecServer.port}`
  customer = await stack.token('customer', `cust_${suffix}`)
  const [sku] = await createProducts(stack.services.db, [{ onHand: 3, unitPrice: 1_999 }])
  const placed = await stack.call('POST', '/v1/orders', {
    token: customer,
    headers: { 'Idempotency-Key': randomUUID() },
    body: { lines: [{ sku, quantity: 1 }], paymentMethod: 'card', paymentToken, shippingAddress },
  })
  expect(placed.status).toBe(201)
  orderId = placed.body.id
  await waitForHttpOrder(stack, customer, orderId, (order) => order.shipment !== null)
})
afterAll(async () => {
  await codecServer?.close()
  await raw?.close()
  await stack?.close()
})

async function rawHistory(workflowId: string): Promise<History> {
  const events: proto.temporal.api.history.v1.IHistoryEvent[] = []
  let nextPageToken: Uint8Array | undefined
  do {
    const page = await raw.workflowService.getWorkflowExecutionHistory({
      namespace: 'default',
      execution: { workflowId },
      ...(nextPageToken ? { nextPageToken } : {}),
    })
    events.push(...(page.history?.events ?? []))
    nextPageToken = page.nextPageToken?.length ? page.nextPageToken : undefined
  } while (nextPageToken)
  return { events }
}

/** Every payload in a protobuf message but its search attributes (inputs, results, markers, memo, user metadata, failures). */
function payloadsIn(message: unknown, found: Payload[] = []): Payload[] {
  if (Array.isArray(message)) for (const item of message) payloadsIn(item, found)
  else if (message && typeof message === 'object' && !(message instanceof Uint8Array)) {
    const candidate = message as { metadata?: Record<string, Uint8Array>; data?: Uint8Array }
    if (candidate.metadata && typeof candidate.metadata === 'object' && candidate.metadata['encoding']) found.push(candidate)
    for (const [key, value] of Object.entries(message)) {
      // Search attributes are no payloads a codec sees (Temporal indexes them): checked on their own below.
      if (key !== 'searchAttributes') payloadsIn(value, found)
    }
  }
  return found
}

const text = (bytes: Uint8Array | null | undefined) => Buffer.from(bytes ?? []).toString('utf8')
const asJson = (payload: Payload) => ({
  metadata: Object.fromEntries(Object.entries(payload.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
  data: Buffer.from(payload.data ?? []).toString('base64'),
})

function decode(payloads: Payload[], headers: Record<string, string>) {
  return fetch(`${codecUrl}/decode`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-Namespace': 'default', ...headers },
    body: JSON.stringify({ payloads: payloads.map(asJson) }),
  })
}

function startInput(history: History): Payload[] {
  return (history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads ?? []) as Payload[]
}

describe('an order placed through the API', () => {
  it('leaves no clear name, address or payment token anywhere in its Temporal history', async () => {
    const history = await rawHistory(orderWorkflowId(orderId))
    const bytes = Buffer.from(HistoryMessage.encode(HistoryMessage.fromObject(history)).finish())
    const payloads = payloadsIn(history)
    const encodings = payloads.map((payload) => text(payload.metadata?.['encoding']))
    const keyIds = new Set(payloads.map((payload) => text(payload.metadata?.['encryption-key-id'])))
    console.log(
      `history of ${history.events?.length} events, ${bytes.length} bytes: ${payloads.length} payloads, encodings ${[...new Set(encodings)].join(', ')}, key ids ${[...keyIds].join(', ')}`,
    )

    expect(payloads.length).toBeGreaterThan(10)
    // Every payload but what core writes itself is sealed: patch markers (a patch id) and the facts of a local
    // activity's marker (its sequence number, attempt, id, type and times; its result is sealed like any payload),
    // and the trace context in headers.
    const clear = payloads.filter((payload) => text(payload.metadata?.['encoding']) !== 'binary/encrypted')
    const localActivityFacts = new Set([
      'seq',
      'attempt',
      'activity_id',
      'activity_type',
      'complete_time',
      'backoff',
      'original_schedule_time',
    ])
    const traceContext = new Set(['traceparent', 'tracestate', 'baggage'])
    for (const payload of clear) {
      const written = text(payload.data)
      if (/^\{"id":"[a-z0-9-]+","deprecated":(true|false)\}$/.test(written)) continue
      const facts = JSON.parse(written) as Record<string, unknown>
      // Headers are not payloads the codec sees: the trace context (trace and span ids, the request id).
      if (Object.keys(facts).every((key) => traceContext.has(key))) continue
      expect(
        Object.keys(facts).filter((key) => !localActivityFacts.has(key)),
        written,
      ).toEqual([])
    }
    expect(keyIds).toEqual(new Set(['test-2026-12', ...(clear.length > 0 ? [''] : [])]))
    for (const secret of secrets) {
      expect(bytes.includes(Buffer.from(secret)), `"${secret}" in the raw history`).toBe(false)
      expect(JSON.stringify(history).includes(secret)).toBe(false)
    }

    // The search attributes stay readable (Temporal indexes them): they name the customer's id, never the person.
    const searchAttributes = JSON.stringify(
      history.events?.map((event) => [
        event.workflowExecutionStartedEventAttributes?.searchAttributes,
        event.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes,
      ]),
    )
    for (const secret of secrets) expect(searchAttributes).not.toContain(Buffer.from(secret).toString('base64'))
    const visibility = await raw.workflowService.describeWorkflowExecution({
      namespace: 'default',
      execution: { workflowId: orderWorkflowId(orderId) },
    })
    const indexed = Object.fromEntries(
      Object.entries(visibility.workflowExecutionInfo?.searchAttributes?.indexedFields ?? {}).map(([k, v]) => [k, text(v.data)]),
    )
    console.log('search attributes as Temporal holds them:', JSON.stringify(indexed))
    expect(Object.keys(indexed).sort()).toEqual(expect.arrayContaining(['CustomerId', 'OrderStatus', 'PaymentMethod']))
    for (const secret of secrets) expect(JSON.stringify(indexed)).not.toContain(secret)
  })

  it("seals the workflow's current details, and summaries and details set at start, like every payload", async () => {
    // The Web UI reads current details through this query: its answer goes through the worker's codec.
    const metadata = await raw.workflowService.queryWorkflow({
      namespace: 'default',
      execution: { workflowId: orderWorkflowId(orderId) },
      query: { queryType: '__temporal_workflow_metadata' },
    })
    const [answer] = (metadata.queryResult?.payloads ?? []) as Payload[]
    expect(text(answer?.metadata?.['encoding'])).toBe('binary/encrypted')
    const [opened] = await new PayloadEncryptionCodec(testPayloadKeys).decode([answer!])
    expect(text(opened?.data)).toContain('**CONFIRMED**')

    // A static summary and details (the Web UI's User Metadata): a workflow nobody runs, started only to read them back.
    const workflowId = `summary-${randomUUID()}`
    const handle = await stack.services.client.workflow.start('summaryOnly', {
      taskQueue: `nobody-${randomUUID()}`,
      workflowId,
      staticSummary: `Order for ${shippingAddress.name}`,
      staticDetails: `Ships to ${shippingAddress.line1}`,
    })
    try {
      const described = await raw.workflowService.describeWorkflowExecution({ namespace: 'default', execution: { workflowId } })
      const userMetadata = described.executionConfig?.userMetadata
      expect(text(userMetadata?.summary?.metadata?.['encoding'])).toBe('binary/encrypted')
      expect(text(userMetadata?.details?.metadata?.['encoding'])).toBe('binary/encrypted')
      const bytes = Buffer.from(HistoryMessage.encode(HistoryMessage.fromObject(await rawHistory(workflowId))).finish())
      expect(bytes.includes(Buffer.from(shippingAddress.name))).toBe(false)
      expect(bytes.includes(Buffer.from(shippingAddress.line1))).toBe(false)
      // The engine's own client opens them.
      expect(await (await handle.describe()).staticSummary()).toBe(`Order for ${shippingAddress.name}`)
    } finally {
      await handle.terminate('only started to read its summary back')
    }
  })
})

describe('the codec server', () => {
  it("decodes the order's input for a caller with its token, from the Web UI's origin", async () => {
    const input = startInput(await rawHistory(orderWorkflowId(orderId)))
    const answer = await decode(input, { Authorization: `Bearer ${codecToken}`, Origin: uiOrigin })
    expect(answer.status).toBe(200)
    expect(answer.headers.get('access-control-allow-origin')).toBe(uiOrigin)
    expect(answer.headers.get('access-control-allow-credentials')).toBe('true')
    const body = (await answer.json()) as { payloads: Array<{ metadata: Record<string, string>; data: string }> }
    const decoded = Buffer.from(body.payloads[0]!.data, 'base64').toString('utf8')
    const sealed = asJson(input[0]!)
    console.log(
      `input as Temporal holds it: ${JSON.stringify({ metadata: sealed.metadata, data: `${sealed.data.slice(0, 48)}…` })}`,
    )
    console.log(`decoded input (${body.payloads.length} payload): ${decoded.slice(0, 400)}…`)
    expect(Buffer.from(body.payloads[0]!.metadata['encoding']!, 'base64').toString()).toBe('json/plain')
    expect(JSON.parse(decoded)).toMatchObject({ orderId, shippingAddress, payment: { token: paymentToken } })

    const preflight = await fetch(`${codecUrl}/decode`, {
      method: 'OPTIONS',
      headers: { Origin: uiOrigin, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'x-namespace' },
    })
    expect(preflight.status).toBe(204)
    expect(preflight.headers.get('access-control-allow-headers')).toContain('X-Namespace')
  })

  it('refuses a caller without the token, with a wrong one, or from a foreign origin', async () => {
    const input = startInput(await rawHistory(orderWorkflowId(orderId)))
    const refusals = {
      'no token': await decode(input, {}),
      'a wrong token': await decode(input, { Authorization: `Bearer ${codecToken.slice(0, -2)}xx` }),
      'a foreign origin': await decode(input, { Authorization: `Bearer ${codecToken}`, Origin: 'https://evil.example' }),
      'another namespace': await decode(input, { Authorization: `Bearer ${codecToken}`, 'X-Namespace': 'other' }),
    }
    const statuses = Object.fromEntries(Object.entries(refusals).map(([why, answer]) => [why, answer.status]))
    console.log('refusals:', JSON.stringify(statuses))
    expect(statuses).toEqual({ 'no token': 401, 'a wrong token': 401, 'a foreign origin': 403, 'another namespace': 403 })
    for (const answer of Object.values(refusals)) {
      expect(answer.headers.get('access-control-allow-origin')).toBeNull()
      const body = await answer.text()
      for (const secret of secrets) expect(body).not.toContain(secret)
    }
    const foreignPreflight = await fetch(`${codecUrl}/decode`, {
      method: 'OPTIONS',
      headers: { Origin: 'https://evil.example', 'Access-Control-Request-Method': 'POST' },
    })
    expect(foreignPreflight.status).toBe(403)
    expect(foreignPreflight.headers.get('access-control-allow-origin')).toBeNull()
  })

  it('decodes for a browser signed in with the token (the Web UI with "Include cross-origin credentials")', async () => {
    const wrong = await fetch(`${codecUrl}/session`, { method: 'POST', body: new URLSearchParams({ token: 'not-it' }) })
    expect(wrong.status).toBe(401)
    expect(wrong.headers.get('set-cookie')).toBeNull()

    const signIn = await fetch(`${codecUrl}/session`, { method: 'POST', body: new URLSearchParams({ token: codecToken }) })
    expect(signIn.status).toBe(200)
    const cookie = signIn.headers.get('set-cookie') ?? ''
    expect(cookie).toMatch(/^codec_session=[^;]+;.*HttpOnly/)
    expect(cookie).toContain('SameSite=Strict')
    expect(cookie).not.toContain(codecToken)

    const input = startInput(await rawHistory(orderWorkflowId(orderId)))
    const answer = await decode(input, { Cookie: cookie.split(';')[0]!, Origin: uiOrigin })
    expect(answer.status).toBe(200)
    expect(JSON.stringify(await answer.json())).not.toContain(shippingAddress.name) // base64, decoded below
    expect((await decode(input, { Cookie: 'codec_session=forged', Origin: uiOrigin })).status).toBe(401)
  })
})

describe('the temporal CLI', () => {
  async function temporalCli(args: string[], env: Record<string, string> = {}) {
    const cli = findTemporalCli({
      configuredPath: null,
      projectRoot,
      pathVariable: process.env['PATH'] ?? null,
      logger,
      install: false,
    })
    if (!cli) throw new Error('no temporal CLI (npm install puts one in .tools/)')
    const clean = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('TEMPORAL_')))
    const { stdout } = await run(cli.path, args, { env: { ...clean, ...env }, maxBuffer: 16 * 1024 * 1024 })
    return stdout
  }

  /** The order's input as `temporal workflow show --output json` printed it: its encoding, and its value when JSON. */
  function inputShownBy(stdout: string): { encoding: string; value: unknown } {
    const shown = JSON.parse(stdout) as {
      events: Array<{
        workflowExecutionStartedEventAttributes?: { input: { payloads: Array<{ metadata: { encoding: string }; data: string }> } }
      }>
    }
    const [payload] = shown.events[0]!.workflowExecutionStartedEventAttributes!.input.payloads
    const encoding = Buffer.from(payload!.metadata.encoding, 'base64').toString()
    const data = Buffer.from(payload!.data, 'base64').toString()
    return { encoding, value: encoding === 'json/plain' ? JSON.parse(data) : data.length }
  }

  it('shows the decoded input through the codec server, and only ciphertext without it', async () => {
    const show = ['workflow', 'show', '--workflow-id', orderWorkflowId(orderId), '--output', 'json']
    const connection = ['--address', inject('temporalAddress'), '--namespace', 'default']
    const sealed = await temporalCli([...show, ...connection])
    const decoded = await temporalCli([
      ...show,
      ...connection,
      '--codec-endpoint',
      codecUrl,
      '--codec-auth',
      `Bearer ${codecToken}`,
    ])
    const sealedData = [...sealed.matchAll(/"data": "([A-Za-z0-9+/=]*)"/g)].map((m) => Buffer.from(m[1]!, 'base64').toString())
    console.log(
      `temporal workflow show: ${sealedData.length} payloads without the codec, input ${JSON.stringify(inputShownBy(decoded)).slice(0, 120)}… with it`,
    )
    for (const secret of secrets) expect(sealedData.join('\n')).not.toContain(secret)
    expect(inputShownBy(sealed).encoding).toBe('binary/encrypted')
    expect(inputShownBy(decoded)).toMatchObject({
      encoding: 'json/plain',
      value: { orderId, shippingAddress, payment: { token: paymentToken } },
    })
  })

  it('finds the stack and the codec server in the profile npm start writes (TEMPORAL_CONFIG_FILE)', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'running-stack-'))
    writeRunningStack(
      dataDir,
      { address: inject('temporalAddress'), namespace: 'default', uiUrl: null, codecEndpoint: codecUrl },
      `Bearer ${codecToken}`,
    )
    const shown = await temporalCli(['workflow', 'show', '--workflow-id', orderWorkflowId(orderId), '--output', 'json'], {
      TEMPORAL_CONFIG_FILE: join(dataDir, 'temporal.toml'),
    })
    expect(inputShownBy(shown)).toMatchObject({ encoding: 'json/plain', value: { orderId, shippingAddress } })
  })
})

describe('a payload key rotation', () => {
  it('keeps the order sealed under the old key readable, and seals what follows with the new key', async () => {
    const [oldKey] = testPayloadKeys
    const newKey: PayloadKey = { id: 'test-rotated', key: randomBytes(32) }
    const rotated = [oldKey!, newKey]

    // Every process takes the new key list: the worker first (it replays the order, sealed under the old key) ...
    await stack.worker.stop()
    await stack.services.startWorker({ payloadKeys: rotated })
    const { connection, client } = await connectTemporal({ ...testTemporal(), payloadKeys: rotated })
    try {
      const handle = client.workflow.getHandle(orderWorkflowId(orderId))
      expect(await handle.query(statusQuery)).toMatchObject({ orderId, status: 'CONFIRMED', shippingAddress })
      // ... and what the order writes next is sealed with the new one.
      await sendCancellation(client, orderId, { actor: { type: 'customer', id: `cust_${suffix}` }, note: null, requestKey: null })
      expect(await handle.result()).toMatchObject({ status: 'CANCELLED', cancellation: { reason: 'customer_request' } })
    } finally {
      await connection.close()
    }

    const history = await rawHistory(orderWorkflowId(orderId))
    const keyIds = payloadsIn(history).map((payload) => text(payload.metadata?.['encryption-key-id']))
    const counts = { old: keyIds.filter((id) => id === oldKey!.id).length, new: keyIds.filter((id) => id === newKey.id).length }
    console.log(`after rotation: ${counts.old} payloads under ${oldKey!.id}, ${counts.new} under ${newKey.id}`)
    expect(counts.old).toBeGreaterThan(0)
    expect(counts.new).toBeGreaterThan(0)

    // The old input opens through a codec server holding both keys, and not through one holding only the new key.
    const input = startInput(history)
    const [opened] = await new PayloadEncryptionCodec(rotated).decode(input)
    expect(JSON.parse(text(opened?.data))).toMatchObject({ orderId, shippingAddress })
    await expect(new PayloadEncryptionCodec([newKey]).decode(input)).rejects.toThrow(/sealed with key test-2026-12/)

    // And the whole history, under both keys, replays on today's workflow code.
    await Worker.runReplayHistory(
      { workflowBundle: { codePath: inject('workflowBundlePath') }, dataConverter: orderEngineDataConverter(rotated) },
      HistoryMessage.fromObject(history),
      orderWorkflowId(orderId),
    )
  })
})
