// Weight formats (models/weights/weight_format.h): each encoding against
// hand-computed bits, the seed's truncation function, packing, the errors, and
// what a narrower format saves in a real run.
#include <catch2/catch.hpp>
#include <cmath>
#include <cstring>
#include <limits>

#include "models/weights/weight_format.h"
#include "models/weights/weight_transforms.h"
#include "sim/config.h"
#include "sim/run.h"
#include "tests/support/helpers.h"

using namespace lvsim;
using Catch::Matchers::Contains;

namespace {

uint32_t bits_of(float value) {
  uint32_t bits;
  std::memcpy(&bits, &value, sizeof bits);
  return bits;
}

// Seed 000's binRep(num, bits), transcribed: keep the top `bits` bits of the
// fp32 word, then rebuild sign * 1.mantissa * 2^(exponent - 127).
double seed_bin_rep(float num, int bits) {
  const uint32_t word = bits_of(num);
  const uint32_t kept = bits == 32 ? word : (word >> (32 - bits)) << (32 - bits);
  const double mantissa = 1.0 + static_cast<double>(kept & 0x7FFFFFu) / 8388608.0;
  const int base = static_cast<int>((kept >> 23) & 0xFFu) - 127;
  const int sign = (kept >> 31) ? -1 : 1;
  return sign * mantissa * std::ldexp(1.0, base);
}

}  // namespace

TEST_CASE("fp16: round to nearest even, subnormals, overflow, signed zero", "[format]") {
  CHECK(fp32_to_fp16(1.0f) == 0x3C00);
  CHECK(fp32_to_fp16(-2.0f) == 0xC000);
  CHECK(fp32_to_fp16(0.0f) == 0x0000);
  CHECK(fp32_to_fp16(-0.0f) == 0x8000);
  CHECK(fp32_to_fp16(65504.0f) == 0x7BFF);                      // the largest half
  CHECK(fp32_to_fp16(65520.0f) == 0x7C00);                      // halfway above it: to infinity
  CHECK(fp32_to_fp16(std::ldexp(1.0f, -14)) == 0x0400);         // smallest normal
  CHECK(fp32_to_fp16(std::ldexp(1.0f, -24)) == 0x0001);         // smallest subnormal
  CHECK(fp32_to_fp16(std::ldexp(1.0f, -25)) == 0x0000);         // tie: to even (zero)
  CHECK(fp32_to_fp16(std::ldexp(3.0f, -26)) == 0x0001);         // above the tie
  CHECK(fp32_to_fp16(std::ldexp(3.0f, -25)) == 0x0002);         // tie 1.5 ulp: to even
  CHECK(fp32_to_fp16(1.0f + std::ldexp(1.0f, -11)) == 0x3C00);  // tie: to even
  CHECK(fp32_to_fp16(1.0f + std::ldexp(3.0f, -11)) == 0x3C02);  // tie: to even
  CHECK(fp32_to_fp16(1.0f + std::ldexp(1.0f, -10)) == 0x3C01);
  CHECK(fp32_to_fp16(1e-40f) == 0x0000);  // an fp32 subnormal underflows
  CHECK(fp32_to_fp16(std::numeric_limits<float>::infinity()) == 0x7C00);
  CHECK(std::isnan(fp16_to_fp32(fp32_to_fp16(std::numeric_limits<float>::quiet_NaN()))));
  // Every half that is a number survives the round trip through fp32.
  for (uint32_t h = 0; h < 0x10000; ++h) {
    if ((h & 0x7C00u) == 0x7C00u && (h & 0x3FFu)) continue;  // NaN
    const float f = fp16_to_fp32(static_cast<uint16_t>(h));
    REQUIRE(fp32_to_fp16(f) == h);
  }
  CHECK(fp16_to_fp32(0x0001) == std::ldexp(1.0f, -24));
  CHECK(fp16_to_fp32(0xFBFF) == -65504.0f);
}

TEST_CASE("bf16: the top half of fp32, rounded to nearest even", "[format]") {
  CHECK(fp32_to_bf16(1.0f) == 0x3F80);
  CHECK(fp32_to_bf16(-1.0f) == 0xBF80);
  CHECK(fp32_to_bf16(-0.0f) == 0x8000);
  CHECK(fp32_to_bf16(1.0f + std::ldexp(1.0f, -8)) == 0x3F80);  // tie: to even
  CHECK(fp32_to_bf16(1.0f + std::ldexp(3.0f, -8)) == 0x3F82);  // tie: to even
  CHECK(fp32_to_bf16(1.0f + std::ldexp(1.0f, -7)) == 0x3F81);
  CHECK(fp32_to_bf16(std::numeric_limits<float>::max()) == 0x7F80);  // rounds to infinity
  CHECK(fp32_to_bf16(std::numeric_limits<float>::denorm_min()) == 0x0000);
  const auto bf16 = make_weight_format("bf16");
  CHECK(bf16->decode(bf16->encode(0.15625f, 1.0f), 1.0f) == 0.15625f);  // exact in bf16
  CHECK(bf16->decode(0x3F81, 1.0f) == 1.0f + std::ldexp(1.0f, -7));
}

