/** The prediction panel: the predicted class, its probability and the label, over a bar chart. */
import { argmax } from './features-panel';
import { byId, drawBars, el } from './render';

/** Shows `probs` (and the digit's `label`, if known); returns the predicted class. */
export function renderPrediction(probs: number[], label: number | null): number {
  const predicted = argmax(probs);
  drawBars(
    byId('bars'),
    probs,
    probs.map((_, i) => String(i)),
  );
  byId('result').replaceChildren(
    'Prediction: ',
    el('strong', String(predicted)),
    ` (${(100 * (probs[predicted] as number)).toFixed(1)}%)`,
    label !== null ? el('span', ` · label ${label}`, 'hint') : '',
  );
  return predicted;
}
