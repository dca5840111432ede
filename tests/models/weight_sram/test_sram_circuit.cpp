// The weight SRAM's circuit (models/weight_sram/sram_circuit.h): Horowitz's
// access energies, V^2 scaling, the alpha-power access time and leakage,
// against values computed by hand.
#include <catch2/catch.hpp>
#include <cmath>

#include "models/weight_sram/sram_circuit.h"

using namespace lvsim;
using Catch::Matchers::Contains;

TEST_CASE("SRAM circuit: Horowitz's table, V^2 energy, alpha-power access time, leakage",
          "[energy][sram]") {
  // The 45 nm points themselves.
  CHECK(sram_read_energy_64bit_pj(8 * 1024) == Approx(10.0));
  CHECK(sram_read_energy_64bit_pj(32 * 1024) == Approx(20.0));
  CHECK(sram_read_energy_64bit_pj(1024 * 1024) == Approx(100.0));
  // Log-log interpolation between them: 16 KB is sqrt(10 * 20).
  CHECK(sram_read_energy_64bit_pj(16 * 1024) == Approx(std::sqrt(200.0)));
  double previous = 0.0;
  for (double kib = 1; kib <= 64 * 1024; kib *= 2) {
    const double e = sram_read_energy_64bit_pj(kib * 1024);
    CHECK(e > previous);
    previous = e;
  }

  const SramCircuitParams p;  // vnom 0.9 V, t_nom 1.8 ns, Vt 0.3 V, alpha 1.3
  // Dynamic energy: 32 bits of a 1 MiB bank at 0.9 V is half of 100 pJ; it scales with V^2.
  CHECK(sram_access_energy_pj(p, 1 << 20, 32, 0.9) == Approx(50.0));
  for (double v : {0.4, 0.5, 0.6, 0.75, 1.0})
    CHECK(sram_access_energy_pj(p, 1 << 20, 32, v) / sram_access_energy_pj(p, 1 << 20, 32, 0.9) ==
          Approx(v * v / 0.81));
  SramCircuitParams scaled = p;
  scaled.tech_scale = 0.5;
  CHECK(sram_access_energy_pj(scaled, 1 << 20, 32, 0.9) == Approx(25.0));

  // Access time: t_nom at vnom, longer at every lower voltage, none at Vt.
  CHECK(sram_access_time_ns(p, 0.9) == Approx(1.8));
  double slower = sram_access_time_ns(p, 0.9);
  for (double v = 0.85; v > 0.32; v -= 0.05) {
    const double t = sram_access_time_ns(p, v);
    CHECK(t > slower);
    slower = t;
  }
  CHECK_THROWS_WITH(sram_access_time_ns(p, 0.3), Contains("threshold"));

  // Leakage: 1 uW/KiB at vnom, falling with the voltage, never negative.
  CHECK(sram_leakage_mw(p, 1024.0 * 1024, 0.9) == Approx(1.024));
  CHECK(sram_leakage_mw(p, 1024.0 * 1024, 0.6) ==
        Approx(1.024 * (0.6 / 0.9) * std::exp(3.0 * (0.6 - 0.9))));
  double leak = sram_leakage_mw(p, 1e6, 1.0);
  for (double v = 0.95; v > 0.3; v -= 0.05) {
    const double l = sram_leakage_mw(p, 1e6, v);
    CHECK(l < leak);
    CHECK(l > 0.0);
    leak = l;
  }
}
