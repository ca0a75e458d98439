/** What a figure is: a named measurement that runs its rounds against the stack and returns its rows. */
import type { BenchStack } from './bench-stack.js'
import type { Row } from './report.js'

export interface FigureContext {
  stack: BenchStack
  /** How many rounds of baseline and candidate, alternating. */
  rounds: number
  /** `--quick`: one small round, so the bench cannot rot. */
  quick: boolean
  /** `full` normally, `quick` under `--quick`. */
  size(full: number, quick: number): number
  /** Records what the table cannot show (requests that failed, and why), printed under it. */
  note(text: string): void
}

export interface Figure {
  name: string
  /** A tuning experiment rather than a figure of the engine: left out of `--quick` unless `--only` names it. */
  experiment?: boolean
  run(context: FigureContext): Promise<Row[]>
}
