import { createHeicDecoder } from '/work/main/src/media/heic-decoder.ts'
import { readFileSync } from 'node:fs'
const d = createHeicDecoder()
try { console.log(await d.decode(readFileSync('/work/main/test/fixtures/two-colours.heic'), 1e8)) } catch (e) { console.log('ERR', e, e.cause) }
