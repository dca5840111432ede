#!/usr/bin/env python3
"""Train the seed-004 MNIST network and export it for lvsim.

Network (seed 004_3d35d9faa8d4ddf5, "The experiment of seed 004" in BRIEF.md):
  conv 5x5x32 pad 2 + ReLU + maxpool 2 -> conv 5x5x64 pad 2 + ReLU + maxpool 2
  -> dropout (training only) -> fc 3136->1000 + ReLU -> fc 1000->10.

Input preprocessing is pixel / 255 with no mean subtraction; the exported file
records it in its metadata so the simulator applies the same transform.

Outputs (safetensors: 8-byte little-endian header length, JSON header, raw
little-endian data):
  <out>.safetensors         weights and biases, float32, PyTorch layouts
  <out>.golden.safetensors  logits of the first 1,000 test images (float32)
                            and the predicted class of all 10,000 (uint8)

Run with Debian's interpreter, which has python3-torch:
  /usr/bin/python3 workloads/networks/safetensors/train.py --dataset mnist \
      --data-dir ../shared/data/mnist --out workloads/networks/safetensors/mnist_cnn
"""
import argparse
import gzip
import json
import os
import struct
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


def read_idx(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    zero, dtype, ndim = struct.unpack(">HBB", data[:4])
    if zero != 0 or dtype != 0x08:
        sys.exit(f"{path}: not an unsigned-byte IDX file")
    dims = struct.unpack(">" + "I" * ndim, data[4:4 + 4 * ndim])
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def find(data_dir, stem):
    for name in (stem, stem + ".gz"):
        path = os.path.join(data_dir, name)
        if os.path.exists(path):
            return path
    sys.exit(f"{data_dir}: missing {stem}[.gz]")


def load_split(data_dir, split):
    images = read_idx(find(data_dir, f"{split}-images-idx3-ubyte"))
    labels = read_idx(find(data_dir, f"{split}-labels-idx1-ubyte"))
    x = torch.from_numpy(images.astype(np.float32) / 255.0).unsqueeze(1)
    y = torch.from_numpy(labels.astype(np.int64))
    return x, y


class Seed004Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 32, 5, padding=2)
        self.conv2 = nn.Conv2d(32, 64, 5, padding=2)
        self.dropout = nn.Dropout(0.5)
        self.fc1 = nn.Linear(7 * 7 * 64, 1000)
        self.fc2 = nn.Linear(1000, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        x = self.dropout(torch.flatten(x, 1))
        x = F.relu(self.fc1(x))
        return self.fc2(x)


# The topology as lvsim reads it from the weights file's metadata
# (workloads/network.h): one entry per layer, parameters named "<name>.weight"
# and "<name>.bias" in PyTorch layouts.
LAYERS = [
    {"type": "conv2d", "name": "conv1", "in": 1, "out": 32, "kernel": 5, "padding": 2},
    {"type": "relu"},
    {"type": "maxpool", "size": 2},
    {"type": "conv2d", "name": "conv2", "in": 32, "out": 64, "kernel": 5, "padding": 2},
    {"type": "relu"},
    {"type": "maxpool", "size": 2},
    {"type": "flatten"},
    {"type": "dropout"},
    {"type": "linear", "name": "fc1", "in": 3136, "out": 1000},
    {"type": "relu"},
    {"type": "linear", "name": "fc2", "in": 1000, "out": 10},
]
INPUT_SHAPE = [1, 28, 28]


def write_safetensors(path, tensors, metadata):
    header = {"__metadata__": {k: str(v) for k, v in metadata.items()}}
    blobs = []
    offset = 0
    for name, array in tensors.items():
        array = np.ascontiguousarray(array)
        dtype = {np.dtype(np.float32): "F32", np.dtype(np.uint8): "U8"}[array.dtype]
        raw = array.astype(array.dtype.newbyteorder("<")).tobytes()
        header[name] = {"dtype": dtype, "shape": list(array.shape),
                        "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for raw in blobs:
            f.write(raw)
    os.replace(tmp, path)


def evaluate(model, x, y, batch=1000):
    model.eval()
    logits = []
    with torch.no_grad():
        for i in range(0, len(x), batch):
            logits.append(model(x[i:i + batch]))
    logits = torch.cat(logits)
    accuracy = (logits.argmax(1) == y).float().mean().item()
    return logits, accuracy


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dataset", choices=["mnist", "fashion-mnist"], default="mnist")
    parser.add_argument("--data-dir", required=True)
    parser.add_argument("--out", required=True, help="output path without extension")
    parser.add_argument("--epochs", type=int, default=4)
    parser.add_argument("--batch", type=int, default=128)
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=os.cpu_count())
    parser.add_argument("--min-accuracy", type=float, default=0.0,
                        help="fail unless the test accuracy reaches this fraction")
    args = parser.parse_args()

    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)
    x_train, y_train = load_split(args.data_dir, "train")
    x_test, y_test = load_split(args.data_dir, "t10k")

    model = Seed004Net()
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)
    scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(
        optimizer, T_max=args.epochs * ((len(x_train) + args.batch - 1) // args.batch))
    generator = torch.Generator().manual_seed(args.seed)
    for epoch in range(args.epochs):
        model.train()
        start = time.time()
        order = torch.randperm(len(x_train), generator=generator)
        for i in range(0, len(order), args.batch):
            idx = order[i:i + args.batch]
            loss = F.cross_entropy(model(x_train[idx]), y_train[idx])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            scheduler.step()
        _, accuracy = evaluate(model, x_test, y_test)
        print(f"epoch {epoch + 1}/{args.epochs}: test accuracy {accuracy * 100:.2f} % "
              f"({time.time() - start:.0f} s)", flush=True)

    logits, accuracy = evaluate(model, x_test, y_test)
    if accuracy < args.min_accuracy:
        sys.exit(f"test accuracy {accuracy:.4f} below --min-accuracy {args.min_accuracy}")
    metadata = {"format": "lvsim-network-v1", "network": "seed004-cnn",
                "dataset": args.dataset, "input_scale": repr(1.0 / 255.0),
                "input_shape": json.dumps(INPUT_SHAPE), "layers": json.dumps(LAYERS),
                "test_accuracy": f"{accuracy:.6f}", "epochs": args.epochs,
                "seed": args.seed, "torch": torch.__version__}
    weights = {name: tensor.detach().numpy() for name, tensor in model.state_dict().items()}
    write_safetensors(args.out + ".safetensors", weights, metadata)
    golden = {"logits": logits[:1000].numpy(),
              "predictions": logits.argmax(1).numpy().astype(np.uint8)}
    write_safetensors(args.out + ".golden.safetensors", golden, metadata)
    print(f"wrote {args.out}.safetensors: test accuracy {accuracy * 100:.2f} %")


if __name__ == "__main__":
    main()
