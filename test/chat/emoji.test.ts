import t from 'tap'
import { isOneEmoji } from '../../src/chat/emoji.js'

t.test('one emoji: skin tones, ZWJ families, flags, keycaps, a heart with or without its selector', async (t) => {
  for (const emoji of ['👍', '👍🏽', '👨‍👩‍👧‍👦', '🏳️‍🌈', '🇫🇷', '1️⃣', '❤️', '❤', '😂']) t.ok(isOneEmoji(emoji), emoji)
})

t.test('not one emoji: text, digits, two emoji, an emoji with text, empty, whitespace', async (t) => {
  for (const text of ['', ' ', 'a', '1', '#', 'ok', '👍👍', '👍 ', '😀x', '🇫', '\u200d', '👍\u0301']) t.notOk(isOneEmoji(text), JSON.stringify(text))
})

t.test('at most 32 bytes', async (t) => {
  const family = '👨‍👩‍👧‍👦' // 25 bytes
  t.ok(isOneEmoji(family))
  t.notOk(isOneEmoji(`${family}\u200d👦`), 'a 29+ byte made-up ZWJ chain is not an RGI emoji')
  t.notOk(isOneEmoji('🏴󠁧󠁢󠁳󠁣󠁴󠁿🏴󠁧󠁢󠁳󠁣󠁴󠁿'), 'two flags')
})
