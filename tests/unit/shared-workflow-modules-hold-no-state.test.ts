/**
 * The workflow modules a worker preloads and shares between every workflow it
 * runs (`workers/shared-workflow-modules.ts`) keep no state of a workflow's at
 * module level: no `let` or `var`, and no module-level collection a workflow
 * could fill (`new Map()`, `new Set()`, `[]`, `{}`; a table typed `ReadonlySet`
 * or `ReadonlyMap` is a constant). Such state would leak from
 * one order into the next, and an order replaying after another would take its
 * path. The one per-run switch lives on the workflow's own globals.
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import ts from 'typescript'
import { describe, expect, it } from 'vitest'
import { sharedWorkflowModules } from '../../workers/shared-workflow-modules.js'

/** What in a module's top level could hold a workflow's state, as `<line>: <text>`. */
function moduleLevelState(path: string): string[] {
  const source = ts.createSourceFile(path, readFileSync(path, 'utf8'), ts.ScriptTarget.Latest, true)
  const found: string[] = []
  for (const statement of source.statements) {
    if (!ts.isVariableStatement(statement)) continue
    const declarations = statement.declarationList
    const mutable = (declarations.flags & (ts.NodeFlags.Let | ts.NodeFlags.Const)) !== ts.NodeFlags.Const
    for (const declaration of declarations.declarations) {
      const init = declaration.initializer
      const collection =
        init !== undefined &&
        ((ts.isNewExpression(init) &&
          /^(Map|Set|WeakMap|WeakSet|Array)$/.test(init.expression.getText(source)) &&
          !/^Readonly(Set|Map)</.test(declaration.type?.getText(source) ?? '')) ||
          (ts.isArrayLiteralExpression(init) && init.elements.length === 0) ||
          (ts.isObjectLiteralExpression(init) && init.properties.length === 0))
      if (mutable || collection) {
        const { line } = source.getLineAndCharacterOfPosition(declaration.getStart(source))
        found.push(`${line + 1}: ${declaration.getText(source).split('\n')[0]}`)
      }
    }
  }
  return found
}

describe('the workflow modules every workflow in a worker shares', () => {
  it('are the vocabulary, the rules and every workflow module, the order workflow among them', () => {
    const names = sharedWorkflowModules.map((path) => relative(process.cwd(), path))
    expect(names).toEqual(expect.arrayContaining(['domain/order-rules.ts', 'workflows/order/order-workflow.ts']))
    expect(names.length).toBeGreaterThan(50)
  })

  it('hold no state of a workflow at module level', () => {
    const stateful = sharedWorkflowModules
      .map((path) => ({ module: relative(process.cwd(), path), state: moduleLevelState(path) }))
      .filter(({ state }) => state.length > 0)
    expect(stateful).toEqual([])
  })

  it('would be caught holding some: a module-level let and a cache', () => {
    const path = join(tmpdir(), `stateful-workflow-module-${process.pid}.ts`)
    writeFileSync(path, 'let flag = false\nconst cache = new Map<string, number>()\nexport const fixed = [1, 2]\n')
    expect(moduleLevelState(path)).toEqual(['1: flag = false', '2: cache = new Map<string, number>()'])
  })
})
