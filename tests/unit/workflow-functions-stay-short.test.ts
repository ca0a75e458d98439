/**
 * The order workflow reads as a story over short steps: no function (or
 * method, or arrow function) under `workflows/` runs past 60 lines, and the
 * entry file stays well under 150. The bar is 120; the story's is 60.
 */
import { readFileSync, readdirSync } from 'node:fs'
import { join, relative } from 'node:path'
import ts from 'typescript'
import { describe, expect, it } from 'vitest'

const root = new URL('../..', import.meta.url).pathname
const workflowsFolder = join(root, 'workflows')

function sourceFiles(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? sourceFiles(join(folder, entry.name)) : entry.name.endsWith('.ts') ? [join(folder, entry.name)] : [],
  )
}

/** Every function-like node in `file`, with its name and its length in lines. */
function functionLengths(file: string): Array<{ where: string; lines: number }> {
  const text = readFileSync(file, 'utf8')
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true)
  const found: Array<{ where: string; lines: number }> = []
  const visit = (node: ts.Node) => {
    if (ts.isFunctionLike(node) && 'body' in node && node.body) {
      const start = source.getLineAndCharacterOfPosition(node.getStart(source)).line
      const end = source.getLineAndCharacterOfPosition(node.getEnd()).line
      const name = 'name' in node && node.name ? node.name.getText(source) : '(anonymous)'
      found.push({ where: `${relative(root, file)}:${start + 1} ${name}`, lines: end - start + 1 })
    }
    ts.forEachChild(node, visit)
  }
  visit(source)
  return found
}

describe('the workflow code', () => {
  const lengths = sourceFiles(workflowsFolder).flatMap(functionLengths)

  it('has been read', () => {
    expect(lengths.length).toBeGreaterThan(30)
  })

  it('has no function longer than 60 lines', () => {
    const longest = [...lengths].sort((a, b) => b.lines - a.lines).slice(0, 3)
    console.log('longest functions in workflows/:', longest.map(({ where, lines }) => `${where} (${lines})`).join(', '))
    expect(lengths.filter(({ lines }) => lines > 60)).toEqual([])
  })

  it('tells the order story in an entry file under 150 lines', () => {
    const entry = readFileSync(join(workflowsFolder, 'order', 'order-workflow.ts'), 'utf8')
    expect(entry.split('\n').length).toBeLessThan(150)
  })
})
