#!/usr/bin/env python3
"""Train one of lvsim's shipped ONNX networks with PyTorch and export it.

Networks (--net):
  tutorial-cnn  the seed-004 CNN exactly as seed 004 describes it: the
                adventuresinmachinelearning.com "Convolutional Neural Networks
                Tutorial in PyTorch" (A. Thomas, 2018) - conv 5x5x32 pad 2 +
                ReLU + maxpool 2, conv 5x5x64 pad 2 + ReLU + maxpool 2,
                reshape, dropout, fc 3136->1000, fc 1000->10 (no activation
                between fc1 and fc2), inputs normalised with MNIST's mean
                0.1307 and std 0.3081, Adam lr 0.001, batch 100, 6 epochs.
  lenet5        LeNet-5 as in Dive into Deep Learning (Zhang et al., Sec. 7.6,
                after LeCun et al. 1998): conv 5x5x6 pad 2 + sigmoid + avgpool
                2, conv 5x5x16 + sigmoid + avgpool 2, fc 400->120 + sigmoid,
                fc 120->84 + sigmoid, fc 84->10; MNIST, inputs in [0, 1].
  resnet        a small ResNet (He et al., CVPR 2016) for Fashion-MNIST: conv 3x3
                x16 + BN + ReLU, three basic blocks of 16, 32 and 64 channels
                (the last two stride 2, 1x1 conv + BN shortcuts), global
                average pooling, fc 64->10.
  mobilenet     a MobileNet-style network (Howard et al., 2017) for
                Fashion-MNIST: a 3x3 stride-2 stem, depthwise-separable blocks (depthwise 3x3 + BN +
                ReLU6, pointwise 1x1 + BN + ReLU6) widening to 1024 channels,
                global average pooling, fc 1024->4096->10; ~5.3 M parameters
                (21 MB at fp32), larger than the default weight SRAM.

Outputs:
  <out>.onnx                 torch.onnx.export's file (default opset), with the
                             input preprocessing in its metadata_props:
                             lvsim.input_scale (pixel -> [0,1]), lvsim.input_mean,
                             lvsim.input_std, and lvsim.dataset,
                             lvsim.test_accuracy, lvsim.network
  <out>.golden.safetensors   PyTorch's logits of the first 256 test images
                             (float32, [256][10]) and its predicted class of all
                             10,000 (uint8)

Run with Debian's interpreter (python3-torch, python3-onnx):
  /usr/bin/python3 workloads/networks/onnx/train.py --net lenet5 \
      --data-dir ../shared/data/mnist --out workloads/networks/onnx/lenet5
"""
import argparse
import os
import sys
import time

import numpy as np
import onnx
import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "mnist"))
from train import find, read_idx, write_safetensors  # noqa: E402

GOLDEN_IMAGES = 256


class TutorialCNN(nn.Module):
    """The tutorial's ConvNet, layer for layer."""

    def __init__(self):
        super().__init__()
        self.layer1 = nn.Sequential(nn.Conv2d(1, 32, kernel_size=5, stride=1, padding=2),
                                    nn.ReLU(), nn.MaxPool2d(kernel_size=2, stride=2))
        self.layer2 = nn.Sequential(nn.Conv2d(32, 64, kernel_size=5, stride=1, padding=2),
                                    nn.ReLU(), nn.MaxPool2d(kernel_size=2, stride=2))
        self.drop_out = nn.Dropout()
        self.fc1 = nn.Linear(7 * 7 * 64, 1000)
        self.fc2 = nn.Linear(1000, 10)

    def forward(self, x):
        out = self.layer1(x)
        out = self.layer2(out)
        out = out.reshape(out.size(0), -1)
        out = self.drop_out(out)
        out = self.fc1(out)
        return self.fc2(out)


def lenet5():
    return nn.Sequential(
        nn.Conv2d(1, 6, kernel_size=5, padding=2), nn.Sigmoid(), nn.AvgPool2d(2, 2),
        nn.Conv2d(6, 16, kernel_size=5), nn.Sigmoid(), nn.AvgPool2d(2, 2),
        nn.Flatten(), nn.Linear(16 * 5 * 5, 120), nn.Sigmoid(),
        nn.Linear(120, 84), nn.Sigmoid(), nn.Linear(84, 10))


class BasicBlock(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.shortcut = nn.Sequential()
        if stride != 1 or cin != cout:
            self.shortcut = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False),
                                          nn.BatchNorm2d(cout))

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return F.relu(out + self.shortcut(x))


class SmallResNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(1, 16, 3, 1, 1, bias=False), nn.BatchNorm2d(16),
                                  nn.ReLU())
        self.blocks = nn.Sequential(BasicBlock(16, 16, 1), BasicBlock(16, 32, 2),
                                    BasicBlock(32, 64, 2))
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(64, 10)

    def forward(self, x):
        return self.fc(torch.flatten(self.pool(self.blocks(self.stem(x))), 1))


