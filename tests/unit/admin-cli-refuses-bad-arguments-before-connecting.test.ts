import { spawnSync } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { parseAdminArguments } from '../../cli/admin-arguments.js'

const orderId = randomUUID()

describe('npm run admin', () => {
  it('refuses a control character in --reason with a clear message and exit code 2, before connecting', () => {
    // Temporal is pointed at a port nothing listens on: a refusal must not need it.
    const run = spawnSync('npx', ['tsx', 'cli/admin.ts', 'cancel', orderId, '--reason', 'dup\u001b[31mlicate'], {
      encoding: 'utf8',
      env: { ...process.env, TEMPORAL_ADDRESS: '127.0.0.1:1' },
      timeout: 90_000,
    })
    console.log(`exit ${run.status}: ${run.stderr.split('\n')[0]}`)
    expect(run.status).toBe(2)
    expect(run.stderr).toMatch(
      /^--reason contains U\+001B, a control character \(only tab and line breaks are accepted here\), at character 4\n/,
    )
    expect(run.stderr).toContain('usage: npm run admin')
  }, 120_000)

  it.each([
    [['cancel', orderId, '--reason', 'dup\u0000licate'], '--reason contains U+0000, a control character'],
    [['cancel', orderId, '--reason', 'x'.repeat(501)], '--reason must be at most 500 characters'],
    [['refund', orderId, '--amount', '500', '--reason', 'damaged', '--note', 'bad\ud800'], '--note contains U+D800'],
    [['refund', orderId, '--amount', '0', '--reason', 'damaged'], '--amount "0" must be a whole number of minor units above 0'],
    [
      ['refund', orderId, '--amount', '500', '--reason', 'damaged', '--key', 'two words'],
      '--key must be 1 to 255 printable ASCII',
    ],
    [['status', 'order-42'], 'orderId "order-42" is not an order id (a UUID)'],
    [['status', orderId, '--admin', 'ops\u0085'], '--admin contains U+0085, a control character'],
    [['status', orderId, '--reason', 'why'], 'status takes no --reason'],
    [['frobnicate', orderId], 'unknown command "frobnicate"'],
  ])('refuses %j: %s', (argv, message) => {
    const parsed = parseAdminArguments(argv)
    expect(parsed.ok).toBe(false)
    expect(parsed.ok ? '' : parsed.message).toContain(message)
  })

  it('takes a note with line breaks and text in any script', () => {
    expect(
      parseAdminArguments(['refund', orderId, '--amount', '500', '--reason', 'goodwill', '--note', 'Entschuldigung 🙏\nZoë']),
    ).toEqual({
      ok: true,
      command: {
        name: 'refund',
        orderId,
        admin: 'admin_cli',
        amount: 500,
        reason: 'goodwill',
        note: 'Entschuldigung 🙏\nZoë',
        key: null,
      },
    })
  })
})
