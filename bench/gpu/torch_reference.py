#!/usr/bin/env python3
"""PyTorch-from-Python reference for bench GpuTrainingBench: ms per training step of the same
models (Linear+ReLU hidden layers, one logit, BCE-with-logits loss, Adam lr 1e-3) on data already
on the device, on the GPU when torch sees one and on the CPU (all cores). Prints JSON on stdout.

    python3 bench/gpu/torch_reference.py --steps 20
"""
import argparse
import json
import time

import torch

MODELS = {"demo": (32, [64, 32], 256, 4096), "large": (256, [1024, 1024], 4096, 4096)}


def step_ms(device, features, layers, batch, steps):
    torch.manual_seed(42)
    mods, width = [], features
    for units in layers:
        mods += [torch.nn.Linear(width, units), torch.nn.ReLU()]
        width = units
    mods.append(torch.nn.Linear(width, 1))
    model = torch.nn.Sequential(*mods).to(device)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = torch.nn.BCEWithLogitsLoss()
    x = torch.randn(batch, features, device=device)
    y = torch.randint(0, 2, (batch, 1), device=device).float()

    def one():
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
        return loss

    for _ in range(3):
        one()
    if device.type == "cuda":
        torch.cuda.synchronize()
    start = time.perf_counter()
    for _ in range(steps):
        loss = one()
    loss.item()
    if device.type == "cuda":
        torch.cuda.synchronize()
    return (time.perf_counter() - start) * 1000 / steps


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=20)
    args = parser.parse_args()
    out = {"torch": torch.__version__, "cuda": torch.cuda.is_available()}
    devices = [torch.device("cpu")] + ([torch.device("cuda")] if torch.cuda.is_available() else [])
    for name, (features, layers, cpu_batch, gpu_batch) in MODELS.items():
        for device in devices:
            batch = gpu_batch if device.type == "cuda" else cpu_batch
            key = f"{name}_{device.type}_batch{batch}_step_ms"
            out[key] = round(step_ms(device, features, layers, batch, args.steps), 3)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
