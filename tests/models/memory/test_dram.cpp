// The DRAM (models/memory/dram.h): its presets, and its row-buffer timing and
// energy on a hand-placed sequence of bursts.
#include <catch2/catch.hpp>

#include "models/accelerator.h"
#include "models/memory/dram.h"

using namespace lvsim;
using Catch::Matchers::Contains;

TEST_CASE("DRAM presets and their errors", "[dram]") {
  CHECK(dram_preset("lpddr4-3200").bandwidth_gb_per_s == 12.8);
  CHECK(dram_preset("ddr4-2400").bandwidth_gb_per_s == 19.2);
  CHECK_THROWS_WITH(dram_preset("hbm9"), Catch::Contains("DRAM preset 'hbm9'") &&
                                             Catch::Contains("lpddr4-3200 or ddr4-2400"));
}

TEST_CASE("DRAM row buffer: hits, empty banks and conflicts, and their energy", "[energy][dram]") {
  fresh_simulation_context();
  DramParams p = dram_preset("lpddr4-3200");
  p.capacity_bytes = 1 << 20;
  Dram dram("dram", p);
  const double transfer = 256 / 12.8;  // ns for 256 bytes
  // Row 0 (bank 0) from closed banks: tRCD + CL + transfer.
  CHECK(dram.access(0, 256).to_seconds() * 1e9 == Approx(18.0 + 17.5 + transfer));
  // The same row again: a hit, CL + transfer.
  CHECK(dram.access(256, 256).to_seconds() * 1e9 == Approx(17.5 + transfer));
  // Row 8 maps to bank 0 again (8 banks): precharge row 0 first.
  CHECK(dram.access(8 * 4096, 256).to_seconds() * 1e9 == Approx(18.0 + 18.0 + 17.5 + transfer));
  // Row 1 (bank 1) is closed.
  CHECK(dram.access(4096, 256).to_seconds() * 1e9 == Approx(18.0 + 17.5 + transfer));
  // A burst across two rows opens the second behind the data.
  CHECK(dram.access(2 * 4096 - 128, 256).to_seconds() * 1e9 == Approx(17.5 + transfer));
  CHECK(dram.stats().row_hits == 2);
  CHECK(dram.stats().row_empty == 3);
  CHECK(dram.stats().row_conflicts == 1);
  // DDR4 costs more per bit than LPDDR4.
  CHECK(dram_preset("ddr4-2400").pj_per_bit > dram_preset("lpddr4-3200").pj_per_bit);
  CHECK_THROWS_WITH(dram_preset("hbm2"), Contains("DRAM preset 'hbm2'"));
}
