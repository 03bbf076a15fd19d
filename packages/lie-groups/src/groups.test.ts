import { R2xRplus, Rplus, SE2, Sim2, SO2, SO2xRplus } from './index';
import { describeGroupAxioms } from './testing';

for (const group of [
  SO2,
  Rplus({ maxScale: 1.74 }),
  SO2xRplus({ maxScale: 1.74 }),
  SE2,
  R2xRplus({ maxScale: 2 }),
  Sim2({ maxScale: 1.74 }),
]) {
  describeGroupAxioms(group);
}
