const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/** Ids are uuids inside; anything else from a client simply names nothing (and must not reach SQL as a cast error). */
export const isUuid = (value: string): boolean => UUID.test(value)
