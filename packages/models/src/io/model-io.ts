/**
 * @file `saveModel` and `loadModel`: a gcnn model through any tf.io handler or URL scheme that
 * tf.io routes — `http(s)://` (tf.io.http, with its fetch options), `indexeddb://`,
 * `localstorage://` and `downloads://` in browsers, `file://` in Node once
 * `registerFileSystemRouter()` of `@gcnn/models/node` has run — or an `IOHandler` object.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Classifier } from '../classifier';
import { upgradeModelJson } from '../model-file';
import {
  type LoadedModel,
  modelArtifacts,
  modelFromArtifacts,
  type SaveModelOptions,
} from './model-artifacts';

/** Options of {@link loadModel}: tf.io's load options (fetch, request init, progress, …). */
export type LoadModelOptions = tf.io.LoadOptions;

/**
 * Saves a model (its config, `options.normalization`, `options.metadata` and every variable) to
 * `destination`: a URL (`indexeddb://name`, `localstorage://name`, `downloads://name`,
 * `http(s)://…` (POST), `file://dir` in Node after `registerFileSystemRouter()`) or an
 * `IOHandler`. Returns tf.io's `SaveResult`.
 *
 * ```ts
 * await saveModel(model, 'indexeddb://mnist-rot', { normalization: { mean: [0.13], std: [0.3] } });
 * ```
 */
export async function saveModel(
  model: Pick<Classifier, 'config' | 'namedVariables'>,
  destination: string | tf.io.IOHandler,
  options: SaveModelOptions = {},
): Promise<tf.io.SaveResult> {
  const handler = resolveHandler(destination, 'save');
  if (typeof handler.save !== 'function')
    throw new Error(`Error in saveModel: the handler for ${describe(destination)} cannot save`);
  return handler.save(await modelArtifacts(model, options));
}

/**
 * Loads a model saved by {@link saveModel} (or written by `gcnn export`, including gcnn's earlier
 * `version: 1` files) from a URL or an `IOHandler`, validating it entirely before any weight tensor
 * exists (see `modelFromArtifacts`). Errors name the source. `predict` of the result applies the
 * file's input normalization.
 *
 * ```ts
 * const { model, predict } = await loadModel('https://example.org/model/model.json');
 * const logits = predict(pixels); // pixels in [0, 1], [batch, 28, 28, 1]
 * ```
 */
export async function loadModel(
  source: string | tf.io.IOHandler,
  options: LoadModelOptions = {},
): Promise<LoadedModel> {
  const handler =
    typeof source === 'string' && tf.io.isHTTPScheme(source)
      ? tf.io.http(source, { ...options, fetchFunc: upgradingFetch(source, options.fetchFunc) })
      : resolveHandler(source, 'load', options);
  if (typeof handler.load !== 'function')
    throw new Error(`Error in loadModel: the handler for ${describe(source)} cannot load`);
  let artifacts: tf.io.ModelArtifacts;
  try {
    artifacts = await handler.load();
  } catch (e) {
    const message = (e as Error).message;
    throw new Error(
      message.startsWith('Error in loadModel')
        ? message
        : `Error in loadModel: '${describe(source)}' could not be read: ${message}`,
    );
  }
  return modelFromArtifacts(artifacts, describe(source));
}

function resolveHandler(
  target: string | tf.io.IOHandler,
  kind: 'save' | 'load',
  options?: tf.io.LoadOptions,
): tf.io.IOHandler {
  if (typeof target !== 'string') return target;
  const handlers =
    kind === 'save' ? tf.io.getSaveHandlers(target) : tf.io.getLoadHandlers(target, options);
  const op = kind === 'save' ? 'saveModel' : 'loadModel';
  if (handlers.length === 0)
    throw new Error(
      `Error in ${op}: no tf.io handler can ${kind} '${target}' here (http(s):// works where fetch exists; indexeddb://, localstorage:// and downloads:// in browsers; file:// in Node after registerFileSystemRouter() of @gcnn/models/node)`,
    );
  if (handlers.length > 1)
    throw new Error(`Error in ${op}: several tf.io handlers match '${target}'; pass one`);
  return handlers[0] as tf.io.IOHandler;
}

function describe(target: string | tf.io.IOHandler): string {
  if (typeof target === 'string') return target;
  const path = (target as { path?: unknown }).path;
  return typeof path === 'string' ? path : 'the IOHandler';
}

/**
 * A fetch for tf.io.http that upgrades a `version: 1` gcnn model.json (see `upgradeModelJson`)
 * on its way in, so old exports load through tf.io; every other response passes untouched.
 */
function upgradingFetch(url: string, base: typeof fetch | undefined): typeof fetch {
  const doFetch = base ?? ((input, init) => tf.env().platform.fetch(input as string, init));
  return async (input, init) => {
    const response = await doFetch(input, init);
    if (String(input) !== url || !response.ok) return response;
    const text = await response.text();
    let upgraded = text;
    try {
      const json = JSON.parse(text);
      if (json?.format === 'gcnn-model' && json.version === 1)
        upgraded = JSON.stringify(upgradeModelJson(json, url));
    } catch (e) {
      if ((e as Error).message.startsWith('Error in loadModel')) throw e;
    }
    return new Response(upgraded, {
      status: response.status,
      statusText: response.statusText,
      headers: response.headers,
    });
  };
}
