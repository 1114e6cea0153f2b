import { runShard } from './shards.js'

runShard(1, 2)
