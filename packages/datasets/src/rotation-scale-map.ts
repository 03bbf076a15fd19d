import { detSinCos } from './internal/det-trig';
import type { InverseMap } from './warp-image';

/**
 * The {@link InverseMap} of a rotation by `angle` radians, counter-clockwise as displayed (y down),
 * followed by an isotropic rescale by `scale` about the center (`scale < 1` zooms out).
 * Uses engine-independent sin/cos so the map is bit-identical everywhere.
 */
export function rotationScaleMap(angle: number, scale = 1): InverseMap {
  const [s, c] = detSinCos(angle);
  return [c / scale, -s / scale, s / scale, c / scale];
}
