/**
 * Saves histories for `tests/histories/` when `HISTORY_DIR` is set (see the
 * README there): a test that runs a new path of a workflow records it with
 * `HISTORY_DIR=/tmp/histories npx vitest run tests/<file>`.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import type { WorkflowHandle } from '@temporalio/client'
import type { temporal } from '@temporalio/proto'

/** Writes `history` as `<HISTORY_DIR>/<name>.json`; does nothing when HISTORY_DIR is unset. */
export function keepHistoryAs(name: string, history: temporal.api.history.v1.IHistory): void {
  const dir = process.env['HISTORY_DIR']
  if (!dir) return
  mkdirSync(dir, { recursive: true })
  writeFileSync(`${dir}/${name}.json`, JSON.stringify(history, null, 2) + '\n')
}

/** Saves the workflow's (latest run's) history as `<name>.json`, when HISTORY_DIR is set. */
export async function keepHistory(handle: WorkflowHandle, name: string): Promise<void> {
  if (process.env['HISTORY_DIR']) keepHistoryAs(name, await handle.fetchHistory())
}
