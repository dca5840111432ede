#!/usr/bin/env python3
"""PyTorch's batch-1 inference speed for a shipped network, the yardstick of
scripts/bench-networks: the same architecture as workloads/networks/onnx/train.py builds
(weights do not change the speed), eval mode, no autograd, one image per call.
Prints one line: "<net> pytorch batch-1 <images/s> images/s (<threads> threads)".

  /usr/bin/python3 workloads/networks/onnx/bench_pytorch.py --net lenet5 [--images 2000]
"""
import argparse
import importlib.util
import os
import time

import torch

# workloads/networks/onnx/train.py, under a name of its own (it imports workloads/networks/safetensors/train.py).
_spec = importlib.util.spec_from_file_location(
    "onnx_train", os.path.join(os.path.dirname(os.path.abspath(__file__)), "train.py"))
_train = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_train)
NETWORKS = _train.NETWORKS


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--net", choices=sorted(NETWORKS), required=True)
    parser.add_argument("--images", type=int, default=2000)
    parser.add_argument("--threads", type=int, default=os.cpu_count())
    args = parser.parse_args()
    torch.manual_seed(0)
    torch.set_num_threads(args.threads)
    model = NETWORKS[args.net][0]().eval()
    x = torch.rand(args.images, 1, 28, 28)
    best = 0.0
    with torch.no_grad():
        for _ in range(50):
            model(x[:1])  # warm up
        for _ in range(3):
            start = time.perf_counter()
            for i in range(args.images):
                model(x[i:i + 1])
            best = max(best, args.images / (time.perf_counter() - start))
    print(f"{args.net} pytorch batch-1 {best:.0f} images/s ({args.threads} threads)")


if __name__ == "__main__":
    main()
