// The TLM targets as an initiator meets them: bursts move the right bytes with
// the modelled latency, and malformed payloads (bad addresses, byte enables,
// streaming, missing or foreign extensions, bad report fields) get error
// responses, never a crash, and leave time and statistics untouched.
#include <catch2/catch.hpp>
#include <numeric>

#include "models/accelerator.h"
#include "models/memory/activation_buffer.h"
#include "models/memory/dram.h"
#include "models/tlm/burst.h"
#include "models/weight_sram/weight_sram.h"
#include "tests/support/tlm_harness.h"
#include "workloads/common/error.h"

using namespace lvsim;
using lvsim::test::Response;
using lvsim::test::TlmHarness;

namespace {

DramParams small_dram(const std::string& preset, uint64_t bytes) {
  DramParams params = dram_preset(preset);
  params.capacity_bytes = bytes;
  return params;
}

WeightSramParams small_sram(uint64_t bytes) {
  WeightSramParams params;
  params.capacity_bytes = bytes;
  return params;
}

// Sends a burst whose payload `prepare` spoils; the target must refuse it
// with `status` and charge nothing.
template <typename Prepare>
void check_refused(TlmHarness& host, int port, tlm::tlm_command command, uint64_t address,
                   uint64_t bytes, tlm::tlm_response_status status, Prepare prepare) {
  std::vector<unsigned char> data(bytes + 64);
  const Response response = host.send_prepared(port, command, address, data.data(), bytes, prepare);
  CHECK(response.status == status);
  CHECK(response.delay == sc_core::SC_ZERO_TIME);
}

template <typename Stats>
bool untouched(const Stats& stats) {
  return stats.words_read == 0 && stats.words_written == 0 && stats.busy_cycles == 0;
}

}  // namespace

TEST_CASE("a DMA burst moves the right bytes DRAM -> SRAM with the modelled latency", "[tlm]") {
  fresh_simulation_context();
  Dram dram("dram", small_dram("lpddr4-3200", 4096));
  WeightSramParams sram_params = small_sram(4096);
  sram_params.banks = 16;
  WeightSram sram("sram", sram_params);
  TlmHarness dma("dma", 3);
  dma.port(0).bind(dram.socket);
  dma.port(1).bind(sram.dma_socket);
  dma.port(2).bind(sram.array_socket);

  std::vector<uint8_t> golden(4096);
  std::iota(golden.begin(), golden.end(), 0);  // 0, 1, ..., 255, 0, 1, ...
  dram.preload(0, golden.data(), golden.size());

  std::vector<unsigned char> buffer(1024);
  const Response from_dram = dma.read(0, 512, buffer);
  REQUIRE(from_dram.ok());
  CHECK(std::equal(buffer.begin(), buffer.end(), golden.begin() + 512));
  // LPDDR4-3200: 35.5 ns to the first beat, then 1024 B at 12.8 B/ns = 80 ns.
  CHECK(from_dram.delay.to_seconds() * 1e9 == Approx(35.5 + 80.0));

  const Response into_sram = dma.write(1, 512, buffer);
  REQUIRE(into_sram.ok());
  // 256 words over 16 banks = 16 cycles, plus 1 cycle of access latency, at 2 ns.
  CHECK(into_sram.delay == sc_core::sc_time(34, sc_core::SC_NS));
  CHECK(dma.invalidations() == 1);  // the array's view of those words is stale now

  std::vector<unsigned char> readback(1024);
  REQUIRE(dma.debug_read(1, 512, readback) == 1024);
  CHECK(readback == buffer);
  CHECK(dram.stats().read_bytes == 1024);
  CHECK(dram.stats().bursts == 1);
  CHECK(sram.stats().words_written == 256);
  CHECK(sram.stats().write_bursts == 1);
}

