// ONNX import: a model file as torch.onnx.export writes it becomes a Network
// (a graph of layers in topological order), read with the ONNX project's own
// protobuf classes (Debian's libonnx-dev), not a hand-written parser.
//
// Operators: those of onnx_operators() below (opsets 9 to 18; torch.onnx.export
// in PyTorch 1.13 writes 14), one table in onnx.cpp that both imports each
// node and lists them. Anything else is an lvsim::Error naming the node, its
// operator and this set.
//
// Tensors are NCHW in ONNX and HWC per image in lvsim: convolution weights are
// reordered to [oc][ky][kx][ic/groups], and the columns of a matrix product
// fed by a flattened feature map from (c, h, w) to (h, w, c) order.
// Initializers are the weights: float32, float16 or float64 (stored as
// float32). The input preprocessing comes from the model's metadata_props:
// lvsim.input_scale (pixel -> value, default 1/255), lvsim.input_mean (0) and
// lvsim.input_std (1): value = (pixel * scale - mean) / std; lvsim.network,
// lvsim.dataset and lvsim.test_accuracy are read when present.
#pragma once

#include <string>
#include <vector>

#include "workloads/network.h"

namespace lvsim {

Network load_onnx(const std::string& path);
// The same from the file's bytes (`path` names it in errors).
Network parse_onnx(const std::string& bytes, const std::string& path);

// An operator the importer handles, and what of it.
struct OnnxOperator {
  std::string name;     // the node's op_type
  std::string support;  // what lvsim imports of it, one line
};
// In the order the README lists them.
std::vector<OnnxOperator> onnx_operators();
// `lvsim operators`: a name and its support per line; and with --markdown the
// README's table (between <!-- onnx-operators:begin/end -->, which
// scripts/update-key-docs rewrites and a test compares).
std::string onnx_operators_text();
std::string onnx_operators_markdown();

}  // namespace lvsim
