/** The bench's one table: each measure, its baseline and the engine side by side, rounds summarised. */
import { median, range } from './stats.js'

/** One line of the table: the same measure of the engine (candidate) and of its baseline, once per round. */
export interface Row {
  figure: string
  measure: string
  /** What the candidate is compared with. */
  baselineName: string
  unit: string
  better: 'higher' | 'lower'
  baseline: number[]
  candidate: number[]
  /** The goal for this measure, printed beside it (never checked). */
  goal: string | null
  /** Mean 1-minute load average of the machine while the figure ran. */
  loadAverage: number | null
}

/** A row with no rounds yet. */
export function row(
  figure: string,
  measure: string,
  details: { baselineName: string; unit: string; better: 'higher' | 'lower'; goal?: string },
): Row {
  return { figure, measure, ...details, goal: details.goal ?? null, baseline: [], candidate: [], loadAverage: null }
}

/** Runs the two sides of one round, the candidate first in even rounds and the baseline first in odd ones. */
export async function alternate(round: number, candidate: () => Promise<void>, baseline: () => Promise<void>): Promise<void> {
  const [first, second] = round % 2 === 0 ? [candidate, baseline] : [baseline, candidate]
  await first()
  await second()
}

export interface RowSummary {
  figure: string
  measure: string
  baselineName: string
  unit: string
  baseline: number
  candidate: number
  /** candidate ÷ baseline, medians over rounds. */
  ratio: number
  /** The smallest and largest per-round ratio. */
  spread: { min: number; max: number }
  rounds: number
  loadAverage: number | null
  goal: string | null
  perRound: { baseline: number[]; candidate: number[] }
}

export function summarise(rows: readonly Row[]): RowSummary[] {
  return rows.map((r) => {
    const ratios = r.candidate.map((value, i) => value / (r.baseline[i] ?? Number.NaN)).filter(Number.isFinite)
    const baseline = median(r.baseline)
    const candidate = median(r.candidate)
    return {
      figure: r.figure,
      measure: r.measure,
      baselineName: r.baselineName,
      unit: r.unit,
      baseline,
      candidate,
      ratio: candidate / baseline,
      spread: ratios.length > 0 ? range(ratios) : { min: Number.NaN, max: Number.NaN },
      rounds: r.candidate.length,
      loadAverage: r.loadAverage,
      goal: r.goal,
      perRound: { baseline: r.baseline, candidate: r.candidate },
    }
  })
}

function figureText(value: number): string {
  if (!Number.isFinite(value)) return '—'
  if (Math.abs(value) >= 100) return value.toFixed(0)
  if (Math.abs(value) >= 10) return value.toFixed(1)
  return value.toFixed(2)
}

function ratioText(value: number): string {
  return Number.isFinite(value) ? `${value.toFixed(2)}×` : '—'
}

/** The table as Markdown, ready for the terminal and the README. */
export function markdownTable(summaries: readonly RowSummary[]): string {
  const header = ['figure', 'measure', 'baseline', 'candidate', 'ratio', 'spread', 'load', 'goal']
  const lines = summaries.map((s) => [
    s.figure,
    `${s.measure} (${s.unit}; baseline: ${s.baselineName})`,
    figureText(s.baseline),
    figureText(s.candidate),
    ratioText(s.ratio),
    s.rounds > 1 ? `${ratioText(s.spread.min)}–${ratioText(s.spread.max)}` : 'one round',
    s.loadAverage === null ? '—' : s.loadAverage.toFixed(1),
    s.goal ?? '',
  ])
  const widths = header.map((title, i) => Math.max(title.length, ...lines.map((line) => (line[i] ?? '').length)))
  const format = (cells: string[]) => `| ${cells.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join(' | ')} |`
  return [format(header), format(widths.map((width) => '-'.repeat(width))), ...lines.map(format)].join('\n')
}
