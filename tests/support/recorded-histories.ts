/**
 * The recorded histories of `tests/histories/` and their replay on today's
 * workflow code, shared by the replay tests of the order, the after-sales and
 * the other workflows. Each history was saved as
 * `JSON.stringify(await handle.fetchHistory())`; not read with
 * `historyFromJSON` (the temporal CLI's format): with the protobufjs copies
 * this lockfile installs, it throws "type must be a Type".
 */
import { readFileSync, readdirSync } from 'node:fs'
import { temporal } from '@temporalio/proto'
import { Worker } from '@temporalio/worker'
import { inject } from 'vitest'
import { orderEngineDataConverter } from '../../temporal/data-converter.js'
import { testPayloadKeys } from './test-payload-keys.js'

export type History = temporal.api.history.v1.History

/** The history files of a folder, sorted. */
export function recordedHistoryFiles(folder: URL): string[] {
  return readdirSync(folder)
    .filter((name) => name.endsWith('.json'))
    .sort()
}

export function readRecordedHistory(folder: URL, file: string): History {
  return temporal.api.history.v1.History.fromObject(JSON.parse(readFileSync(new URL(file, folder), 'utf8')))
}

/**
 * Replays a history on today's workflow bundle, with the tests' data converter (it opens sealed payloads and passes
 * json/plain ones through); throws DeterminismViolationError where today's code issues other commands than the
 * history recorded. `name` only names the run in errors.
 */
export async function replayOnTodaysCode(history: History, name: string): Promise<void> {
  await Worker.runReplayHistory(
    { workflowBundle: { codePath: inject('workflowBundlePath') }, dataConverter: orderEngineDataConverter(testPayloadKeys) },
    history,
    name,
  )
}
