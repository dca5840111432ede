#include "models/sram_contents.h"

#include <cstring>

namespace lvsim {

SramContents::SramContents(const std::string& owner, uint64_t capacity_bytes,
                           const Mitigation& mitigation)
    : memory_(owner, capacity_bytes),
      mitigation_(mitigation),
      written_(capacity_bytes / kWordBytes, 0) {
  if (mitigation.check_bits() > 0) check_.assign(written_.size(), mitigation.encode(0));
}

uint32_t SramContents::load(uint64_t word) const {
  uint32_t value;
  std::memcpy(&value, memory_.data() + word * kWordBytes, kWordBytes);
  return value;
}

int SramContents::faulty_bits_of(uint64_t word) const {
  int count = __builtin_popcount(load(word) ^ written_[word]);
  if (!check_.empty())
    count += __builtin_popcount(check_[word] ^ mitigation_.encode(written_[word]));
  return count;
}

void SramContents::reach_pass(uint64_t pass) {
  if (faulty_delta_.size() <= pass) faulty_delta_.resize(pass + 1, 0);
}

void SramContents::write(uint64_t address, const unsigned char* data, uint64_t bytes,
                         uint64_t at_pass) {
  const uint64_t first = address / kWordBytes, last = (address + bytes + 3) / kWordBytes;
  int64_t cured = 0;
  for (uint64_t word = first; word < last; ++word) cured += faulty_bits_of(word);
  std::memcpy(memory_.data() + address, data, bytes);
  for (uint64_t word = first; word < last; ++word) {
    written_[word] = load(word);
    if (!check_.empty()) check_[word] = mitigation_.encode(written_[word]);
  }
  if (cured != 0) {
    reach_pass(at_pass);
    faulty_delta_[at_pass] -= cured;
  }
}

void SramContents::prefetch(uint64_t word) const {
  __builtin_prefetch(memory_.data() + word * kWordBytes, 1);
  __builtin_prefetch(&written_[word]);
}

void SramContents::faulty_read(uint64_t word, uint64_t mask, uint32_t pass, uint64_t series_pass,
                               int field_bits, std::vector<WordChange>* changes,
                               FaultStats& stats) {
  const uint32_t data = load(word);
  const uint8_t check = check_.empty() ? 0 : check_[word];
  const ReadOutcome outcome = mitigation_.on_faulty_read(data, check, mask, field_bits);
  stats.bit_faults += static_cast<uint64_t>(__builtin_popcountll(mask));
  stats.faulty_word_reads += 1;
  stats.ecc_corrected += outcome.corrected;
  stats.ecc_uncorrectable += outcome.uncorrectable;
  if (outcome.data == data && outcome.check == check) return;
  const uint32_t reference = written_[word];
  int delta = __builtin_popcount(outcome.data ^ reference) - __builtin_popcount(data ^ reference);
  if (!check_.empty()) {
    const uint8_t reference_check = mitigation_.encode(reference);
    delta += __builtin_popcount(outcome.check ^ reference_check) -
             __builtin_popcount(check ^ reference_check);
    check_[word] = outcome.check;
  }
  faulty_delta_[series_pass] += delta;
  if (outcome.data != data) {
    std::memcpy(memory_.data() + word * kWordBytes, &outcome.data, kWordBytes);
    stats.words_changed += 1;
    if (changes) changes->push_back({pass, static_cast<uint32_t>(word), outcome.data, data});
  }
}

std::vector<uint64_t> SramContents::faulty_bits_after_pass() const {
  std::vector<uint64_t> series(faulty_delta_.size());
  int64_t count = 0;
  for (size_t i = 0; i < faulty_delta_.size(); ++i) {
    count += faulty_delta_[i];
    series[i] = static_cast<uint64_t>(count);
  }
  return series;
}

uint64_t SramContents::faulty_bits() const {
  int64_t count = 0;
  for (int64_t delta : faulty_delta_) count += delta;
  return static_cast<uint64_t>(count);
}

}  // namespace lvsim
