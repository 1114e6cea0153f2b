import t from 'tap'
import { createFloodGuard, type FloodVerdict } from '../../src/realtime/flood-guard.js'

const LIMIT = { max: 20, windowMs: 1000 }

/** Plays `burst` frames every `everyMs` for `seconds` against a guard on a fake clock; when is it closed? */
function play (burst: number, everyMs: number, seconds: number): { closedAtMs: number | null, limited: number } {
  let clock = 0
  const guard = createFloodGuard(LIMIT, () => clock)
  let limited = 0
  for (; clock <= seconds * 1000; clock += everyMs) {
    for (let i = 0; i < burst; i++) {
      const verdict: FloodVerdict = guard()
      if (verdict === 'close') return { closedAtMs: clock, limited }
      if (verdict === 'limited') limited++
    }
  }
  return { closedAtMs: null, limited }
}

const flooding: Array<[string, number, number]> = [
  ['20 frames every 50 ms (20× the limit)', 20, 50],
  ['one frame every 10 ms (5×)', 1, 10],
  ['40 frames every second (2×)', 40, 1000],
  ['30 frames every 900 ms, each burst past the bucket (1.7×)', 30, 900],
  ['2 frames every 70 ms (1.4×)', 2, 70],
  ['100 frames every 3 s (1.7×, long pauses)', 100, 3000]
]
for (const [rhythm, burst, everyMs] of flooding) {
  t.test(`closed, whatever the rhythm: ${rhythm}`, async (t) => {
    const { closedAtMs, limited } = play(burst, everyMs, 60)
    t.ok(limited > 0, 'limited first')
    t.not(closedAtMs, null, 'then closed')
  })
}

const withinLimits: Array<[string, number, number]> = [
  ['exactly the limit, evenly (20/s)', 1, 50],
  ['a burst of the whole bucket every second', 20, 1000],
  ['a burst of 30 (10 refused) every 5 s', 30, 5000],
  ['1.2× the limit in small bursts', 6, 250]
]
for (const [rhythm, burst, everyMs] of withinLimits) {
  t.test(`not closed: ${rhythm}`, async (t) => {
    t.equal(play(burst, everyMs, 120).closedAtMs, null)
  })
}

t.test('one burst past the limit is forgiven after a few seconds of good conduct', async (t) => {
  let clock = 0
  const guard = createFloodGuard(LIMIT, () => clock)
  const verdicts = Array.from({ length: 40 }, () => guard())
  t.equal(verdicts.filter((v) => v === 'limited').length, 20, 'the bucket passes 20, refuses 20')
  t.notOk(verdicts.includes('close'))
  clock += 5000
  const again = Array.from({ length: 40 }, () => guard())
  t.notOk(again.includes('close'), 'a second burst after 5 s is limited again, not closed')
})
