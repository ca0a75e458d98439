/**
 * The embedded server's SQLite, tuned: dev servers side by side, each on a
 * SQLite file of its own (one with the pragmas `npm start` uses, one with
 * each alternative), each with a worker of the baselines, and rounds that
 * alternate between them. What is measured is the server's own write path:
 * empty workflows executed (start, one workflow task, completion) and raw
 * starts, 32 in flight.
 */
import { randomUUID } from 'node:crypto'
import type { Client, Connection } from '@temporalio/client'
import type { BenchChild } from '../child-process.js'
import { connectTemporal } from '../../temporal/client.js'
import { durableSqlitePragmas } from '../../dev/temporal-dev-server.js'
import type { Figure } from '../figure.js'
import { closedLoop, failuresOf } from '../load.js'
import { type Row, row } from '../report.js'

/** What is compared: the CLI's own SQLite defaults and WAL with either level of `synchronous`. */
const settings: Array<{ name: string; pragmas: Record<string, string> }> = [
  { name: 'SQLite defaults (rollback journal, synchronous=FULL)', pragmas: {} },
  { name: 'journal_mode=wal, synchronous=NORMAL', pragmas: { journal_mode: 'wal', synchronous: 'NORMAL' } },
  { name: 'journal_mode=wal, synchronous=FULL', pragmas: { journal_mode: 'wal', synchronous: 'FULL' } },
]

function samePragmas(a: Record<string, string>, b: Readonly<Record<string, string>>): boolean {
  const entries = (pragmas: Readonly<Record<string, string>>) => JSON.stringify(Object.entries(pragmas).sort())
  return entries(a) === entries(b)
}

interface ServerUnderTest {
  name: string
  worker: BenchChild
  temporal: { connection: Connection; client: Client }
}

export const sqlitePragmas: Figure = {
  name: 'sqlite pragmas',
  experiment: true,
  async run({ stack, rounds, quick, size, note }) {
    const taskQueue = 'bench-sqlite'
    const count = size(96, 16)
    const reference = settings.find((setting) => samePragmas(setting.pragmas, durableSqlitePragmas)) ?? {
      name: JSON.stringify(durableSqlitePragmas),
      pragmas: { ...durableSqlitePragmas },
    }
    const baselineName = `npm start's pragmas: ${reference.name}`
    const servers: ServerUnderTest[] = []
    // A quick run compares one alternative only: it proves the figure runs.
    const alternatives = settings.filter((setting) => setting !== reference).slice(0, quick ? 1 : undefined)
    for (const setting of [reference, ...alternatives]) {
      const server = await stack.startTemporal(setting.pragmas)
      const worker = await stack.startWorker('baseline', taskQueue, server.address)
      const temporal = await connectTemporal({ ...stack.temporalEndpoint, address: server.address })
      servers.push({ ...setting, worker, temporal })
    }
    const rows: Row[] = []
    try {
      const measures = {
        executed: (client: Client) =>
          closedLoop({ count, inFlight: 32 }, () =>
            client.workflow.execute('emptyWorkflow', { workflowId: `empty-${randomUUID()}`, taskQueue }),
          ),
        started: (client: Client) =>
          closedLoop({ count, inFlight: 32 }, () =>
            client.workflow.start('parkedWorkflow', { workflowId: `parked-${randomUUID()}`, taskQueue }),
          ),
      }
      const [referenceServer, ...others] = servers
      for (const other of others) {
        const executed = row('sqlite pragmas', `${other.name}: empty workflows executed, 32 in flight`, {
          baselineName,
          unit: 'workflows/s',
          better: 'higher',
        })
        const started = row('sqlite pragmas', `${other.name}: raw starts, 32 in flight`, {
          baselineName,
          unit: 'starts/s',
          better: 'higher',
        })
        // Two rounds at most: the figure says which pragmas `npm start` keeps, not how the engine runs.
        for (let round = 0; round < Math.min(rounds, 2); round++) {
          const order = round % 2 === 0 ? [other, referenceServer!] : [referenceServer!, other]
          for (const server of order) {
            const side = server === other ? 'candidate' : 'baseline'
            for (const [name, target] of [
              ['executed', executed],
              ['started', started],
            ] as const) {
              const result = await measures[name](server.temporal.client)
              const failed = failuresOf(`${other.name} ${name} (${side})`, result)
              if (failed) note(failed)
              target[side].push(result.throughput)
            }
          }
        }
        rows.push(executed, started)
      }
    } finally {
      for (const server of servers) {
        await server.worker.stop()
        await server.temporal.connection.close()
      }
    }
    return rows
  },
}
