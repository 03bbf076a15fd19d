"""Times the PyTorch reference implementation next to gcnn (`pnpm bench --reference <dir>`).

This script is gcnn's own (MIT). It imports the reference's package `ck_g_cnn` (Knigge et al.,
github.com/david-knigge/separable-group-convolutional-networks, commit e2de2bd) from the folder
given as `--reference` and builds gcnn's benchmark models with the reference's own classes; it
copies none of the reference's code.

Subcommands (each prints one `RESULT <json>` line per measurement on stdout, progress on stderr):

  step      --configs configs.json --config <id>[,<id>...] --mode train16[,infer64...]
            Per configuration × mode: warm-ups, then `--reps` timed calls; the median, as
            benchmarks/src/measure.ts. train<B>: forward + cross-entropy + backward + Adam step
            (model in train mode); infer<B>: eval mode under no_grad. Random inputs in [0, 1).
  main-job  --job job.json
            gcnn's main-job recipe: train on exported data (benchmarks/src/export-dataset.ts),
            then evaluate on the whole test split; times training and evaluation.

`--device cuda` synchronizes around every timed call and reports the peak CUDA memory of each
measurement; peak RSS (`resource.getrusage`) is this process's, over everything it ran, and
`cpuPerCall` its user and system CPU time and minor page faults per timed call (means).
"""
import argparse
import json
import math
import os
import platform
import resource
import sys
import time
import warnings


def fail(message):
    """A usage or input error: one line, no traceback."""
    sys.exit(f"bench_reference.py: {message}")


def log(message):
    print(message, file=sys.stderr, flush=True)


def import_torch(reference, threads, device):
    """Makes `ck_g_cnn` importable from `reference` and sets up torch; returns the torch module."""
    if not os.path.isfile(os.path.join(reference, "ck_g_cnn", "__init__.py")):
        fail(f"--reference {reference} must be the folder holding the package ck_g_cnn/ "
             "(a clone of the reference repository at commit e2de2bd)")
    sys.path.insert(0, os.path.abspath(reference))
    try:
        import torch
    except ImportError:
        fail(f"{sys.executable} has no torch (Debian: apt-get install python3-torch python3-numpy)")
    torch.set_num_threads(threads)
    if device == "cuda" and not torch.cuda.is_available():
        fail("--device cuda: torch.cuda.is_available() is False")
    # The reference calls torch.meshgrid without indexing= on every forward.
    warnings.filterwarnings("ignore", message="torch.meshgrid")
    return torch


# ---- gcnn ModelConfig (packages/models/src/model-config.ts) → the reference's classes ----

SAMPLING = {"discretize": "discretise", "uniform": "uniform"}
NORMALIZATION = {"batchnorm", "instancenorm", "layernorm"}


def model_on(torch, model, device):
    """`model.to(device)`, plain tensor attributes included: the reference computes some grids in
    its constructors from the group's identity and keeps them as plain attributes (not buffers),
    which `Module.to` does not move (on CUDA: "mat2 is on cpu")."""
    model = model.to(device)
    for module in model.modules():
        for name, value in list(vars(module).items()):
            if isinstance(value, torch.Tensor) and value.device != device:
                setattr(module, name, value.to(device))
    return model