TEST_CASE("an access outside a memory is an address error, and the initiator says so", "[tlm]") {
  fresh_simulation_context();
  Dram dram("dram", small_dram("ddr4-2400", 256));
  WeightSram sram("sram", small_sram(64));
  TlmHarness dma("dma", 3);
  dma.port(0).bind(dram.socket);
  dma.port(1).bind(sram.dma_socket);
  dma.port(2).bind(sram.array_socket);

  std::vector<unsigned char> buffer(128);
  CHECK(dma.read(0, 200, buffer).status == tlm::TLM_ADDRESS_ERROR_RESPONSE);
  CHECK(dma.write(1, 0, buffer).status == tlm::TLM_ADDRESS_ERROR_RESPONSE);
  CHECK(dram.stats().bursts == 0);
  CHECK(untouched(sram.stats()));

  tlm::tlm_generic_payload trans;
  trans.set_command(tlm::TLM_READ_COMMAND);
  trans.set_address(0x40);
  trans.set_data_length(8);
  trans.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
  CHECK_THROWS_WITH(check_response(trans, "dma"), Catch::Contains("dma: read of 8 bytes at 0x40"));
}

TEST_CASE("the weight SRAM refuses malformed payloads with error responses", "[tlm]") {
  fresh_simulation_context();
  WeightSram sram("sram", small_sram(256));
  TlmHarness host("host", 2);
  host.port(0).bind(sram.dma_socket);
  host.port(1).bind(sram.array_socket);
  const auto none = [](Burst&) {};
  unsigned char enables[4] = {0xff, 0, 0xff, 0};

  SECTION("DMA bursts: misaligned, byte enables, streaming, beyond the end") {
    check_refused(host, 0, tlm::TLM_WRITE_COMMAND, 2, 8, tlm::TLM_ADDRESS_ERROR_RESPONSE, none);
    check_refused(host, 0, tlm::TLM_WRITE_COMMAND, 0, 6, tlm::TLM_ADDRESS_ERROR_RESPONSE, none);
    check_refused(host, 0, tlm::TLM_WRITE_COMMAND, 0, 8, tlm::TLM_BYTE_ENABLE_ERROR_RESPONSE,
                  [&](Burst& b) {
                    b.payload().set_byte_enable_ptr(enables);
                    b.payload().set_byte_enable_length(4);
                  });
    check_refused(host, 0, tlm::TLM_WRITE_COMMAND, 0, 8, tlm::TLM_BURST_ERROR_RESPONSE,
                  [](Burst& b) { b.payload().set_streaming_width(4); });
    check_refused(host, 0, tlm::TLM_READ_COMMAND, 252, 8, tlm::TLM_ADDRESS_ERROR_RESPONSE, none);
    check_refused(host, 0, tlm::TLM_READ_COMMAND, ~uint64_t{0} - 3, 8,
                  tlm::TLM_ADDRESS_ERROR_RESPONSE, none);
  }
  SECTION("read reports: no extension, a foreign one, bad fields, bad ranges") {
    check_refused(host, 1, tlm::TLM_IGNORE_COMMAND, 0, 64, tlm::TLM_GENERIC_ERROR_RESPONSE, none);
    ActivationTrafficExtension foreign;
    check_refused(host, 1, tlm::TLM_IGNORE_COMMAND, 0, 64, tlm::TLM_GENERIC_ERROR_RESPONSE,
                  [&](Burst& b) { b.carrying(foreign); });
    for (const auto& [reads_per_batch, field_bits] :
         {std::pair{0u, 32}, std::pair{1u, 0}, std::pair{1u, 33}, std::pair{1u, -4}}) {
      WeightReadReport report;
      report.reads_per_batch = reads_per_batch;
      report.field_bits = field_bits;
      check_refused(host, 1, tlm::TLM_IGNORE_COMMAND, 0, 64, tlm::TLM_GENERIC_ERROR_RESPONSE,
                    [&](Burst& b) { b.carrying(report); });
    }
    WeightReadReport report;
    for (const auto& [address, bytes] :
         {std::pair{uint64_t{2}, uint64_t{8}}, std::pair{uint64_t{0}, uint64_t{6}},
          std::pair{uint64_t{252}, uint64_t{8}}, std::pair{~uint64_t{0} - 3, uint64_t{8}}})
      check_refused(host, 1, tlm::TLM_IGNORE_COMMAND, address, bytes,
                    tlm::TLM_ADDRESS_ERROR_RESPONSE, [&](Burst& b) { b.carrying(report); });
  }
  CHECK(untouched(sram.stats()));
  CHECK(sram.stats().read_bursts == 0);
  CHECK(sram.stats().faults.faulty_word_reads == 0);

  // A well-formed report after all of that is served, one burst per read.
  WeightReadReport report;
  report.batches = 3;
  const Response served = host.report(1, 0, 64, report);
  CHECK(served.ok());
  CHECK(sram.stats().read_bursts == 3);
  CHECK(sram.stats().words_read == 3 * 16);
}

