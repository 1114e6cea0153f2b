export * from './users.js'
export * from './sessions.js'
export * from './rooms.js'
export * from './messages.js'
