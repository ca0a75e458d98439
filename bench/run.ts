/**
 * `npm run bench`: brings up its own stack, runs every figure with the
 * engine (candidate) and its baseline alternating over several rounds,
 * prints one table, writes it as JSON to `bench/results/<timestamp>.json`,
 * and stops everything. It measures; it never passes or fails on a figure
 * (it exits non-zero only when a figure could not run).
 *
 * Options:
 * - `--quick`: one small round of each figure but the tuning experiments (sqlite pragmas, worker tuning), unless
 *   `--only` names them (what CI runs)
 * - `--rounds <n>`: rounds of each figure (3 by default)
 * - `--only <figure,figure>`: just these figures (placement, lifecycle, history, reads, admin updates, worker memory,
 *   sqlite pragmas, worker tuning)
 * - `--sqlite-pragma <name=value>`: a pragma for the dev server's SQLite file, repeatable (replaces the defaults)
 * - `--worker-tuning '<json>'`: `OrderWorkerTuning` for the order worker (`{"maxCachedWorkflows": 500}`)
 * - `--cpu-prof-api <dir>`: the API runs under `node --cpu-prof` and writes its profile to `<dir>` when the bench ends
 * - `--no-save`: print the table but write no JSON (quick runs write `<timestamp>-quick.json`, which git ignores)
 */
import { mkdir, writeFile } from 'node:fs/promises'
import { cpus, loadavg, totalmem } from 'node:os'
import { parseArgs } from 'node:util'
import { projectRoot } from '../config.js'
import type { OrderWorkerTuning } from '../workers/create-order-worker.js'
import { startBenchStack } from './bench-stack.js'
import type { Figure } from './figure.js'
import { adminUpdates } from './figures/admin-updates.js'
import { history } from './figures/history.js'
import { lifecycle } from './figures/lifecycle.js'
import { placement } from './figures/placement.js'
import { reads } from './figures/reads.js'
import { sqlitePragmas as sqlitePragmaFigure } from './figures/sqlite-pragmas.js'
import { workerMemory } from './figures/worker-memory.js'
import { workerTuning as workerTuningFigure } from './figures/worker-tuning.js'
import { type Row, markdownTable, summarise } from './report.js'

const figures: Figure[] = [
  placement,
  lifecycle,
  history,
  reads,
  adminUpdates,
  workerMemory,
  sqlitePragmaFigure,
  workerTuningFigure,
]

const { values: options } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    rounds: { type: 'string' },
    only: { type: 'string' },
    'sqlite-pragma': { type: 'string', multiple: true },
    'worker-tuning': { type: 'string', default: '{}' },
    'no-save': { type: 'boolean', default: false },
    'cpu-prof-api': { type: 'string' },
  },
})
const quick = options.quick ?? false
const rounds = quick ? 1 : Number(options.rounds ?? 3)
const only = options.only?.split(',').map((name) => name.trim())
const chosen = only
  ? figures.filter((figure) => only.includes(figure.name))
  : figures.filter((figure) => !(quick && figure.experiment))
const sqlitePragmas = options['sqlite-pragma']
  ? Object.fromEntries(options['sqlite-pragma'].map((pragma) => pragma.split('=', 2) as [string, string]))
  : undefined
const workerTuning = JSON.parse(options['worker-tuning'] ?? '{}') as OrderWorkerTuning

const startedAt = new Date()
console.log(`bench: ${quick ? 'quick, ' : ''}${rounds} round(s) of ${chosen.map((f) => f.name).join(', ')}; starting the stack`)
const apiProfileDir = options['cpu-prof-api']
const stack = await startBenchStack({
  ...(sqlitePragmas ? { sqlitePragmas } : {}),
  workerTuning,
  ...(apiProfileDir ? { apiProfileDir } : {}),
})

const loadSamples: number[] = []
const sampler = setInterval(() => loadSamples.push(loadavg()[0] ?? 0), 2_000)
const rows: Row[] = []
const failures: string[] = []
const notes: string[] = []
/** Seconds each figure took, so a run's length can be kept in check. */
const secondsPerFigure: Record<string, number> = {}
// Ctrl-C stops the stack (PostgreSQL, Temporal, the children) before leaving.
for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.once(signal, () => void stack.stop().finally(() => process.exit(130)))
try {
  for (const figure of chosen) {
    const began = Date.now()
    const firstSample = loadSamples.length
    console.log(`bench: ${figure.name}…`)
    try {
      const figureRows = await figure.run({
        stack,
        rounds,
        quick,
        size: (full, small) => (quick ? small : full),
        note: (text) => notes.push(`${figure.name}: ${text}`),
      })
      const samples = loadSamples.slice(firstSample)
      const loadAverage = samples.length > 0 ? samples.reduce((a, b) => a + b, 0) / samples.length : (loadavg()[0] ?? 0)
      for (const figureRow of figureRows) rows.push({ ...figureRow, loadAverage })
      secondsPerFigure[figure.name] = Math.round((Date.now() - began) / 1000)
      console.log(`bench: ${figure.name} took ${secondsPerFigure[figure.name]} s`)
    } catch (error) {
      failures.push(`${figure.name}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`)
      console.error(`bench: ${figure.name} could not run:`, error)
    }
  }
} finally {
  clearInterval(sampler)
  await stack.stop()
}

const summaries = summarise(rows)
const table = markdownTable(summaries)
const cpuList = cpus()
const machine = {
  cores: cpuList.length,
  cpu: cpuList[0]?.model ?? 'unknown',
  memoryGiB: Math.round(totalmem() / 2 ** 30),
  loadAverageDuringRun: loadSamples.length > 0 ? loadSamples.reduce((a, b) => a + b, 0) / loadSamples.length : null,
  node: process.version,
}
const finishedAt = new Date()
console.log(`\n${table}\n`)
if (notes.length > 0) console.log(`notes:\n${notes.map((text) => `- ${text}`).join('\n')}\n`)
console.log(
  `ratio = candidate ÷ baseline (medians over rounds); spread = smallest–largest per-round ratio; load = mean 1-min load average.\n` +
    `machine: ${machine.cores} cores (${machine.cpu}), ${machine.memoryGiB} GiB RAM, load ${machine.loadAverageDuringRun?.toFixed(1)} ` +
    `during the run, Node ${machine.node}; ${((finishedAt.getTime() - startedAt.getTime()) / 1000).toFixed(0)} s in all.`,
)
if (!options['no-save']) {
  const dir = `${projectRoot}/bench/results`
  await mkdir(dir, { recursive: true })
  const file = `${dir}/${startedAt.toISOString().replace(/[:.]/g, '-')}${quick ? '-quick' : ''}.json`
  const settings = { quick, rounds, figures: chosen.map((f) => f.name), sqlitePragmas: sqlitePragmas ?? 'defaults', workerTuning }
  await writeFile(
    file,
    `${JSON.stringify({ startedAt, finishedAt, machine, settings, secondsPerFigure, rows: summaries, notes, failures, table }, null, 2)}\n`,
  )
  console.log(`written to ${file}`)
}
if (failures.length > 0) {
  console.error(`bench: ${failures.length} figure(s) could not run:\n${failures.join('\n')}`)
  process.exit(1)
}
process.exit(0)
