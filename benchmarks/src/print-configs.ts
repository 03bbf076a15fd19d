/**
 * Prints benchConfigsJson() (the benchmark configurations' ModelConfigs by id): the `--configs`
 * file of bench_reference.py where no Node runs it for us — benchmarks/gpu/prepare.sh bundles
 * this and writes its output into the device bundle.
 */
import { benchConfigsJson } from './configs';

process.stdout.write(benchConfigsJson());
