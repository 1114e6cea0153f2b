/**
 * A random id for a message's clientId. crypto.randomUUID exists only in secure contexts, and a
 * family server is often reached over plain http on the home network; getRandomValues works there.
 */
export function newClientId (): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16))
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')
}