TEST_CASE("trunc-K keeps the K most significant bits, as seed 000's binRep does", "[format]") {
  const std::vector<float> values = {0.0731f,  -0.0042f, 1.0f,     -1.5f,   3.14159f,
                                     -0.5f,    1e-30f,   -7.7e20f, 0.0625f, -0.0078125f,
                                     0.33333f, 12345.6f, -2e-5f,   0.9999f};
  for (int k = 1; k <= 32; ++k) {
    const auto format = make_weight_format("trunc-" + std::to_string(k));
    REQUIRE(format->bits() == k);
    for (float v : values) {
      INFO("k = " << k << ", w = " << v);
      const uint32_t code = format->encode(v, 1.0f);
      CHECK(code == (k == 32 ? bits_of(v) : bits_of(v) >> (32 - k)));
      const float decoded = format->decode(code, 1.0f);
      // Wherever the kept exponent is not zero, bit for bit the seed's value.
      if (((bits_of(decoded) >> 23) & 0xFFu) != 0)
        CHECK(static_cast<double>(decoded) == seed_bin_rep(v, k));
    }
  }
  // Seed 004's reading: 6 bits keep the sign and the exponent's 011110, so every
  // weight in [2^-7, 2^-3) becomes +-2^-7.
  const auto trunc6 = make_weight_format("trunc-6");
  for (float w : {0.0731f, 0.0079f, 0.12f, -0.05f})
    CHECK(trunc6->decode(trunc6->encode(w, 1.0f), 1.0f) == std::copysign(0.0078125f, w));
  // Where they differ: binRep always adds the implicit 1, so it turns 0 into 2^-127;
  // the stored bits are the same, lvsim decodes them as IEEE does (0 stays 0).
  CHECK(make_weight_format("trunc-9")->decode(0, 1.0f) == 0.0f);
  CHECK(seed_bin_rep(0.0f, 9) == std::ldexp(1.0, -127));
}

TEST_CASE("int-K: symmetric K-bit codes with the layer's scale (seed 002, eq. 3.4)", "[format]") {
  const auto int4 = make_weight_format("int-4");
  const std::vector<float> w = {1.0f, -0.5f, 0.25f, -1.0f, 0.0f, 0.5f, -0.0f, 0.125f};
  const float s = int4->scale_for(w.data(), w.size());
  CHECK(s == 7.0f);  // (2^3 - 1) / max|w|
  // 7, -3.5 -> -4 (ties to even), 1.75 -> 2, -7, 0, 3.5 -> 4, 0, 0.875 -> 1.
  const std::vector<int> q = {7, -4, 2, -7, 0, 4, 0, 1};
  for (size_t i = 0; i < w.size(); ++i) {
    INFO(i);
    CHECK(int4->encode(w[i], s) == (static_cast<uint32_t>(q[i]) & 0xFu));
    CHECK(int4->decode(int4->encode(w[i], s), s) == static_cast<float>(q[i]));
    CHECK(int4->value(int4->encode(w[i], s), s) == static_cast<float>(q[i]) / 7.0f);
  }
  CHECK(int4->encode(3.0f, s) == 7u);     // clipped to the largest code
  CHECK(int4->encode(-3.0f, s) == 0x9u);  // -7, never -8: the range is symmetric
  CHECK(int4->decode(0x8u, s) == -8.0f);  // a fault can still make -8
  // Eight 4-bit codes fill one word, weight 0 in the low bits.
  const std::vector<uint32_t> words = pack_weights(*int4, w.data(), w.size(), s);
  REQUIRE(words.size() == 1);
  CHECK(words[0] == 0x104092C7u);
  std::vector<float> back(w.size());
  unpack_weights(*int4, words.data(), w.size(), s, back.data());
  for (size_t i = 0; i < w.size(); ++i) CHECK(back[i] == static_cast<float>(q[i]));
  const auto int16 = make_weight_format("int-16");
  CHECK(int16->per_word() == 2);
  CHECK(int16->decode(int16->encode(-0.5f, 32767.0f), 32767.0f) == -16384.0f);  // -16383.5: even
  CHECK(int16->mac_format() == "int16");
  CHECK(int4->mac_format() == "int8");
}

TEST_CASE("binary: the sign bit and the layer's mean magnitude", "[format]") {
  const auto binary = make_weight_format("binary");
  const std::vector<float> w = {0.5f, -0.25f, 0.0f, -0.0f, 0.75f};
  const float alpha = binary->scale_for(w.data(), w.size());
  CHECK(alpha == Approx(0.3));
  CHECK(binary->encode(0.5f, alpha) == 0u);
  CHECK(binary->encode(-0.25f, alpha) == 1u);
  CHECK(binary->encode(-0.0f, alpha) == 1u);
  CHECK(binary->decode(0, alpha) == alpha);
  CHECK(binary->decode(1, alpha) == -alpha);
  CHECK(binary->per_word() == 32);
  CHECK(pack_weights(*binary, w.data(), w.size(), alpha)[0] == 0b01010u);
}

