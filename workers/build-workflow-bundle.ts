/**
 * `npm run build:workflows`: bundles the workflow code once, so production
 * workers start without webpack. Point WORKFLOW_BUNDLE_PATH at the output.
 */
import { mkdir, writeFile } from 'node:fs/promises'
import { dirname, resolve } from 'node:path'
import { DefaultLogger, bundleWorkflowCode } from '@temporalio/worker'
import { projectRoot } from '../config.js'
import { workflowTracingInterceptorsModule } from '../temporal/tracing-interceptors.js'
import { workflowsPath } from './create-order-worker.js'
import { sharedWorkflowModules } from './shared-workflow-modules.js'

/** Bundles the workflows to `outputPath` and returns the bundle's size in bytes. */
export async function buildWorkflowBundle(outputPath: string): Promise<number> {
  const { code } = await bundleWorkflowCode({
    workflowsPath,
    workflowInterceptorModules: [workflowTracingInterceptorsModule],
    preloadModules: sharedWorkflowModules,
    logger: new DefaultLogger('WARN'),
  })
  await mkdir(dirname(outputPath), { recursive: true })
  await writeFile(outputPath, code)
  return Buffer.byteLength(code)
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(new URL(import.meta.url).pathname)) {
  const output = resolve(projectRoot, process.argv[2] ?? '.build/workflow-bundle.js')
  const bytes = await buildWorkflowBundle(output)
  console.log(`workflow bundle written to ${output} (${(bytes / 1024).toFixed(0)} KiB)`)
}