def build_model(cfg):
    """The reference's CKGResNet or CKGCNN with the architecture of a gcnn ModelConfig."""
    from ck_g_cnn.groups import SE2, Rplus, Sim2
    from ck_g_cnn.nn import CKGCNN, CKGResNet

    def need(key, ok, expected):
        if key not in cfg or not ok(cfg[key]):
            fail(f"model config: {key} must be {expected}, got {cfg.get(key)!r}")
        return cfg[key]

    group = need("group", lambda v: v in ("SE2", "Sim2", "R2xRplus"), "SE2, Sim2 or R2xRplus")
    if group == "SE2":
        g = SE2()
    else:
        scale = need("maxScale", lambda v: isinstance(v, (int, float)) and v >= 1, "a number >= 1")
        g = Sim2(max_scale=scale) if group == "Sim2" else Rplus(max_scale=scale)
    kn = need("kernelNet", lambda v: isinstance(v, dict), "an object")
    args = dict(
        group=g,
        in_channels=need("inChannels", lambda v: isinstance(v, int) and v > 0, "a positive integer"),
        out_channels=need("numClasses", lambda v: isinstance(v, int) and v > 0, "a positive integer"),
        spatial_in_size=need("imageSize", lambda v: isinstance(v, int) and v > 0, "a positive integer"),
        implementation=need("implementation", lambda v: isinstance(v, str), "an implementation name"),
        num_group_elem=need("sampleCount", lambda v: isinstance(v, (int, list)), "N or [R, S]"),
        kernel_size=need("kernelSize", lambda v: isinstance(v, int) and v > 0, "a positive integer"),
        hidden_sizes=need("hiddenSizes", lambda v: isinstance(v, list) and v, "a list of widths"),
        ck_net_num_hidden=kn["numHidden"],
        ck_net_hidden_size=kn["hiddenSize"],
        ck_net_implementation="SIREN",
        ck_net_first_omega_0=float(kn["firstOmega0"]),
        ck_net_omega_0=float(kn["omega0"]),
        dropout=need("dropout", lambda v: isinstance(v, (int, float)), "a rate"),
        pooling=need("pooling", lambda v: isinstance(v, bool), "true or false"),
        bias=False,
        sampling_method=SAMPLING[need("sampling", lambda v: v in SAMPLING, "discretize or uniform")],
        normalisation=need("normalization", lambda v: v in NORMALIZATION, "batchnorm, instancenorm or layernorm"),
        stride=need("stride", lambda v: isinstance(v, int) and v > 0, "a positive integer"),
    )
    model = need("model", lambda v: v in ("ckgresnet", "ckgcnn"), "ckgresnet or ckgcnn")
    if model == "ckgcnn":
        return CKGCNN(**args)
    return CKGResNet(**args, padding=need("padding", lambda v: isinstance(v, bool), "true or false"),
                     widen_factor=cfg.get("widenFactor", 1))


def parameter_count(model):
    return sum(p.numel() for p in model.parameters() if p.requires_grad)


def peak_rss_mib():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def environment(torch, device):
    env = {"python": platform.python_version(), "torch": torch.__version__,
           "threads": torch.get_num_threads(), "device": device}
    if device == "cuda":
        env["gpu"] = torch.cuda.get_device_name()
    return env


def read_json(path, what):
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except (OSError, ValueError) as e:
        fail(f"{what} {path}: {e}")


# ---- step: one training step or inference call, timed ----

def parse_mode(mode):
    for kind in ("train", "infer"):
        if mode.startswith(kind) and mode[len(kind):].isdigit() and int(mode[len(kind):]) > 0:
            return kind == "train", int(mode[len(kind):])
    fail(f"--mode must be train<B> or infer<B> (e.g. train16, infer64), got {mode!r}")


def time_calls(call, sync, warmup, reps, slow_ms):
    """Times `call` like measure.ts: `warmup` calls, then `reps` timed ones; a first call slower
    than `slow_ms` leaves 1 warm-up and 3 repetitions (2 beyond 4 × slow_ms). Also returns the
    process's CPU time and minor page faults per timed call (means, as measure.ts)."""
    times = []
    usage = {"userMs": 0.0, "systemMs": 0.0, "minorFaults": 0.0}
    i = 0
    while i < warmup + reps:
        sync()
        r0 = resource.getrusage(resource.RUSAGE_SELF)
        t0 = time.perf_counter()
        call()
        sync()
        ms = (time.perf_counter() - t0) * 1000
        r1 = resource.getrusage(resource.RUSAGE_SELF)
        if i == 0 and ms > slow_ms:
            warmup, reps = 1, min(2 if ms > 4 * slow_ms else 3, reps)
        if i >= warmup:
            times.append(ms)
            usage["userMs"] += (r1.ru_utime - r0.ru_utime) * 1000
            usage["systemMs"] += (r1.ru_stime - r0.ru_stime) * 1000
            usage["minorFaults"] += r1.ru_minflt - r0.ru_minflt
        i += 1
    per_call = {key: value / len(times) for key, value in usage.items()}
    return warmup, reps, times, per_call