TEST_CASE("packing: fields never straddle words, the leftover bits are unused", "[format]") {
  const auto trunc6 = make_weight_format("trunc-6");
  CHECK(trunc6->per_word() == 5);
  CHECK(packed_words(*trunc6, 10) == 2);
  CHECK(packed_words(*trunc6, 11) == 3);
  std::vector<float> w(7, -1.0f);  // -1.0 = 0xBF800000: top six bits 101111
  const std::vector<uint32_t> words = pack_weights(*trunc6, w.data(), w.size(), 1.0f);
  CHECK(words[0] == 0x2FBEFBEFu);  // five fields of 0b101111, bits 30-31 unused
  CHECK(words[1] == 0xBEFu);       // two fields
  CHECK(field_code(*trunc6, words[0], 4) == 0x2Fu);
  CHECK(make_weight_format("fp32")->per_word() == 1);
  CHECK(make_weight_format("trunc-17")->per_word() == 1);
  CHECK(make_weight_format("int-5")->per_word() == 6);
}

namespace {

TransformParams transforms(double prune_threshold, int centralize_batch, uint64_t seed) {
  TransformParams params;
  params.prune_threshold = prune_threshold;
  params.centralize_batch = centralize_batch;
  params.seed = seed;
  return params;
}

}  // namespace

TEST_CASE("bad formats and transforms are one-line errors", "[format][errors]") {
  for (const char* name : {"int-1", "int-17", "trunc-0", "trunc-33", "int-", "int-x8", "fp8"})
    CHECK_THROWS_WITH(make_weight_format(name), Contains("weight format '"));
  CHECK_THROWS_WITH(make_weight_format("int-1"), Contains("K from 2 to 16"));
  Network empty;
  CHECK_THROWS_WITH(transform_weights(empty, transforms(-0.1, 0, 1)),
                    Contains("weights.prune_threshold"));
  using CentralizeError = FieldError<TransformParams, int>;
  CHECK_THROWS_AS(transform_weights(empty, transforms(0.0, 1, 1)), CentralizeError);
  CHECK_THROWS_WITH(settings_from(Config::load("", {"weights.format=int-20"})),
                    Contains("weights.format"));
  CHECK_THROWS_WITH(settings_from(Config::load("", {"weights.prune_threshold=-1"})),
                    Contains("weights.prune_threshold"));
  CHECK_THROWS_WITH(settings_from(Config::load("", {"weights.layer_vdd_v=fc1"})),
                    Contains("weights.layer_vdd_v"));
}

TEST_CASE("a narrower format needs fewer words, less refresh traffic and less energy",
          "[format][end_to_end][data]") {
  auto run = [](const std::string& format) {
    const Config config = Config::load(
        "", {"workload.images=16", "controller.images_per_stage=8", "refresh.interval_images=8",
             "weights.format=" + format, "weights.calibration_images=16",
             "workload.data_dir=" + test::mnist_data_dir(), "report.out_dir=unused"});
    return run_simulation(settings_from(config), nullptr, nullptr);
  };
  const RunResult fp32 = run("fp32");
  RunResult previous = fp32;
  previous.weight_bytes += 1;
  previous.weight_sram.words_read += 1;
  for (const char* format : {"fp32", "fp16", "int-8", "int-4", "binary"}) {
    INFO(format);
    const RunResult r = run(format);
    CHECK(r.weight_bytes < previous.weight_bytes);
    CHECK(r.controller.weight_loads == 2);  // the initial load and one refresh
    CHECK(r.dram.read_bytes == 2 * r.weight_bytes);
    CHECK(r.weight_sram.words_read < previous.weight_sram.words_read);
    if (std::string(format) != "fp32") {
      for (const char* component : {"weight_sram_dynamic", "dram_initial_load", "dram_refresh"})
        CHECK(r.energy.component_pj(component) < previous.energy.component_pj(component));
      // A weight stationary array is compute-bound here: the same cycles.
      CHECK(r.mac_array.compute_cycles == fp32.mac_array.compute_cycles);
    }
    previous = r;
  }
  // Integer MACs cost less than float ones; a binary weight only adds.
  CHECK(run("int-8").energy.component_pj("mac") < run("fp16").energy.component_pj("mac"));
  CHECK(run("binary").energy.component_pj("mac") ==
        Approx(fp32.energy.component_pj("mac") * 0.9 / 4.6));
  // The same bits for fp16 and bf16; half of fp32's words (alignment aside).
  CHECK(run("bf16").weight_bytes == run("fp16").weight_bytes);
  CHECK(run("fp16").weight_bytes < fp32.weight_bytes / 2 + 4096);
}
