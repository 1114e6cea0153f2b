/** A whole server-to-client WebSocket text frame: header and UTF-8 payload, ready for the TCP socket. */
export type TextFrame = Buffer & { readonly __textFrame: true }

const FIN_TEXT = 0x81

/**
 * Frames `text` as RFC 6455 sends it from a server: one final text frame, unmasked, the payload's
 * length in 7 bits, or 126 and 16 bits, or 127 and 64 bits. A frame for many sockets is framed
 * here once; `ws` would frame it again for each socket it is sent to.
 */
export function textFrame (text: string): TextFrame {
  const length = Buffer.byteLength(text)
  const headerLength = length < 126 ? 2 : length < 65_536 ? 4 : 10
  const frame = Buffer.allocUnsafe(headerLength + length)
  frame[0] = FIN_TEXT
  if (length < 126) {
    frame[1] = length
  } else if (length < 65_536) {
    frame[1] = 126
    frame.writeUInt16BE(length, 2)
  } else {
    frame[1] = 127
    frame.writeBigUInt64BE(BigInt(length), 2)
  }
  frame.write(text, headerLength)
  return frame as TextFrame
}
