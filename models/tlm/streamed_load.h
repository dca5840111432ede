// The DMA protocol of streamed weights (models/controller.h): a layer whose
// weights do not fit the weight SRAM is brought from DRAM for every batch.
// Each burst of such a layer is one transaction to the DRAM (READ) and one to
// the weight SRAM (WRITE) carrying a StreamedLoad: "this burst happens
// `loads` times, once before each of the next `loads` batches". The bytes are
// the same every time (DRAM's weight image never changes), so they move once;
// each target charges its time, counts and energy `loads` times over. The
// weight SRAM gives its streamed words their fresh value before every batch of
// the array's reads (models/weight_sram/weight_sram.h), which is what the loads do.
#pragma once

#include <cstdint>
#include <tlm>

namespace lvsim {

struct StreamedLoad : tlm::tlm_extension<StreamedLoad> {
  uint32_t loads = 1;
  // The first burst of each batch's load (of all the streamed layers): the
  // weight SRAM's rail moves to the write supply and back once per load.
  bool opens_load = false;

  tlm::tlm_extension_base* clone() const override { return new StreamedLoad(*this); }
  void copy_from(const tlm::tlm_extension_base& other) override {
    *this = static_cast<const StreamedLoad&>(other);
  }
};

}  // namespace lvsim
