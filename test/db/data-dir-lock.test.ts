import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { readFileSync, writeFileSync } from 'node:fs'
import t from 'tap'
import { acquireDataDirLock, DataDirLockedError, lockHolder, lockPath } from '../../db/data-dir-lock.js'
import { tempDir } from '../helper.js'
import { eventually } from '../fixtures/eventually.js'

const stateOf = (pid: number): string => {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3)
}

t.test('a live holder keeps the directory; a lock left by a dead process is taken over', async (t) => {
  const dir = tempDir(t)
  const lock = acquireDataDirLock(dir)
  t.equal(lockHolder(dir), process.pid)
  t.throws(() => acquireDataDirLock(dir), DataDirLockedError)
  lock.release()
  writeFileSync(lockPath(dir), '2147483646')
  t.equal(lockHolder(dir), null, 'no such process')
  acquireDataDirLock(dir).release()
})

t.test('a server killed with SIGKILL and not yet reaped (a zombie) holds nothing: a restart takes over at once', { skip: process.platform !== 'linux' && 'zombies are read from /proc' }, async (t) => {
  const dir = tempDir(t)
  // A child that exits at once under a parent that never reaps it. Perl (Debian's perl-base is
  // essential), because a shell may reap its background job itself before it execs into a
  // process that would not: `sh -c 'sleep 0 & echo $!; exec sleep 30'` once left no zombie in CI.
  const parent = spawn('perl', ['-e', '$| = 1; my $pid = fork() // die "fork: $!"; exit 0 if $pid == 0; print "$pid\n"; sleep 30'], { stdio: ['ignore', 'pipe', 'ignore'] })
  t.teardown(() => { parent.kill('SIGKILL') })
  const [chunk] = await once(parent.stdout, 'data') as [Buffer]
  const zombie = Number(chunk.toString().trim())
  await eventually('the child to become a zombie', async () => stateOf(zombie) === 'Z' ? true : undefined)
  writeFileSync(lockPath(dir), String(zombie))
  t.equal(lockHolder(dir), null)
  acquireDataDirLock(dir).release()
})
