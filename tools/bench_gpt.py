"""Benchmark one training step of the capstone GPT (chapter 6.3) on whatever device is here.

Usage (from the repository root; `make bench` runs the CPU-scale default):
    python tools/bench_gpt.py [--config cpu|baby] [--batch-size N] [--steps N] [--dtype fp32|bf16]
                              [--compile] [--no-fused] [--device cpu|cuda]

Prints ms/iter, tokens/s, peak memory, the warm-up time (which includes compilation with --compile),
achieved FLOP/s and model FLOPs utilisation (MFU). --compile works on CPU too if a C++ compiler is installed;
without one (or if compilation fails) it prints the reason and exits with status 2. The MFU
denominator is the GPU's datasheet bf16 peak (lmbook.assumptions.peak_flops_for) on CUDA, and the
measured matmul peak of this CPU in the same precision (lmbook.gpt.measure_matmul_peak) on CPU. The measurement itself
is lmbook.gpt.benchmark_gpt, taught in notebooks/ch06_capstone/03_benchmark.ipynb.
"""
from __future__ import annotations

import argparse
import dataclasses
import shutil
import sys


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", default="cpu", help="a name in lmbook.gpt.BENCH_CONFIGS (cpu, baby)")
    parser.add_argument("--batch-size", type=int, default=None, help="default: the config's batch size")
    parser.add_argument("--steps", type=int, default=5, help="timed training steps (median reported)")
    parser.add_argument("--warmup", type=int, default=2, help="untimed steps first (compilation happens here)")
    parser.add_argument("--dtype", choices=("fp32", "bf16"), default="fp32", help="bf16 = autocast to bfloat16")
    parser.add_argument("--compile", action="store_true", help="torch.compile the model first")
    parser.add_argument("--no-fused", action="store_true", help="hand-written attention instead of SDPA")
    parser.add_argument("--device", default=None, help="default: cuda if available, else cpu")
    args = parser.parse_args(argv)

    import torch

    from lmbook import assumptions
    from lmbook.gpt import BENCH_CONFIGS, benchmark_gpt, gpt_flops_per_token, measure_matmul_peak

    if args.config not in BENCH_CONFIGS:
        parser.error(f"--config must be one of {sorted(BENCH_CONFIGS)}")
    device = torch.device(args.device or ("cuda" if torch.cuda.is_available() else "cpu"))
    if args.compile and device.type == "cpu" and not any(shutil.which(c) for c in ("g++", "c++", "cc")):
        print("--compile skipped: no C++ compiler (g++, c++ or cc) found; torch.compile on CPU compiles its "
              "generated kernels with one. Install one (e.g. apt install g++) or drop --compile.")
        return 2
    cfg, batch_size = BENCH_CONFIGS[args.config]
    cfg = dataclasses.replace(cfg, fused_attention=not args.no_fused)
    batch_size = args.batch_size or batch_size
    if device.type == "cuda":
        name = torch.cuda.get_device_name(device)
        peak = assumptions.peak_flops_for(name) or measure_matmul_peak(device, torch.bfloat16, n=4096)
        peak_source = f"{name}: datasheet bf16 peak" if assumptions.peak_flops_for(name) else f"{name}: measured bf16 matmul"
    else:
        dtype = torch.bfloat16 if args.dtype == "bf16" else torch.float32
        peak, peak_source = measure_matmul_peak(device, dtype), f"measured {args.dtype} matmul peak of this CPU"
    try:
        result = benchmark_gpt(cfg, batch_size=batch_size, peak_flops=peak, device=device,
                               amp_dtype=torch.bfloat16 if args.dtype == "bf16" else None, compile=args.compile,
                               steps=args.steps, warmup=args.warmup)
    except Exception as err:  # noqa: BLE001 - a compiler/backend failure is reported, not a traceback
        if not args.compile:
            raise
        print(f"--compile failed on {device}: {type(err).__name__}: {str(err).splitlines()[0][:300]}")
        return 2
    print(f"config {args.config}: {cfg.n_layers} layers x d_model {cfg.d_model}, seq_len {cfg.seq_len}, "
          f"vocab {cfg.vocab_size}, batch {batch_size}, {gpt_flops_per_token(cfg) / 1e6:.1f} MFLOP/token")
    print(f"device {result.device}  dtype {result.dtype}  compile {result.compiled}  fused attention {result.fused_attention}")
    print(f"ms/iter {result.ms_per_iter:.1f}  tokens/s {result.tokens_per_s:,.0f}  peak memory {result.peak_mem_mib:,.0f} MiB  "
          f"warm-up {args.warmup} steps {result.warmup_s:.1f} s{' (includes compilation)' if args.compile else ''}")
    print(f"achieved {result.achieved_flops / 1e9:,.1f} GFLOP/s  peak {peak / 1e9:,.1f} GFLOP/s ({peak_source})  "
          f"MFU {result.mfu:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
