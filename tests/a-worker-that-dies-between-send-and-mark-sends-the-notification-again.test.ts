/**
 * At least once, never lost: the worker (a separate `npm run worker`
 * process) is killed the moment the SMTP server has received a mail, before
 * the worker can record it sent. Another worker sends the same notification
 * again (same Message-ID and notification id), and every notification of the
 * order is delivered and marked sent.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { once } from 'node:events'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { createSmtpMailer } from '../adapters/email/mailer.js'
import { recordOrderContact } from '../db/order-contacts.js'
import { listNotificationAttempts } from '../db/notification-deliveries.js'
import { notificationDispatcherId } from '../workers/notification-dispatcher-setup.js'
import { createProducts, startOrder, waitForOrder } from './support/fixtures.js'
import { type FreshDatabase, createFreshDatabase } from './support/fresh-database.js'
import { settled } from './support/patience.js'
import { type TestServices, connectServices, testPayloadKeysSetting } from './support/services.js'
import { type CaughtMail, type SmtpAnswer, type SmtpCatcher, startSmtpCatcher } from './support/smtp-catcher.js'

let database: FreshDatabase
let services: TestServices
let smtp: SmtpCatcher
let doomed: ChildProcess | null = null
let killedAfter: CaughtMail | null = null

/** Starts `npm run worker` (workers/main.ts) on this file's task queue, as its own process. */
function startWorkerProcess(taskQueue: string, smtpUrl: string): ChildProcess {
  const script = fileURLToPath(new URL('../workers/main.ts', import.meta.url))
  return spawn(process.execPath, ['--import', 'tsx', script], {
    env: {
      ...process.env,
      NODE_ENV: 'development',
      LOG_LEVEL: 'silent',
      DATA_DIR: mkdtempSync(join(tmpdir(), 'notify-worker-')),
      TEMPORAL_PAYLOAD_KEYS: testPayloadKeysSetting,
      DATABASE_URL: database.url,
      TEMPORAL_ADDRESS: inject('temporalAddress'),
      TEMPORAL_NAMESPACE: 'default',
      TEMPORAL_TASK_QUEUE: taskQueue,
      WORKFLOW_BUNDLE_PATH: inject('workflowBundlePath'),
      SMTP_URL: smtpUrl,
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  })
}

beforeAll(async () => {
  database = await createFreshDatabase()
  services = await connectServices({ databaseUrl: database.url })
  smtp = await startSmtpCatcher({
    // The first mail that arrives: the server has it, and its sender dies before it hears "250" or marks anything.
    async answer(mail): Promise<SmtpAnswer> {
      if (doomed && !killedAfter) {
        killedAfter = mail
        const exited = once(doomed, 'exit')
        doomed.kill('SIGKILL')
        await exited
      }
      return 'accept'
    },
  })
  doomed = startWorkerProcess(services.taskQueue, smtp.url)
})
afterAll(async () => {
  if (doomed && doomed.exitCode === null && doomed.signalCode === null) doomed.kill('SIGKILL')
  await services?.client.workflow
    .getHandle(notificationDispatcherId(services.taskQueue))
    .terminate('test over')
    .catch(() => undefined)
  await services?.close()
  await smtp?.close()
  await database?.drop()
})

describe('a worker killed between sending a mail and marking it sent', () => {
  it('leaves the mail to be sent again by another worker, and loses no notification', async () => {
    const [sku] = await createProducts(services.db, [{ onHand: 2, unitPrice: 2_500 }])
    const customerId = `cust_${randomUUID().slice(0, 8)}`
    const address = `crash+${randomUUID().slice(0, 6)}@example.com`
    const { orderId, handle } = await startOrder(services, {
      lines: [{ sku: sku!, quantity: 1 }],
      payment: { method: 'card', token: 'tok_visa' },
      customerId,
    })
    await recordOrderContact(services.db, orderId, { email: address, language: null })

    await expect.poll(() => killedAfter !== null && doomed?.signalCode === 'SIGKILL', settled).toBe(true)
    const first = killedAfter!
    console.log(`worker killed after the SMTP server received: ${first.subject} (${first.notificationId})`)

    await services.startWorker({ mailer: createSmtpMailer({ url: smtp.url, from: 'Shop <orders@shop.example>' }) })
    await waitForOrder(handle, (order) => order.status === 'CONFIRMED')
    const again = await smtp.waitFor((mail) => mail.notificationId === first.notificationId, 2)
    console.log(`received ${again.length} times: ${again.map((mail) => mail.messageId).join(', ')}`)
    expect(again.map((mail) => mail.messageId)).toEqual([first.messageId, first.messageId])
    expect(again.every((mail) => mail.to === address && mail.subject === first.subject)).toBe(true)

    // None lost: every outbox row of the order is delivered on every channel and marked sent.
    const outboxOf = () =>
      services.db
        .selectFrom('notification_outbox')
        .select(['id', 'kind', 'sent_at'])
        .where('order_id', '=', orderId)
        .orderBy('id')
        .execute()
    await expect
      .poll(async () => (await outboxOf()).map((row) => [row.kind, row.sent_at !== null]), settled)
      .toEqual([
        ['placed', true],
        ['confirmed', true],
      ])
    const mailed = smtp.mails.filter((mail) => mail.orderId === orderId).map((mail) => mail.notificationId)
    expect(new Set(mailed)).toEqual(new Set([`evt_${orderId}_placed_1`, `evt_${orderId}_confirmed_1`]))

    const killedRow = (await outboxOf()).find((row) => first.notificationId === `evt_${orderId}_${row.kind}_1`)!
    const attempts = (await listNotificationAttempts(services.db, killedRow.id)).filter((a) => a.channel === 'email')
    console.log(`email attempts of ${killedRow.kind}: ${attempts.map((a) => `#${a.attempt} ${a.outcome}`).join(', ')}`)
    expect(attempts.map((a) => [a.attempt, a.outcome])).toEqual([
      [1, 'started'], // cut short by the kill: it never finished
      [2, 'sent'],
    ])
  })
})
