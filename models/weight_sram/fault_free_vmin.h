// The fault-free Vmin: the lowest supply at which a chip holds no weak cell
// in the bits that store its weights, with probability `yield` over chips.
// Savings below it are bought by fault tolerance; above it, by removing
// guardband alone.
//
// A cell is weak at V when its Vmin, moved by the chip's condition
// (chip_condition.h), lies above V: a fraction p(V - shift) of the cells, the
// fault model's weak-cell fraction (whatever mechanism a run simulates). With
// independent cells a chip of die-to-die offset o holds none among B bits with
// probability exp(-B p(V - shift(V) - o)); over chips, o ~ Normal(0,
// chip.vmin_sigma_v):
//     Y(V) = E_o[ exp(-B p(V - shift(V) - o)) ],   V_ff = min { V : Y(V) >= yield }.
#pragma once

#include <cstdint>

#include "models/weight_sram/weight_sram.h"

namespace lvsim {

// Y(V) above, for `bits` bits at the supply `vdd_v` of the SRAM `params` describe.
double fault_free_chip_share(const WeightSramParams& params, double bits, double vdd_v);

// V_ff above, found by bisection to 0.1 mV between the access-time model's
// threshold and the fault model's highest voltage; NaN when even that holds
// weak cells with more than 1 - yield probability.
double fault_free_vmin_v(const WeightSramParams& params, double bits, double yield);

}  // namespace lvsim
