import type { Readable } from 'node:stream'
import type { FastifyRequest } from 'fastify'
import { AppError, payloadTooLarge, validation } from '../src/errors.js'

/** Stops a multipart bomb early: one file, a handful of small fields, few parts. */
export const multipartLimits = (maxUploadBytes: number) =>
  ({ fileSize: maxUploadBytes, files: 1, fields: 8, fieldSize: 20_000, parts: 12, headerPairs: 64 })

/**
 * The file's bytes, refused with 413 the moment busboy reports the limit passed. Not
 * `part.toBuffer()`: that waits for the part to end, which a body that keeps coming never does.
 */
function readWithin (file: Readable & { truncated?: boolean }, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    const tooLarge = (): void => {
      chunks.length = 0
      reject(payloadTooLarge(`The file is larger than ${limit} bytes`))
    }
    // A body that broke off inside the file (the rest never sent) ends busboy's parse with the file
    // destroyed, possibly before these listeners were attached: it would never end nor fail again.
    const brokenOff = (): void => { reject(file.errored ?? validation('The multipart form is malformed')) }
    if (file.destroyed) return brokenOff()
    file.on('data', (chunk: Buffer) => { chunks.push(chunk) })
    file.once('limit', tooLarge)
    // A body that arrived whole may have passed the limit before these listeners were attached.
    file.once('end', () => { if (file.truncated === true) tooLarge(); else resolve(Buffer.concat(chunks)) })
    file.once('error', reject)
    // After 'end' this changes nothing; without it, the file was cut short.
    file.once('close', brokenOff)
  })
}

/**
 * busboy reports a body that breaks the multipart format (cut short, a malformed part header) as a
 * plain `Error`; @fastify/multipart's own refusals carry a status. Either way it is the client's.
 */
function asClientError (err: unknown): unknown {
  if (err instanceof AppError) return err
  if (err instanceof Error && typeof (err as { statusCode?: unknown }).statusCode === 'number') return err
  return validation('The multipart form is malformed')
}

/** A photo form: the text fields, and the bytes of the one file in the field `file` (required, not empty). */
export async function readForm (request: FastifyRequest, maxUploadBytes: number): Promise<{ fields: Record<string, string>, bytes: Buffer }> {
  const fields: Record<string, string> = {}
  let bytes: Buffer | undefined
  try {
    for await (const part of request.parts()) {
      if (part.type === 'file') {
        if (part.fieldname !== 'file') throw validation('The image goes in the field "file"')
        bytes = await readWithin(part.file, maxUploadBytes)
      } else {
        if (typeof part.value !== 'string') throw validation(`Field ${part.fieldname} must be text`)
        fields[part.fieldname] = part.value
      }
    }
  } catch (err) {
    throw asClientError(err)
  }
  if (bytes === undefined || bytes.length === 0) throw validation('A file is required')
  return { fields, bytes }
}