TEST_CASE("the activation buffer and the DRAM refuse malformed payloads", "[tlm]") {
  fresh_simulation_context();
  ActivationBufferParams buffer_params;
  buffer_params.capacity_bytes = 256;
  ActivationBuffer buffer("buffer", buffer_params);
  Dram dram("dram", small_dram("lpddr4-3200", 256));
  TlmHarness host("host", 2);
  host.port(0).bind(buffer.array_socket);
  host.port(1).bind(dram.socket);
  const auto none = [](Burst&) {};

  check_refused(host, 0, tlm::TLM_IGNORE_COMMAND, 0, 0, tlm::TLM_GENERIC_ERROR_RESPONSE, none);
  WeightReadReport foreign;
  check_refused(host, 0, tlm::TLM_IGNORE_COMMAND, 0, 0, tlm::TLM_GENERIC_ERROR_RESPONSE,
                [&](Burst& b) { b.carrying(foreign); });
  check_refused(host, 0, tlm::TLM_WRITE_COMMAND, 250, 8, tlm::TLM_ADDRESS_ERROR_RESPONSE, none);
  CHECK(buffer.stats().read_bytes + buffer.stats().write_bytes == 0);

  check_refused(host, 1, tlm::TLM_READ_COMMAND, 252, 8, tlm::TLM_ADDRESS_ERROR_RESPONSE, none);
  check_refused(host, 1, tlm::TLM_READ_COMMAND, 0, 8, tlm::TLM_BURST_ERROR_RESPONSE,
                [](Burst& b) { b.payload().set_streaming_width(4); });
  // An IGNORE command moves nothing and costs nothing (TLM-2.0 base protocol).
  std::vector<unsigned char> data(8);
  const Response ignored = host.send(1, tlm::TLM_IGNORE_COMMAND, 0, data.data(), 8);
  CHECK(ignored.ok());
  CHECK(ignored.delay == sc_core::SC_ZERO_TIME);
  CHECK(dram.stats().bursts == 0);
  CHECK(dram.stats().read_bytes + dram.stats().write_bytes == 0);
}

TEST_CASE("an initiator's refused burst is one line naming it", "[tlm]") {
  fresh_simulation_context();
  WeightSram sram("sram", small_sram(64));
  TlmHarness host("host", 2);
  host.port(0).bind(sram.dma_socket);
  host.port(1).bind(sram.array_socket);
  std::vector<unsigned char> data(128);
  sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
  CHECK_THROWS_WITH(
      Burst(tlm::TLM_WRITE_COMMAND, 0, data.data(), data.size())
          .send_or_throw(host.port(0), delay, "dma"),
      Catch::Contains("dma: write of 128 bytes at 0x0 failed") && Catch::Contains("ADDRESS_ERROR"));
  WeightReadReport report;
  {
    Burst burst(tlm::TLM_IGNORE_COMMAND, 0, nullptr, 64);
    burst.carrying(report);
    CHECK(burst.payload().get_extension<WeightReadReport>() == &report);
  }  // detached on destruction, or the payload's destructor would free() the caller's extension
  CHECK(report.batches == 1);
}

TEST_CASE("DRAM presets and their errors", "[dram]") {
  CHECK(dram_preset("lpddr4-3200").bandwidth_gb_per_s == 12.8);
  CHECK(dram_preset("ddr4-2400").bandwidth_gb_per_s == 19.2);
  CHECK_THROWS_WITH(dram_preset("hbm9"), Catch::Contains("DRAM preset 'hbm9'") &&
                                             Catch::Contains("lpddr4-3200 or ddr4-2400"));
}
