#include "models/mitigation.h"

#include <map>

#include "workloads/error.h"

namespace lvsim {
namespace {

constexpr uint32_t kSignBit = 1u << 31;

class FlipMitigation : public Mitigation {
 public:
  std::string name() const override { return "flip"; }
  bool uses_detector() const override { return false; }
  ReadOutcome on_faulty_read(uint32_t data, uint8_t, uint64_t mask) const override {
    return {data ^ static_cast<uint32_t>(mask), 0, false, false};
  }
};

class SignMitigation : public Mitigation {
 public:
  std::string name() const override { return "sign"; }
  bool uses_detector() const override { return true; }
  ReadOutcome on_faulty_read(uint32_t data, uint8_t, uint64_t mask) const override {
    const uint32_t bits = static_cast<uint32_t>(mask) & ~kSignBit;
    return {(data & kSignBit) ? (data | bits) : (data & ~bits), 0, false, false};
  }
};

class ZeroMitigation : public Mitigation {
 public:
  std::string name() const override { return "zero"; }
  bool uses_detector() const override { return true; }
  ReadOutcome on_faulty_read(uint32_t data, uint8_t, uint64_t mask) const override {
    return {data & ~static_cast<uint32_t>(mask), 0, false, false};
  }
};

class WordZeroMitigation : public Mitigation {
 public:
  std::string name() const override { return "word-zero"; }
  bool uses_detector() const override { return true; }
  ReadOutcome on_faulty_read(uint32_t data, uint8_t, uint64_t mask) const override {
    return {mask ? 0u : data, 0, false, false};
  }
};

using MitigationFactory = std::function<std::unique_ptr<Mitigation>()>;

const std::map<std::string, MitigationFactory>& builtin_mitigations() {
  static const std::map<std::string, MitigationFactory> mitigations = {
      {"flip", [] { return std::make_unique<FlipMitigation>(); }},
      {"sign", [] { return std::make_unique<SignMitigation>(); }},
      {"zero", [] { return std::make_unique<ZeroMitigation>(); }},
      {"word-zero", [] { return std::make_unique<WordZeroMitigation>(); }},
      {"secded", make_secded_mitigation},
  };
  return mitigations;
}

}  // namespace

std::unique_ptr<Mitigation> make_mitigation(const std::string& name) {
  const auto& mitigations = builtin_mitigations();
  const auto it = mitigations.find(name);
  if (it == mitigations.end()) {
    std::string known;
    for (const auto& [key, factory] : mitigations) known += (known.empty() ? "" : ", ") + key;
    throw Error("weight_sram.mitigation: unknown mitigation '" + name + "' (expected one of " +
                known + ")");
  }
  return it->second();
}

std::vector<std::string> mitigation_names() {
  std::vector<std::string> names;
  for (const auto& [name, factory] : builtin_mitigations()) names.push_back(name);
  return names;
}

}  // namespace lvsim
