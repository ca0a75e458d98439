/**
 * `npm start`'s mail catcher: maildev (from npm) in a child process, an SMTP
 * server that keeps every mail and a web page to read them, so a newcomer
 * sees every mail an order sends without an SMTP account.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import { mkdirSync } from 'node:fs'
import { createRequire } from 'node:module'
import { connect } from 'node:net'
import type { Logger } from 'pino'

export interface MailCatcherProps {
  smtpPort: number
  webPort: number
  /** Where the mails are kept across restarts (`.data/mail`). */
  mailDirectory: string
  logger: Logger
}

export interface MailCatcher {
  smtpUrl: string
  webUrl: string
  stop(): Promise<void>
}

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port })
    socket.once('connect', () => {
      socket.destroy()
      resolve(true)
    })
    socket.once('error', () => resolve(false))
  })
}

/**
 * Starts maildev on 127.0.0.1 and waits until both its ports answer.
 *
 * @example
 * ```ts
 * const mail = await startMailCatcher({ smtpPort: 1025, webPort: 1080, mailDirectory: '.data/mail', logger })
 * // SMTP_URL=mail.smtpUrl; open mail.webUrl
 * await mail.stop()
 * ```
 */
export async function startMailCatcher(props: MailCatcherProps): Promise<MailCatcher> {
  mkdirSync(props.mailDirectory, { recursive: true })
  const bin = createRequire(import.meta.url).resolve('maildev/bin/maildev')
  const args = ['--smtp', String(props.smtpPort), '--web', String(props.webPort), '--ip', '127.0.0.1']
  const child: ChildProcess = spawn(process.execPath, [bin, ...args, '--mail-directory', props.mailDirectory, '--silent'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  })
  let failure = ''
  child.stderr?.on('data', (chunk: Buffer) => (failure += chunk.toString()))
  const exited = once(child, 'exit')
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return
    child.kill('SIGTERM')
    await exited
  }
  const deadline = Date.now() + 20_000
  while (!((await listening(props.smtpPort)) && (await listening(props.webPort)))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop()
      throw new Error(
        `The mail catcher (maildev) did not start on ports ${props.smtpPort} and ${props.webPort}: ${failure.trim() || 'no answer'}` +
          ' (set MAILDEV_SMTP_PORT and MAILDEV_WEB_PORT to free ports, or SMTP_URL to a server of yours)',
      )
    }
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
  props.logger.info({ smtpPort: props.smtpPort, webPort: props.webPort }, 'mail catcher ready')
  return { smtpUrl: `smtp://127.0.0.1:${props.smtpPort}`, webUrl: `http://127.0.0.1:${props.webPort}`, stop }
}
