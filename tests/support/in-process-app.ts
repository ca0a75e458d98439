/**
 * The real app, in-process (`app.request()`, no port), on the run's shared
 * PostgreSQL and a lazy Temporal connection: for tests of what the API does
 * before or around its handlers (auth, limits, headers, metrics, docs).
 */
import { randomUUID } from 'node:crypto'
import { inject } from 'vitest'
import type { AppDeps } from '../../api/app-deps.js'
import { createApp } from '../../api/app.js'
import { type Role, signAccessToken } from '../../api/auth.js'
import { createDatabase } from '../../db/connection.js'
import { createOrderChangeFeed } from '../../db/order-change-feed.js'
import { lazyTemporalClient } from '../../temporal/client.js'
import { jwtSecret } from './http-stack.js'
import { logger, testTemporal } from './services.js'

export interface InProcessApp {
  app: ReturnType<typeof createApp>
  deps: AppDeps
  /** A valid embedded token (HS256, default issuer and audience, 1 h). */
  token(role: Role, subject?: string): Promise<string>
  close(): Promise<void>
}

export function inProcessApp(overrides: Partial<AppDeps> = {}): InProcessApp {
  const db = createDatabase({ connectionString: inject('databaseUrl'), maxConnections: 5 })
  const { connection, client: temporal } = lazyTemporalClient(testTemporal())
  const orderChanges = createOrderChangeFeed({
    connectionString: inject('databaseUrl'),
    logger,
    applicationName: 'in-process-app',
  })
  const deps: AppDeps = {
    orderChanges,
    db,
    temporal,
    taskQueue: `test-${randomUUID()}`,
    logger,
    jwtSecret,
    carrierWebhookSecret: 'test-carrier-secret-0123',
    storeCurrency: 'USD',
    codConfirmationTimeoutMs: 60_000,
    ...overrides,
  }
  return {
    app: createApp(deps),
    deps,
    token: (role, subject = `${role}_${randomUUID().slice(0, 8)}`) =>
      signAccessToken(jwtSecret, { role, subject, expiresIn: 3_600 }),
    async close() {
      await orderChanges.close()
      await connection.close()
      await db.destroy()
    },
  }
}
