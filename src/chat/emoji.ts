// A fully-qualified emoji sequence (skin tones, ZWJ families, flags, keycaps) or a lone pictograph
// (a heart typed without its variation selector). Digits and letters are neither.
// Built at run time: the `v` flag (properties of strings) is in Node 20 but newer than the compile target.
// eslint-disable-next-line prefer-regex-literals
const EMOJI = new RegExp('^(?:\\p{RGI_Emoji}|\\p{Extended_Pictographic})$', 'v')
const graphemes = new Intl.Segmenter('en', { granularity: 'grapheme' })

export const MAX_EMOJI_BYTES = 32

/** True when `text` is exactly one emoji: one extended grapheme cluster, at most 32 bytes. */
export function isOneEmoji (text: string): boolean {
  return Buffer.byteLength(text) <= MAX_EMOJI_BYTES && EMOJI.test(text) && [...graphemes.segment(text)].length === 1
}
