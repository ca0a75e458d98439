import { describe, expect, it } from 'vitest'
import { storable, storableText } from '../../db/storable-text.js'

describe('text Postgres cannot store', () => {
  it('has NUL and lone surrogates replaced by U+FFFD', () => {
    expect(storableText('Ada\u0000Lovelace')).toBe('Ada\ufffdLovelace')
    expect(storableText('Lon\ud800don')).toBe('Lon\ufffddon')
    expect(storableText('\udc00end')).toBe('\ufffdend')
    expect(storableText('end\ud83d')).toBe('end\ufffd')
  })

  it('keeps ordinary Unicode: every script, emoji (surrogate pairs), and other control characters Postgres stores', () => {
    for (const text of ['Ada Lovelace', 'Zoë Ørsted', '東京都千代田区', 'القاهرة', 'Москва', '📦🚚 on its way', 'tab\there']) {
      expect(storableText(text)).toBe(text)
    }
  })

  it('reaches every string of a value, keys included, and leaves other values alone', () => {
    const value = {
      name: 'Ada\u0000',
      lines: [{ sku: 'MUG\ud800', quantity: 2 }],
      nested: { 'ke\u0000y': null, ok: true, at: 'Lon\udfffdon' },
    }
    expect(storable(value)).toEqual({
      name: 'Ada\ufffd',
      lines: [{ sku: 'MUG\ufffd', quantity: 2 }],
      nested: { 'ke\ufffdy': null, ok: true, at: 'Lon\ufffddon' },
    })
    expect(JSON.stringify(storable(value))).not.toMatch(/\\u0000|\\ud[89a-f]/)
  })
})
