import { join } from 'node:path'
import type { Logger } from 'pino'
import { type Config, projectRoot } from '../config.js'
import { startEmbeddedPostgres } from './embedded-postgres.js'
import { startMailCatcher } from './mail-catcher.js'
import { freePort } from './free-port.js'
import { startTemporalDevServer } from './temporal-dev-server.js'

export interface LocalStackOptions {
  /** Throwaway data and free ports (tests), instead of `.data/` and the configured ports. */
  ephemeral: boolean
  /** Where an ephemeral stack keeps its data. */
  scratchDir?: string
  /** Allow the Temporal SDK to download its CLI when none is installed. */
  allowCliDownload: boolean
  /** An ephemeral stack with the Temporal Web UI too, on a free port (browser tests, screenshots). */
  ephemeralUi?: boolean
  /** The codec server the ephemeral stack's Web UI decodes payloads through. */
  codecEndpoint?: string
  /** Keep an ephemeral stack's Temporal in a SQLite file in its scratch dir, as `npm start` does, not in memory. */
  temporalOnDisk?: boolean
  /** The SQLite pragmas of a Temporal on disk; the dev server's durable defaults when omitted. */
  sqlitePragmas?: Readonly<Record<string, string>>
}

export interface LocalStack {
  databaseUrl: string
  temporalAddress: string
  /** Where notification mails go: SMTP_URL, or the mail catcher's; null on an ephemeral stack without SMTP_URL. */
  smtpUrl: string | null
  /** What runs where, for the start banner. */
  describe: { postgres: string; temporal: string; temporalUi: string | null; mail: string | null }
  stop(): Promise<void>
}

/**
 * Brings up what DATABASE_URL, TEMPORAL_ADDRESS and SMTP_URL do not point
 * at: embedded PostgreSQL, the Temporal dev server, and (not on an ephemeral
 * stack) the maildev mail catcher.
 */
export async function startLocalStack(config: Config, logger: Logger, options: LocalStackOptions): Promise<LocalStack> {
  const stops: Array<() => Promise<void>> = []
  const stop = async () => {
    for (const stopOne of stops.reverse()) await stopOne().catch((error: unknown) => logger.warn({ err: error }, 'stop failed'))
  }
  try {
    const dataDir = options.ephemeral && options.scratchDir ? options.scratchDir : config.dataDir
    let databaseUrl = config.database.url
    let postgres = 'DATABASE_URL'
    if (!databaseUrl) {
      const pg = await startEmbeddedPostgres({
        dataDir,
        port: options.ephemeral ? await freePort() : config.database.embeddedPort,
        database: 'orders',
        logger,
        ephemeral: options.ephemeral,
      })
      stops.push(pg.stop)
      databaseUrl = pg.url
      postgres = `embedded PostgreSQL, data in ${join(dataDir, 'postgres')}`
      logger.info({ url: databaseUrl.replace(/:[^:@/]+@/, ':***@') }, 'PostgreSQL ready')
    }

    let temporalAddress = config.temporal.address
    let temporal = 'TEMPORAL_ADDRESS'
    let temporalUi: string | null = null
    if (!temporalAddress) {
      const uiPort = options.ephemeral ? (options.ephemeralUi ? await freePort() : null) : config.temporal.uiPort
      // The UI decodes payloads through the codec server: npm start's own, or the one a test stack names.
      const codecEndpoint = options.ephemeral ? (options.codecEndpoint ?? null) : config.codecServer.url
      const server = await startTemporalDevServer({
        projectRoot,
        cliPath: config.temporal.cliPath,
        pathVariable: config.temporal.searchPath,
        namespace: config.temporal.namespace,
        dbFilename: !options.ephemeral || options.temporalOnDisk ? join(dataDir, 'temporal.db') : null,
        ...(options.sqlitePragmas ? { sqlitePragmas: options.sqlitePragmas } : {}),
        port: options.ephemeral ? null : config.temporal.devServerPort,
        uiPort,
        ...(codecEndpoint ? { codecEndpoint } : {}),
        allowDownload: options.allowCliDownload,
        logger,
      })
      stops.push(server.stop)
      temporalAddress = server.address
      temporal = `temporal server start-dev (${server.cli})`
      temporalUi = uiPort === null ? null : `http://localhost:${uiPort}`
      logger.info({ address: temporalAddress, ui: temporalUi }, 'Temporal dev server ready')
    }
    let smtpUrl = config.notifications.smtpUrl
    let mail: string | null = smtpUrl ? `SMTP_URL (${smtpUrl.replace(/\/\/[^@/]*@/, '//***@')})` : null
    if (!smtpUrl && !options.ephemeral) {
      const catcher = await startMailCatcher({
        ...config.notifications.mailCatcher,
        mailDirectory: join(dataDir, 'mail'),
        logger,
      })
      stops.push(catcher.stop)
      smtpUrl = catcher.smtpUrl
      mail = `${catcher.webUrl}   (maildev: every mail sent, SMTP at ${catcher.smtpUrl})`
    }
    return { databaseUrl, temporalAddress, smtpUrl, describe: { postgres, temporal, temporalUi, mail }, stop }
  } catch (error) {
    await stop()
    throw error
  }
}