def separable(cin, cout, stride):
    return nn.Sequential(
        nn.Conv2d(cin, cin, 3, stride, 1, groups=cin, bias=False), nn.BatchNorm2d(cin),
        nn.ReLU6(),
        nn.Conv2d(cin, cout, 1, bias=False), nn.BatchNorm2d(cout), nn.ReLU6())


class MobileNetStyle(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(1, 32, 3, 2, 1, bias=False), nn.BatchNorm2d(32),
                                  nn.ReLU6())
        self.features = nn.Sequential(
            separable(32, 64, 1), separable(64, 128, 2), separable(128, 128, 1),
            separable(128, 256, 2), separable(256, 256, 1), separable(256, 512, 2),
            separable(512, 512, 1), separable(512, 1024, 1))
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.classifier = nn.Sequential(nn.Dropout(0.2), nn.Linear(1024, 4096), nn.ReLU6(),
                                        nn.Linear(4096, 10))

    def forward(self, x):
        return self.classifier(torch.flatten(self.pool(self.features(self.stem(x))), 1))


# name: (constructor, dataset, mean, std, epochs, batch, lr)
NETWORKS = {
    "tutorial-cnn": (TutorialCNN, "mnist", 0.1307, 0.3081, 6, 100, 1e-3),
    "lenet5": (lenet5, "mnist", 0.0, 1.0, 10, 128, 2e-3),
    "resnet": (SmallResNet, "fashion-mnist", 0.2860, 0.3530, 6, 128, 2e-3),
    "mobilenet": (MobileNetStyle, "fashion-mnist", 0.2860, 0.3530, 3, 128, 1e-3),
}


def load_split(data_dir, split, mean, std):
    images = read_idx(find(data_dir, f"{split}-images-idx3-ubyte"))
    labels = read_idx(find(data_dir, f"{split}-labels-idx1-ubyte"))
    # The float operations lvsim does: pixel * (1/255) as float32, then
    # (x - mean) / std.
    x = images.astype(np.float32) * np.float32(1.0 / 255.0)
    x = (x - np.float32(mean)) / np.float32(std)
    return torch.from_numpy(x).unsqueeze(1), torch.from_numpy(labels.astype(np.int64))


def evaluate(model, x, y, batch=500):
    model.eval()
    with torch.no_grad():
        logits = torch.cat([model(x[i:i + batch]) for i in range(0, len(x), batch)])
    return logits, (logits.argmax(1) == y).float().mean().item()


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--net", choices=sorted(NETWORKS), required=True)
    parser.add_argument("--data-dir", required=True)
    parser.add_argument("--out", required=True, help="output path without extension")
    parser.add_argument("--epochs", type=int, help="default: the network's own")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=os.cpu_count())
    parser.add_argument("--min-accuracy", type=float, default=0.0,
                        help="fail unless the test accuracy reaches this fraction")
    args = parser.parse_args()
    make, dataset, mean, std, epochs, batch, lr = NETWORKS[args.net]
    epochs = epochs if args.epochs is None else args.epochs

    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)
    x_train, y_train = load_split(args.data_dir, "train", mean, std)
    x_test, y_test = load_split(args.data_dir, "t10k", mean, std)
    model = make()
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    generator = torch.Generator().manual_seed(args.seed)
    for epoch in range(epochs):
        model.train()
        start = time.time()
        order = torch.randperm(len(x_train), generator=generator)
        for i in range(0, len(order), batch):
            idx = order[i:i + batch]
            loss = F.cross_entropy(model(x_train[idx]), y_train[idx])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        _, accuracy = evaluate(model, x_test, y_test)
        print(f"{args.net} epoch {epoch + 1}/{epochs}: test accuracy {accuracy * 100:.2f} % "
              f"({time.time() - start:.0f} s)", flush=True)

    logits, accuracy = evaluate(model, x_test, y_test)
    if accuracy < args.min_accuracy:
        sys.exit(f"test accuracy {accuracy:.4f} below --min-accuracy {args.min_accuracy}")
    model.eval()
    path = args.out + ".onnx"
    torch.onnx.export(model, x_test[:1], path, input_names=["image"], output_names=["logits"])
    proto = onnx.load(path)
    onnx.checker.check_model(proto)
    for key, value in {"lvsim.network": args.net, "lvsim.dataset": dataset,
                       "lvsim.input_scale": repr(float(np.float32(1.0 / 255.0))),
                       "lvsim.input_mean": repr(mean), "lvsim.input_std": repr(std),
                       "lvsim.test_accuracy": f"{accuracy:.6f}",
                       "lvsim.torch": torch.__version__}.items():
        entry = proto.metadata_props.add()
        entry.key, entry.value = key, value
    onnx.save(proto, path)
    golden = {"logits": logits[:GOLDEN_IMAGES].numpy(),
              "predictions": logits.argmax(1).numpy().astype(np.uint8)}
    write_safetensors(args.out + ".golden.safetensors", golden,
                      {"network": args.net, "dataset": dataset,
                       "test_accuracy": f"{accuracy:.6f}"})
    print(f"wrote {path} ({os.path.getsize(path) / 1e6:.1f} MB): "
          f"test accuracy {accuracy * 100:.2f} %")


if __name__ == "__main__":
    main()
