import { parentPort } from 'node:worker_threads'
import decode from 'heic-decode'

// libheif compiled to WASM: HEVC decoding that sharp's prebuilt libvips lacks. It runs here, off
// the main thread, so a 12 MP iPhone photo does not stall every other request while it decodes.
parentPort!.on('message', async ({ id, bytes, maxPixels }: { id: number, bytes: Uint8Array, maxPixels: number }) => {
  try {
    const images = await decode.all({ buffer: bytes })
    let decoded
    try {
      const [image] = images
      if (image === undefined) throw new Error('no image in the file')
      if (image.width * image.height > maxPixels) {
        parentPort!.postMessage({ id, tooLarge: true })
        return
      }
      decoded = await image.decode()
    } finally {
      images.dispose()
    }
    const { width, height, data } = decoded
    const pixels = new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
    parentPort!.postMessage({ id, width, height, pixels }, [pixels.buffer as ArrayBuffer])
  } catch (err) {
    parentPort!.postMessage({ id, error: err instanceof Error ? err.message : String(err) })
  }
})
