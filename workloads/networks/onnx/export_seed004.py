#!/usr/bin/env python3
"""Exports the built-in seed-004 network (workloads/networks/safetensors/mnist_cnn.safetensors)
to ONNX with torch.onnx.export, so one network can be timed through both of
lvsim's readers (scripts/bench-networks).

  /usr/bin/python3 workloads/networks/onnx/export_seed004.py OUT.onnx
"""
import json
import os
import struct
import sys

import numpy as np
import onnx
import torch

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(here, "..", "mnist"))
from train import Seed004Net  # noqa: E402


def read_safetensors(path):
    with open(path, "rb") as f:
        data = f.read()
    (length,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + length])
    tensors = {}
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        start, end = entry["data_offsets"]
        raw = data[8 + length + start:8 + length + end]
        tensors[name] = torch.from_numpy(
            np.frombuffer(raw, dtype="<f4").reshape(entry["shape"]).copy())
    return tensors, header.get("__metadata__", {})


def main():
    out = sys.argv[1]
    tensors, metadata = read_safetensors(os.path.join(here, "..", "mnist", "mnist_cnn.safetensors"))
    model = Seed004Net().eval()
    model.load_state_dict(tensors)
    torch.onnx.export(model, torch.zeros(1, 1, 28, 28), out)
    proto = onnx.load(out)
    for key, value in {"lvsim.network": "seed004-cnn", "lvsim.dataset": "mnist",
                       "lvsim.input_scale": metadata["input_scale"]}.items():
        entry = proto.metadata_props.add()
        entry.key, entry.value = key, value
    onnx.save(proto, out)


if __name__ == "__main__":
    main()
