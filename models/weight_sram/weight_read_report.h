// The protocol between the MAC array and the weight SRAM's array port. The
// array reads the SRAM's words through a DMI pointer (the functional data) and
// reports each burst of reads in an IGNORE-command transaction carrying a
// WeightReadReport; the SRAM charges their time, draws their faults, applies
// the mitigation, writes the result back and lists the words that changed.
#pragma once

#include <cstdint>
#include <tlm>
#include <vector>

namespace lvsim {

// A word the reads changed: the batch (counted from the report's first) whose
// reads changed it, the word index in the SRAM, its new data bits and the bits
// it held before (so the initiator needs no copy of the array to see which
// fields changed).
struct WordChange {
  uint32_t batch;
  uint32_t word;
  uint32_t value;
  uint32_t old;
};

// "The initiator read the words [address, address + length) through its DMI
// pointer for `batches` batches of the MAC array, each batch reading every
// word `reads_per_batch` times" (a dataflow streaming weights re-reads them).
// The SRAM fills `changes`, ordered by batch, then by read within the batch,
// then by word.
struct WeightReadReport : tlm::tlm_extension<WeightReadReport> {
  uint32_t batches = 1;
  uint32_t reads_per_batch = 1;
  int field_bits = 32;  // the words pack 32 / field_bits weights (the `sign` mitigation)
  std::vector<WordChange>* changes = nullptr;

  tlm::tlm_extension_base* clone() const override { return new WeightReadReport(*this); }
  void copy_from(const tlm::tlm_extension_base& other) override {
    *this = static_cast<const WeightReadReport&>(other);
  }
};

// "Test yourself": the controller's power-up request to the weight SRAM's
// built-in self-test (an IGNORE command over the whole array). An SRAM whose
// mitigation uses a fault map runs its March test, maps its weak cells and
// adds the test's time to the delay; any other answers at once. The SRAM
// says how many cells it mapped.
struct SelfTestRequest : tlm::tlm_extension<SelfTestRequest> {
  uint64_t mapped_cells = 0;

  tlm::tlm_extension_base* clone() const override { return new SelfTestRequest(*this); }
  void copy_from(const tlm::tlm_extension_base& other) override {
    *this = static_cast<const SelfTestRequest&>(other);
  }
};

}  // namespace lvsim
