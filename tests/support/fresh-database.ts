/**
 * A database of its own, migrated, in the run's PostgreSQL server: for tests
 * that count everything in a table (metrics) and so cannot share one with
 * files running at the same time.
 */
import { randomUUID } from 'node:crypto'
import pg from 'pg'
import { inject } from 'vitest'
import { createDatabase } from '../../db/connection.js'
import { migrateToLatest } from '../../db/migrate.js'

export interface FreshDatabase {
  url: string
  drop(): Promise<void>
}

async function onServer(statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: inject('databaseUrl') })
  await client.connect()
  try {
    await client.query(statement)
  } finally {
    await client.end()
  }
}

export async function createFreshDatabase(): Promise<FreshDatabase> {
  const name = `test_${randomUUID().replaceAll('-', '')}`
  await onServer(`create database ${name}`)
  const url = new URL(inject('databaseUrl'))
  url.pathname = `/${name}`
  const db = createDatabase({ connectionString: url.href, maxConnections: 1 })
  try {
    await migrateToLatest(db)
  } finally {
    await db.destroy()
  }
  return { url: url.href, drop: () => onServer(`drop database if exists ${name} with (force)`) }
}
