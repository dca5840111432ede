#!/usr/bin/env python3
"""Writes the ONNX fuzzing seeds of tests/fuzz/corpus/onnx: two tiny models that
between them use every operator lvsim imports, and two that lvsim refuses (two
graph outputs; a Reshape to [-1, -1]). Run from the repository root with
Debian's interpreter (python3-onnx): /usr/bin/python3 tests/fuzz/make_onnx_seeds.py"""
import numpy as np, onnx
from onnx import helper, numpy_helper, TensorProto as T
rng = np.random.default_rng(0)
def init(name, *shape):
    return numpy_helper.from_array(rng.standard_normal(shape).astype(np.float32), name)
def model(nodes, inits, c, h, w, out="y"):
    g = helper.make_graph(nodes, "seed", [helper.make_tensor_value_info("x", T.FLOAT, [1, c, h, w])],
                          [helper.make_tensor_value_info(out, T.FLOAT, [1, 3])], inits)
    return helper.make_model(g, opset_imports=[helper.make_opsetid("", 14)])
N = helper.make_node
m1 = model([N("Conv", ["x", "w", "b"], ["a"], pads=[1, 1, 1, 1], strides=[2, 2]),
            N("BatchNormalization", ["a", "g", "be", "m", "v"], ["bn"]),
            N("Relu", ["bn"], ["r"]), N("MaxPool", ["r"], ["p"], kernel_shape=[2, 2], strides=[2, 2]),
            N("Flatten", ["p"], ["f"]), N("Gemm", ["f", "fc", "fb"], ["y"], transB=1)],
           [init("w", 4, 1, 3, 3), init("b", 4), init("g", 4), init("be", 4), init("m", 4),
            numpy_helper.from_array(np.ones(4, np.float32), "v"), init("fc", 3, 16), init("fb", 3)], 1, 8, 8)
m2 = model([N("Conv", ["x", "dw"], ["a"], group=2, pads=[1, 1, 1, 1]),
            N("Conv", ["x", "pw"], ["b"]), N("Add", ["a", "b"], ["s"]),
            N("Concat", ["s", "x"], ["c"], axis=1),
            N("Pad", ["c", "pads"], ["pd"]), N("AveragePool", ["pd"], ["ap"], kernel_shape=[2, 2], strides=[2, 2]),
            N("GlobalAveragePool", ["ap"], ["gp"]), N("Reshape", ["gp", "shape"], ["f"]),
            N("MatMul", ["f", "mm"], ["z"]), N("Add", ["z", "bias"], ["z2"]),
            N("Clip", ["z2", "lo", "hi"], ["c2"]), N("LeakyRelu", ["c2"], ["l"], alpha=0.1),
            N("Sigmoid", ["l"], ["sg"]), N("Softmax", ["sg"], ["y"])],
           [init("dw", 2, 1, 3, 3), init("pw", 2, 2, 1, 1),
            numpy_helper.from_array(np.array([0, 0, 1, 1, 0, 0, 1, 1], np.int64), "pads"),
            numpy_helper.from_array(np.array([1, -1], np.int64), "shape"), init("mm", 4, 3), init("bias", 3),
            numpy_helper.from_array(np.array(-1, np.float32), "lo"), numpy_helper.from_array(np.array(1, np.float32), "hi")],
           2, 4, 4)
onnx.checker.check_model(m1); onnx.checker.check_model(m2)
onnx.save(m1, "tests/fuzz/corpus/onnx/cnn_bn.onnx")
onnx.save(m2, "tests/fuzz/corpus/onnx/graph_ops.onnx")
# Refused: two graph outputs (the second was once dropped silently), and a
# Reshape with two -1 entries (once run as a flatten).
m3 = model([N("Conv", ["x", "w"], ["a"]), N("Flatten", ["a"], ["f"]),
            N("Gemm", ["f", "fc"], ["y"], transB=1)],
           [init("w", 2, 1, 3, 3), init("fc", 3, 8)], 1, 4, 4)
m3.graph.output.append(helper.make_tensor_value_info("a", T.FLOAT, [1, 2, 2, 2]))
m4 = model([N("Conv", ["x", "w"], ["a"]), N("Reshape", ["a", "shape"], ["f"]),
            N("Gemm", ["f", "fc"], ["y"], transB=1)],
           [init("w", 2, 1, 3, 3), init("fc", 3, 8),
            numpy_helper.from_array(np.array([-1, -1], np.int64), "shape")], 1, 4, 4)
onnx.save(m3, "tests/fuzz/corpus/onnx/two_outputs.onnx")
onnx.save(m4, "tests/fuzz/corpus/onnx/reshape_two_inferred.onnx")
