import { stdin, stderr } from 'node:process'
import { AdminError } from './commands.js'

/** From the terminal without echo (asked twice), else the first line of stdin. Never from argv. */
export async function readPassword (prompt: string): Promise<string> {
  if (!stdin.isTTY) return firstLine(await readAll())
  const first = await readHidden(`${prompt}: `)
  const again = await readHidden('Repeat it: ')
  if (first !== again) throw new AdminError('the passwords do not match')
  return first
}

async function readAll (): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of stdin) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks).toString('utf8')
}

const firstLine = (text: string): string => text.split(/\r?\n/, 1)[0] ?? ''

function readHidden (prompt: string): Promise<string> {
  return new Promise((resolve, reject) => {
    stderr.write(prompt)
    stdin.setRawMode(true)
    stdin.resume()
    stdin.setEncoding('utf8')
    let value = ''
    const done = (err?: Error): void => {
      stdin.setRawMode(false)
      stdin.pause()
      stdin.off('data', onData)
      stderr.write('\n')
      if (err !== undefined) reject(err)
      else resolve(value)
    }
    const onData = (chunk: string): void => {
      for (const char of chunk) {
        if (char === '\r' || char === '\n') return done()
        if (char === '\u0003') return done(new AdminError('cancelled'))
        if (char === '\u007f' || char === '\b') value = [...value].slice(0, -1).join('')
        else if (char >= ' ') value += char
      }
    }
    stdin.on('data', onData)
  })
}
