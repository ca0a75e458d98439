/**
 * Where the Temporal of `npm start` is, written where the operator's tools
 * find it: `npm start` writes `.data/temporal.json` (read by `npm run admin`
 * when TEMPORAL_ADDRESS is not set) and `.data/temporal.toml`, a `temporal`
 * CLI profile (`export TEMPORAL_CONFIG_FILE=$PWD/.data/temporal.toml`), so
 * neither falls back to 7233 when the ports were changed.
 */
import { chmodSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

/** What `npm start` brought up, as operators' tools need it. */
export interface RunningStack {
  /** Temporal's gRPC address. */
  address: string
  namespace: string
  /** The Temporal Web UI, when the stack runs one. */
  uiUrl: string | null
  /** The codec server that decodes payloads for the Web UI and the CLI. */
  codecEndpoint: string
}

/** The file `npm run admin` reads. */
export function runningStackFile(dataDir: string): string {
  return join(dataDir, 'temporal.json')
}

/** The `temporal` CLI profile `npm start` writes (it holds the codec server's token: mode 0600). */
export function temporalCliConfigFile(dataDir: string): string {
  return join(dataDir, 'temporal.toml')
}

/** Writes both files; `codecAuth` is the `Authorization` header the CLI sends the codec server. */
export function writeRunningStack(dataDir: string, stack: RunningStack, codecAuth: string): void {
  writeFileSync(runningStackFile(dataDir), `${JSON.stringify(stack, null, 2)}\n`)
  const toml = [
    '# Written by npm start: the Temporal it runs. Use it with',
    `#   export TEMPORAL_CONFIG_FILE=${temporalCliConfigFile(dataDir)}`,
    '[profile.default]',
    `address = ${JSON.stringify(stack.address)}`,
    `namespace = ${JSON.stringify(stack.namespace)}`,
    '[profile.default.codec]',
    `endpoint = ${JSON.stringify(stack.codecEndpoint)}`,
    `auth = ${JSON.stringify(codecAuth)}`,
    '',
  ].join('\n')
  writeFileSync(temporalCliConfigFile(dataDir), toml, { mode: 0o600 })
  chmodSync(temporalCliConfigFile(dataDir), 0o600)
}

/** What the last `npm start` with this data directory wrote, or null when none did. */
export function readRunningStack(dataDir: string): RunningStack | null {
  let text: string
  try {
    text = readFileSync(runningStackFile(dataDir), 'utf8')
  } catch {
    return null
  }
  const stack = JSON.parse(text) as Partial<RunningStack>
  if (typeof stack.address !== 'string' || typeof stack.namespace !== 'string') {
    throw new Error(`${runningStackFile(dataDir)} has no address and namespace: delete it, or run npm start again`)
  }
  return {
    address: stack.address,
    namespace: stack.namespace,
    uiUrl: stack.uiUrl ?? null,
    codecEndpoint: stack.codecEndpoint ?? '',
  }
}
