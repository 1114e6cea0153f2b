import { runShard } from './shards.js'

runShard(2, 2)
