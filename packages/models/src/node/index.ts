/**
 * @file `@gcnn/models/node`: the Node-only part of `@gcnn/models` — a tf.io file-system handler
 * and the `file://` router (tfjs-core has none without tfjs-node).
 */
export {
  type FileSystemOptions,
  fileSystem,
  MAX_SHARD_BYTES,
  registerFileSystemRouter,
} from './file-system';
