import type { ReplicaWorker } from './launch-replica-workers';

/** A worker's part of a scattered batch: the worker (its replica, its buffers), its rows and its reply. */
export interface ShardReply<Reply> {
  worker: ReplicaWorker;
  /** Rows of the batch the replica computed. */
  size: number;
  reply: Reply;
}

/**
 * Runs one batch over all replicas, split into contiguous shards of `sizes[r]` rows (replica 0,
 * this thread, takes the first rows):
 * 1. `send(worker, offset, size)` hands each worker with a non-empty shard its rows;
 * 2. `computeOwn()` computes replica 0's shard here while the workers compute theirs;
 * 3. every worker's reply is awaited.
 * If `computeOwn` throws, the workers are awaited, then the error is rethrown; if a worker fails,
 * `disposeOwn` releases this thread's result and the worker's error is thrown. Used by both the
 * trainer's steps (gradients) and its predictions (logits).
 */
export async function scatterShards<Own, Reply>(options: {
  workers: readonly ReplicaWorker[];
  sizes: readonly number[];
  send: (worker: ReplicaWorker, offset: number, size: number) => Promise<Reply>;
  computeOwn: () => Own;
  disposeOwn: (own: Own) => void;
}): Promise<{ own: Own; replies: Array<ShardReply<Reply>> }> {
  const { workers, sizes } = options;
  const waits: Array<{ worker: ReplicaWorker; size: number; reply: Promise<Reply> }> = [];
  let offset = sizes[0] as number;
  for (const worker of workers) {
    const size = sizes[worker.replica] as number;
    if (size > 0) {
      waits.push({ worker, size, reply: options.send(worker, offset, size) });
    }
    offset += size;
  }
  let own: Own;
  try {
    own = options.computeOwn();
  } catch (error) {
    await Promise.allSettled(waits.map((w) => w.reply));
    throw error;
  }
  const settled = await Promise.allSettled(waits.map((w) => w.reply));
  const replies: Array<ShardReply<Reply>> = [];
  for (const [k, result] of settled.entries()) {
    if (result.status === 'rejected') {
      options.disposeOwn(own);
      throw result.reason;
    }
    const { worker, size } = waits[k] as { worker: ReplicaWorker; size: number };
    replies.push({ worker, size, reply: result.value });
  }
  return { own, replies };
}
