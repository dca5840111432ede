// A voltage domain of the weight SRAM: a range of words on one supply. The
// same struct is carried from the configuration (per-layer supplies, layers
// kept out of the low-voltage array) through the fault mechanisms to the
// energy report: the platform fills the range and the supply, the SRAM what
// its models give at that supply, and its reads and writes fill the counts.
#pragma once

#include <cstdint>

namespace lvsim {

struct VoltageDomain {
  // Given by the platform (models/accelerator.cpp, voltage_domains).
  uint64_t first_word = 0;
  uint64_t end_word = 0;  // one past the last
  double vdd_v = 0.9;
  bool faults = true;  // false: kept out of the low-voltage array, fault-free

  // What the SRAM's models give at vdd_v (0 where a mechanism is off), the
  // cells' Vmin moved by the chip's condition (chip_condition.h).
  double vmin_shift_v = 0.0;       // aging + temperature + the chip's die-to-die offset
  double upset_probability = 0.0;  // per bit or word read
  double weak_fraction = 0.0;      // of the cells: those whose Vmin lies above vdd_v
  // Of the cells, those that were weak when the self-test's fault map was
  // taken (a manufacturing test: before aging); negative: as weak_fraction.
  double weak_fraction_at_test = -1.0;
  // Writes (DMA loads, refreshes, streamed loads) at write_vdd_v: vdd_v
  // unless weight_sram.write_vdd_v raises it; of the cells, those weak there
  // (negative: as weak_fraction).
  double write_vdd_v = 0.9;
  double write_weak_fraction = -1.0;
  int access_cycles = 1;
  int write_access_cycles = 1;
  double access_pj = 0.0;        // one word access, all stored bits
  double write_access_pj = 0.0;  // one word write at write_vdd_v
  double leakage_mw = 0.0;       // of the domain's physical words

  // Counted during the run, for the energy model.
  uint64_t words_read = 0;
  uint64_t words_written = 0;       // by DMA (loads and refreshes)
  uint64_t words_written_back = 0;  // by reads (upsets, read disturb, ECC scrubbing)
  uint64_t self_test_accesses = 0;  // word reads and writes of the power-up self-test

  uint64_t words() const { return end_word - first_word; }
  double write_fraction() const {
    return write_weak_fraction < 0.0 ? weak_fraction : write_weak_fraction;
  }
  double tested_fraction() const {
    return weak_fraction_at_test < 0.0 ? weak_fraction : weak_fraction_at_test;
  }
};

}  // namespace lvsim