def step_cell(torch, cfg, config_id, mode, args):
    training, batch = parse_mode(mode)
    device = torch.device(args.device)
    torch.manual_seed(args.seed)
    model = model_on(torch, build_model(cfg), device)
    size, channels = cfg["imageSize"], cfg["inChannels"]
    x = torch.rand(batch, channels, size, size, device=device)
    y = torch.randint(0, cfg["numClasses"], (batch,), device=device)
    if training:
        model.train()
        optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)  # workload.ts' Adam(1e-3)
        loss_fn = torch.nn.CrossEntropyLoss()

        def call():
            optimizer.zero_grad()
            loss_fn(model(x), y).backward()
            optimizer.step()
    else:
        model.eval()

        def call():
            with torch.no_grad():
                model(x)
    cuda = args.device == "cuda"
    sync = torch.cuda.synchronize if cuda else (lambda: None)
    if cuda:
        torch.cuda.reset_peak_memory_stats()
    warmup, reps, times, per_call = time_calls(call, sync, args.warmup, args.reps, args.slow_ms)
    ordered = sorted(times)
    median = ordered[len(ordered) // 2]  # measure.ts' rule (the upper one of an even count)
    result = {
        "config": config_id, "backend": f"torch-{args.device}", "mode": mode, "batch": batch,
        "warmup": warmup, "reps": reps, "params": parameter_count(model),
        "minMs": ordered[0], "medianMs": median, "maxMs": ordered[-1], "timesMs": times,
        "imagesPerSecond": batch * 1000 / median, "peakRssMiB": peak_rss_mib(),
        "cpuPerCall": per_call,
        **environment(torch, args.device),
    }
    if cuda:
        result["peakCudaMiB"] = torch.cuda.max_memory_allocated() / 2 ** 20
    return result


def run_step(args):
    torch = import_torch(args.reference, args.threads, args.device)
    configs = read_json(args.configs, "--configs")
    for config_id in args.config.split(","):
        if config_id not in configs:
            fail(f"--config {config_id} is not in --configs {args.configs} "
                 f"(one of {', '.join(configs)})")
        for mode in args.mode.split(","):
            t0 = time.time()
            try:
                result = step_cell(torch, configs[config_id], config_id, mode, args)
            except RuntimeError as e:  # e.g. out of memory: a row with its error, then the next
                if args.device == "cuda":
                    torch.cuda.empty_cache()
                result = {"config": config_id, "backend": f"torch-{args.device}", "mode": mode,
                          "error": str(e).split("\n")[0][:300]}
            log(f"{config_id} {mode}: {time.time() - t0:.1f} s")
            print("RESULT " + json.dumps(result), flush=True)


# ---- main-job: train, then evaluate, on exported data ----

def read_split(folder, split, shape, num_classes):
    """uint8 images [count, h, w, c] and uint8 labels [count] of export-dataset.ts, sizes checked
    before anything is allocated."""
    import numpy as np
    count = split["count"]
    h, w, c = shape
    files = {"images": (split["images"], count * h * w * c), "labels": (split["labels"], count)}
    for key, (name, expected) in files.items():
        path = os.path.join(folder, name)
        size = os.path.getsize(path) if os.path.isfile(path) else None
        if size != expected:
            fail(f"{path}: expected {expected} bytes of {key} ({count} images), found {size}")
    images = np.fromfile(os.path.join(folder, split["images"]), dtype=np.uint8)
    labels = np.fromfile(os.path.join(folder, split["labels"]), dtype=np.uint8)
    bad = np.nonzero(labels >= num_classes)[0]
    if bad.size:
        fail(f"{split['labels']}: label {labels[bad[0]]} at offset {bad[0]}, expected < {num_classes}")
    return images.reshape(count, h, w, c), labels


def learning_rate(schedule, base, step, steps_per_epoch):
    """gcnn's learningRateAt (packages/training/src/lr-schedule.ts) at optimizer step `step`."""
    kind = schedule["kind"]
    if kind == "constant":
        return base
    epoch, batch = divmod(step, steps_per_epoch)
    t = epoch if kind == "cosine" else epoch + batch / steps_per_epoch
    if kind in ("cosine", "cosine-steps"):
        eta_min = schedule.get("etaMin", 0)
        return eta_min + (base - eta_min) * (1 + math.cos(math.pi * t / schedule["epochs"])) / 2
    fail(f"job: lrSchedule.kind must be constant, cosine or cosine-steps, got {kind!r}")


def batches_of(torch, job, folder, device):
    """The job's splits and a function that turns the images and labels at an index into a
    batch: [n, c, h, w] floats normalized as gcnn's batches, (x / 255 − mean) / std, and labels."""
    data = job["data"]
    shape = (data["height"], data["width"], data["channels"])
    train = read_split(folder, data["train"], shape, data["numClasses"])
    test = read_split(folder, data["test"], shape, data["numClasses"])
    mean = torch.tensor(data["normalization"]["mean"]).view(1, -1, 1, 1).to(device)
    std = torch.tensor(data["normalization"]["std"]).view(1, -1, 1, 1).to(device)

    def batch_of(split, index):
        images, labels = split
        x = torch.from_numpy(images[index]).to(device).permute(0, 3, 1, 2).float() / 255
        return (x - mean) / std, torch.from_numpy(labels[index].astype("int64")).to(device)

    return train, test, batch_of


def train_model(torch, model, cfg, train, batch_of, device):
    """gcnn's recipe: Adam, the learning rate of gcnn's schedule set before every step, a new
    random order every epoch (torch's generator, seeded); returns steps, last epoch's loss and
    accuracy."""
    optimizer = torch.optim.Adam(model.parameters(), lr=cfg["learningRate"],
                                 weight_decay=cfg["optimizer"].get("weightDecay", 0))
    loss_fn = torch.nn.CrossEntropyLoss()
    n, batch = len(train[1]), cfg["batchSize"]
    steps_per_epoch = math.ceil(n / batch)
    order = torch.Generator().manual_seed(cfg["seed"])
    model.train()
    t0 = time.perf_counter()
    step, loss_sum, correct = 0, 0.0, 0
    for epoch in range(cfg["epochs"]):
        perm = torch.randperm(n, generator=order).numpy()
        # Sums stay on the device (no synchronization per step), read once per epoch.
        loss_sum = torch.zeros((), device=device)
        correct = torch.zeros((), dtype=torch.int64, device=device)
        for b in range(steps_per_epoch):
            x, y = batch_of(train, perm[b * batch:(b + 1) * batch])
            for group in optimizer.param_groups:
                group["lr"] = learning_rate(cfg["lrSchedule"], cfg["learningRate"], step,
                                            steps_per_epoch)
            optimizer.zero_grad()
            logits = model(x)
            loss = loss_fn(logits, y)
            loss.backward()
            optimizer.step()
            loss_sum += loss.detach()
            correct += (logits.argmax(1) == y).sum()
            step += 1
        loss_sum, correct = float(loss_sum) / steps_per_epoch, int(correct) / n
        log(f"epoch {epoch + 1}: train loss {loss_sum:.4f}, train acc {correct:.4f} "
            f"({time.perf_counter() - t0:.0f} s)")
    return step, loss_sum, correct


def evaluate_model(torch, model, test, batch_of, eval_batch):
    """Eval mode under no_grad over the whole split; returns mean loss and accuracy."""
    loss_fn = torch.nn.CrossEntropyLoss(reduction="sum")
    model.eval()
    count = len(test[1])
    loss, correct = 0.0, 0
    with torch.no_grad():
        for start in range(0, count, eval_batch):
            x, y = batch_of(test, slice(start, start + eval_batch))
            logits = model(x)
            loss += float(loss_fn(logits, y))
            correct += int((logits.argmax(1) == y).sum())
    return loss / count, correct / count


def run_main_job(args):
    job = read_json(args.job, "--job")
    torch = import_torch(args.reference, args.threads, args.device)
    device = torch.device(args.device)
    cuda = args.device == "cuda"
    sync = torch.cuda.synchronize if cuda else (lambda: None)
    cfg = job["train"]
    if cfg["optimizer"]["name"] != "adam":
        fail(f"job: optimizer must be adam, got {cfg['optimizer']['name']!r}")
    train, test, batch_of = batches_of(torch, job, os.path.dirname(os.path.abspath(args.job)), device)
    torch.manual_seed(cfg["seed"])
    model = model_on(torch, build_model(job["model"]), device)
    log(f"reference main job: {parameter_count(model)} parameters, {len(train[1])} train / "
        f"{len(test[1])} test, {cfg['epochs']} epochs of batch {cfg['batchSize']}")
    sync()
    t0 = time.perf_counter()
    steps, train_loss, train_accuracy = train_model(torch, model, cfg, train, batch_of, device)
    sync()
    t1 = time.perf_counter()
    test_loss, test_accuracy = evaluate_model(torch, model, test, batch_of,
                                              cfg.get("evalBatchSize") or cfg["batchSize"])
    sync()
    t2 = time.perf_counter()
    result = {
        "steps": steps, "trainImages": len(train[1]), "testImages": len(test[1]),
        "params": parameter_count(model), "trainSeconds": t1 - t0, "evalSeconds": t2 - t1,
        "trainLoss": train_loss, "trainAccuracy": train_accuracy,
        "testAccuracy": test_accuracy, "testLoss": test_loss,
        "peakRssMiB": peak_rss_mib(), **environment(torch, args.device),
    }
    if cuda:
        result["peakCudaMiB"] = torch.cuda.max_memory_allocated() / 2 ** 20
    print("RESULT " + json.dumps(result), flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    for name in ("step", "main-job"):
        p = sub.add_parser(name)
        p.add_argument("--reference", required=True, help="folder holding the package ck_g_cnn/")
        p.add_argument("--device", choices=["cpu", "cuda"], default="cpu")
        p.add_argument("--threads", type=int, default=2, help="torch.set_num_threads")
        if name == "step":
            p.add_argument("--configs", required=True, help="JSON: benchmark id → gcnn ModelConfig")
            p.add_argument("--config", required=True, help="benchmark id(s), comma-separated")
            p.add_argument("--mode", required=True, help="train<B> or infer<B>, comma-separated")
            p.add_argument("--warmup", type=int, default=2)
            p.add_argument("--reps", type=int, default=5)
            p.add_argument("--slow-ms", type=float, default=8000)
            p.add_argument("--seed", type=int, default=1)
        else:
            p.add_argument("--job", required=True,
                           help="job.json of benchmarks/src/export-dataset.ts (model, train, data)")
    args = parser.parse_args()
    if args.threads < 1:
        fail(f"--threads must be >= 1, got {args.threads}")
    if args.command == "step":
        if args.warmup < 0 or args.reps < 1:
            fail(f"--warmup must be >= 0 and --reps >= 1, got {args.warmup} and {args.reps}")
        run_step(args)
    else:
        run_main_job(args)


if __name__ == "__main__":
    main()
