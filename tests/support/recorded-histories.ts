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
import { describe, expect, inject, it } from 'vitest'
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

const { EventType } = temporal.api.enums.v1

/** The events that close a run: a history with none of them was recorded while its workflow was still open. */
export const closedEventTypes: ReadonlySet<temporal.api.enums.v1.EventType> = new Set([
  EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED,
  EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CANCELED,
  EventType.EVENT_TYPE_WORKFLOW_EXECUTION_FAILED,
  EventType.EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED,
  EventType.EVENT_TYPE_WORKFLOW_EXECUTION_TIMED_OUT,
  EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW,
])

/** Whether the history was recorded while its workflow was still open. */
export function recordedOpen(history: History): boolean {
  return !history.events.some((event) => closedEventTypes.has(event.eventType!))
}

/**
 * The replay suite of a folder of recorded histories: every file is listed in `recorded` with what it holds, and each
 * passes `check` (what the test knows of it) and then replays on today's workflow code.
 */
export function describeRecordedHistories<Expected>(
  title: string,
  folder: URL,
  recorded: Record<string, Expected>,
  check: (history: History, expected: Expected) => void | Promise<void>,
): void {
  describe(title, () => {
    const files = recordedHistoryFiles(folder)

    it('are all listed here, each with what it holds', () => {
      expect(files).toEqual(Object.keys(recorded).sort())
    })

    it.each(files)("%s replays on today's workflow code", async (file) => {
      const history = readRecordedHistory(folder, file)
      const expected = recorded[file]
      if (!expected) throw new Error(`${file} is not listed in this test`)
      await check(history, expected)
      // Throws DeterminismViolationError where today's code issues other commands than the history recorded.
      await replayOnTodaysCode(history, file)
    })
  })
}
