import { ApplicationFailure } from '@temporalio/common'
import { sql } from 'kysely'
import { afterAll, describe, expect, inject, it } from 'vitest'
import { failingForGoodAtOnce, failsForGood } from '../activities/failure-classification.js'
import { createDatabase } from '../db/connection.js'
import { freePort } from '../dev/free-port.js'
import { logger } from './support/services.js'

const db = createDatabase({ connectionString: inject('databaseUrl'), maxConnections: 2 })
afterAll(() => db.destroy())

/** The error real Postgres answers `statement` with. */
async function errorOf(statement: Promise<unknown>): Promise<unknown> {
  return statement.then(
    () => expect.unreachable('Postgres accepted it'),
    (error: unknown) => error,
  )
}

describe('an activity failure', () => {
  it('is for good when Postgres refuses the data itself or an unexpected constraint', async () => {
    const refusals = {
      '22P05': errorOf(sql`select ${'{"name":"Ada\\u0000Lovelace"}'}::jsonb`.execute(db)),
      '22P02': errorOf(sql`select ${'{"city":"Lon\\ud800don"}'}::jsonb`.execute(db)),
      '22021': errorOf(sql`select ${'Ada\u0000Lovelace'}::text`.execute(db)),
    }
    for (const code of ['22P05', '22P02', '22021'] as const) {
      const error = await refusals[code]
      expect(error, code).toMatchObject({ code })
      expect(failsForGood(error), code).toBe(true)
    }
    const unexpected = await errorOf(sql`insert into order_timeline (order_id) values (null)`.execute(db))
    expect(unexpected).toMatchObject({ code: '23502' })
    expect(failsForGood(unexpected)).toBe(true)
  })

  it('is retried when Postgres is unreachable, or for anything else', async () => {
    const closed = createDatabase({
      connectionString: `postgres://postgres@127.0.0.1:${await freePort()}/none`,
      maxConnections: 1,
    })
    try {
      const unreachable = await errorOf(sql`select 1`.execute(closed))
      expect(failsForGood(unreachable)).toBe(false)
    } finally {
      await closed.destroy()
    }
    expect(failsForGood(new Error('ECONNRESET'))).toBe(false)
    expect(failsForGood(Object.assign(new Error('looks like one'), { code: '22P05' }))).toBe(false)
  })

  it('for good becomes a non-retryable ProcessingFailed naming the step; others pass through untouched', async () => {
    const activities = failingForGoodAtOnce(
      {
        async recordSomething(_input: { orderId: string }) {
          await sql`select ${'\u0000'}::text`.execute(db)
        },
        async flaky(_input: { orderId: string }) {
          throw new Error('connection reset')
        },
      },
      logger,
    )
    const failure = await errorOf(activities.recordSomething({ orderId: 'o-1' }))
    expect(failure).toBeInstanceOf(ApplicationFailure)
    expect(failure).toMatchObject({ type: 'ProcessingFailed', nonRetryable: true, details: ['recordSomething', '22021'] })
    await expect(activities.flaky({ orderId: 'o-1' })).rejects.toThrow('connection reset')
    await expect(activities.flaky({ orderId: 'o-1' })).rejects.not.toBeInstanceOf(ApplicationFailure)
  })
})
