/**
 * Encoders of the dataset file formats, the inverse of the parsers. Used by the tests to write small
 * files in the real formats; not exported from the package.
 */

/** IDX bytes of uint8 `data` with `shape` (magic `0x0000 08 rank`). */
export function encodeIdx(shape: readonly number[], data: ArrayLike<number>): Uint8Array {
  const header = 4 + 4 * shape.length;
  const out = new Uint8Array(header + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, 0x0800 | shape.length);
  shape.forEach((d, i) => {
    view.setUint32(4 + 4 * i, d);
  });
  out.set(Array.from(data), header);
  return out;
}

/** `.amat` text: per image 784 floats `v/255` in exponent notation, then the label. */
export function encodeAmat(images: Uint8Array, labels: ArrayLike<number>): Uint8Array {
  const lines: string[] = [];
  for (let i = 0; i < labels.length; i++) {
    const px = Array.from(images.subarray(i * 784, (i + 1) * 784), (v) =>
      (v / 255).toExponential(18),
    );
    lines.push(`${px.join(' ')} ${(labels[i] as number).toExponential(18)}`);
  }
  return new TextEncoder().encode(`${lines.join('\n')}\n`);
}

/** CIFAR binary records from HWC uint8 images `[n, 32, 32, 3]` and label bytes `[n, labelBytes]`. */
export function encodeCifar(
  images: Uint8Array,
  labelRows: readonly (readonly number[])[],
): Uint8Array {
  const lb = labelRows[0]?.length ?? 1;
  const rec = lb + 3072;
  const out = new Uint8Array(labelRows.length * rec);
  labelRows.forEach((row, i) => {
    out.set(row, i * rec);
    for (let k = 0; k < 1024; k++) {
      for (let c = 0; c < 3; c++)
        out[i * rec + lb + c * 1024 + k] = images[i * 3072 + 3 * k + c] as number;
    }
  });
  return out;
}

/** STL-10 image bytes (per image, channel planes stored column-major) from HWC `[n, 96, 96, 3]`. */
export function encodeStl10Images(images: Uint8Array): Uint8Array {
  const per = 96 * 96 * 3;
  const out = new Uint8Array(images.length);
  for (let i = 0; i < images.length / per; i++) {
    for (let c = 0; c < 3; c++) {
      for (let x = 0; x < 96; x++) {
        for (let y = 0; y < 96; y++)
          out[i * per + c * 9216 + x * 96 + y] = images[i * per + (y * 96 + x) * 3 + c] as number;
      }
    }
  }
  return out;
}

/** Deterministic pseudo-random bytes (LCG) for test images. */
export function testBytes(n: number, seed = 1): Uint8Array {
  const out = new Uint8Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s >>> 24;
  }
  return out;
}
