/**
 * The workflow bundle of an earlier commit, built from git: what a worker
 * deployed from that commit ran. Orders started on it prove that today's
 * code carries them on (see README, "Versioning").
 */
import { execFileSync } from 'node:child_process'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { DefaultLogger, bundleWorkflowCode } from '@temporalio/worker'

const projectRoot = new URL('../..', import.meta.url).pathname

/** What the workflow bundle is made of: the workflows and the ground floor they import (activities only as types). */
const bundledFolders = ['workflows', 'domain']

function git(...args: string[]): string {
  return execFileSync('git', args, { cwd: projectRoot, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 })
}

/**
 * Builds the workflow bundle of `commit` to `outputPath`, from that commit's
 * `workflows/` and `domain/` checked out into a scratch folder inside the
 * project (so `@temporalio/workflow` resolves from its node_modules).
 * Needs the commit in the clone's history: a shallow clone must fetch it first.
 *
 * @example
 * ```ts
 * await buildWorkflowBundleOfCommit('a8ae757', '/tmp/a8ae757-bundle.js')
 * ```
 */
export async function buildWorkflowBundleOfCommit(commit: string, outputPath: string): Promise<void> {
  try {
    git('cat-file', '-e', `${commit}^{commit}`)
  } catch {
    throw new Error(`commit ${commit} is not in this clone's history: run \`git fetch --unshallow\` (or clone in full)`)
  }
  await mkdir(join(projectRoot, '.scratch'), { recursive: true })
  const checkout = await mkdtemp(join(projectRoot, '.scratch', `workflows-${commit}-`))
  try {
    const files = git('ls-tree', '-r', '--name-only', commit, '--', ...bundledFolders)
      .split('\n')
      .filter(Boolean)
    for (const file of files) {
      await mkdir(dirname(join(checkout, file)), { recursive: true })
      await writeFile(join(checkout, file), git('show', `${commit}:${file}`))
    }
    const { code } = await bundleWorkflowCode({
      workflowsPath: join(checkout, 'workflows', 'index.ts'),
      logger: new DefaultLogger('WARN'),
    })
    await writeFile(outputPath, code)
  } finally {
    await rm(checkout, { recursive: true, force: true })
  }
}
