import { TestWorkflowEnvironment } from '@temporalio/testing'
import type { Logger } from 'pino'
import { orderSearchAttributes } from '../workflows/search-attributes.js'
import { findTemporalCli, noTemporalCliHelp } from './temporal-cli.js'

export interface TemporalDevServerProps {
  projectRoot: string
  cliPath: string | null
  pathVariable: string | null
  namespace: string
  /** Persist workflows to this SQLite file; in memory when null (tests). */
  dbFilename: string | null
  /** gRPC port; a free one when null. */
  port: number | null
  /** Web UI port; no UI when null. */
  uiPort: number | null
  /** The codec server the Web UI decodes payloads through (`--ui-codec-endpoint`); none when left out. */
  codecEndpoint?: string
  /** Allow the SDK to download the CLI when none is installed (needs open internet). */
  allowDownload: boolean
  /** SQLite pragmas of a persisted server (`--sqlite-pragma name=value`); {@link durableSqlitePragmas} when omitted. */
  sqlitePragmas?: Readonly<Record<string, string>>
  logger: Logger
}

export interface RunningTemporal {
  address: string
  cli: string
  stop(): Promise<void>
}

/**
 * The SQLite pragmas of a dev server that persists to a file (`npm start`):
 * a write-ahead log, synced at every commit. Measured with
 * `npm run bench -- --only "sqlite pragmas"`: 2.6–4.7× the CLI's defaults
 * (rollback journal, `synchronous=FULL`) and within noise of
 * `synchronous=NORMAL`, which would survive a crash of the process but not a
 * power loss (its last commits before a checkpoint are lost then). With FULL,
 * a commit the server answered survives both.
 */
export const durableSqlitePragmas: Readonly<Record<string, string>> = { journal_mode: 'wal', synchronous: 'FULL' }

/** `--sqlite-pragma name=value` for each pragma. */
export function sqlitePragmaArgs(pragmas: Readonly<Record<string, string>>): string[] {
  return Object.entries(pragmas).flatMap(([name, value]) => ['--sqlite-pragma', `${name}=${value}`])
}

/**
 * Starts the official Temporal dev server (`temporal server start-dev`) with
 * the order search attributes registered.
 */
export async function startTemporalDevServer(props: TemporalDevServerProps): Promise<RunningTemporal> {
  const cli = findTemporalCli({
    configuredPath: props.cliPath,
    projectRoot: props.projectRoot,
    pathVariable: props.pathVariable,
    logger: props.logger,
    install: true,
  })
  if (!cli && !props.allowDownload) throw new Error(noTemporalCliHelp)
  if (!cli) props.logger.warn('no Temporal CLI installed; asking the Temporal SDK to download one')

  const env = await TestWorkflowEnvironment.createLocal({
    server: {
      executable: cli ? { type: 'existing-path', path: cli.path } : { type: 'cached-download' },
      namespace: props.namespace,
      ip: '127.0.0.1',
      ...(props.port !== null ? { port: props.port } : {}),
      ...(props.dbFilename !== null ? { dbFilename: props.dbFilename } : {}),
      ...(props.uiPort !== null ? { ui: true, uiPort: props.uiPort } : { ui: false }),
      searchAttributes: [...orderSearchAttributes],
      log: { format: 'json', level: 'error' },
      extraArgs: [
        ...(props.dbFilename !== null ? sqlitePragmaArgs(props.sqlitePragmas ?? durableSqlitePragmas) : []),
        ...(props.codecEndpoint !== undefined && props.uiPort !== null ? ['--ui-codec-endpoint', props.codecEndpoint] : []),
      ],
    },
  })
  return {
    address: env.address,
    cli: cli ? `${cli.path} (${cli.source})` : 'downloaded by the Temporal SDK',
    stop: () => env.teardown(),
  }
}
