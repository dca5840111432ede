#include "models/weight_sram.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "models/fault_rng.h"
#include "workloads/error.h"

namespace lvsim {
namespace {

constexpr uint64_t kWeakCellStream = 0x5745414Bull;  // "WEAK": the chip's map, not a read
constexpr uint64_t kMaxWeakCells = 16ull << 20;      // 128 MiB of map at most

}  // namespace

WeightSram::WeightSram(const sc_core::sc_module_name& name, const WeightSramParams& params)
    : sc_module(name),
      dma_socket("dma_socket"),
      array_socket("array_socket"),
      params_(params),
      memory_(std::string(this->name()), params.capacity_bytes),
      mitigation_(make_mitigation(params.mitigation)) {
  if (params.banks <= 0) throw Error("weight_sram.banks: expected a positive integer");
  if (params.word_bits != 32)
    throw Error("weight_sram.word_bits: only 32-bit words are supported so far");
  if (params.ports <= 0) throw Error("weight_sram.ports: expected a positive integer");
  if (!(params.vdd_v > 0.0)) throw Error("weight_sram.vdd_v: expected a positive voltage");
  if (params.detector_cycles < 0 || params.ecc_cycles < 0)
    throw Error("weight_sram.detector_cycles/ecc_cycles: expected non-negative integers");
  validate(params.circuit);
  access_time_ns_ = sram_access_time_ns(params.circuit, params.vdd_v);
  fault_model_ = make_fault_model(params.fault_model);
  const Domain own = make_domain(0, params.capacity_bytes / 4, params.vdd_v, true);
  access_cycles_ = own.access_cycles;
  read_p_ = own.read_p;
  weak_q_ = own.weak_q;
  for (int bit = 0; bit < stored_bits_per_word(); ++bit)
    if (!(params.protect_sign && bit == 31)) allowed_bits_.push_back(bit);

  const uint64_t words = params.capacity_bytes / 4;
  written_.assign(words, 0);
  if (mitigation_->check_bits() > 0) check_.assign(words, mitigation_->encode(0));
  build_domains();
  build_weak_cell_map();

  for (auto* port : {&dma_socket, &array_socket}) {
    port->register_b_transport(this, &WeightSram::b_transport);
    port->register_get_direct_mem_ptr(this, &WeightSram::get_direct_mem_ptr);
    port->register_transport_dbg(this, &WeightSram::transport_dbg);
  }
}

WeightSram::Domain WeightSram::make_domain(uint64_t first, uint64_t end, double vdd,
                                           bool faults) const {
  Domain d;
  d.first = first;
  d.end = end;
  d.vdd = vdd;
  d.faults = faults;
  const double p = faults ? fault_model_->probability(vdd) : 0.0;
  if (!(p >= 0.0 && p <= 1.0)) throw Error("fault model gave p outside [0, 1]");
  d.read_p = params_.read_faults ? p : 0.0;
  d.weak_q = params_.weak_cells ? p : 0.0;
  const double period_ns = params_.clock_period.to_seconds() * 1e9;
  d.access_cycles = std::max(
      1, static_cast<int>(std::ceil(sram_access_time_ns(params_.circuit, vdd) / period_ns - 1e-9)));
  return d;
}

void WeightSram::build_domains() {
  const uint64_t words = written_.size();
  std::vector<VoltageDomain> listed = params_.domains;
  std::sort(listed.begin(), listed.end(), [](const VoltageDomain& a, const VoltageDomain& b) {
    return a.first_word < b.first_word;
  });
  uint64_t next = 0;
  for (const VoltageDomain& v : listed) {
    if (v.first_word < next || v.end_word <= v.first_word || v.end_word > words)
      throw Error("weight_sram: voltage domains must be disjoint word ranges inside the array");
    if (!(v.vdd_v > params_.circuit.vt_v))
      throw Error("weights.layer_vdd_v: " + std::to_string(v.vdd_v) +
                  " V is not above sram.vt_v, where the SRAM can still be read");
    if (v.first_word > next)
      domains_.push_back(make_domain(next, v.first_word, params_.vdd_v, true));
    domains_.push_back(make_domain(v.first_word, v.end_word, v.vdd_v, v.faults));
    next = v.end_word;
  }
  if (next < words) domains_.push_back(make_domain(next, words, params_.vdd_v, true));
}

WeightSram::Domain& WeightSram::domain_of(uint64_t word) {
  for (Domain& d : domains_)
    if (word < d.end) return d;
  return domains_.back();
}

void WeightSram::build_weak_cell_map() {
  const uint64_t allowed = allowed_bits_.size();
  const uint64_t stored_bits = static_cast<uint64_t>(stored_bits_per_word());
  FaultRng rng(params_.chip_seed, 0, kWeakCellStream, 0);
  for (const Domain& d : domains_) {
    if (d.weak_q <= 0.0) continue;
    const uint64_t bits = (d.end - d.first) * allowed;
    if (d.weak_q * static_cast<double>(bits) > static_cast<double>(kMaxWeakCells))
      throw Error("weight_sram.vdd_v: at " + std::to_string(d.vdd) + " V about " +
                  std::to_string(static_cast<uint64_t>(d.weak_q * bits)) +
                  " cells are weak, more than the simulator maps (" +
                  std::to_string(kMaxWeakCells) + "); the SRAM is unusable there");
    const double log1m_q = std::log1p(-std::min(d.weak_q, 1.0 - 1e-16));
    const bool every = d.weak_q >= 1.0;
    for (uint64_t position = every ? 0 : rng.geometric_gap(log1m_q, bits); position < bits;
         position += 1 + (every ? 0 : rng.geometric_gap(log1m_q, bits))) {
      const uint64_t word = d.first + position / allowed;
      const int bit = allowed_bits_[position % allowed];
      weak_cells_.push_back(word * stored_bits + static_cast<uint64_t>(bit));
    }
  }
  stats_.weak_cells = weak_cells_.size();
}

std::vector<DomainReport> WeightSram::domains() const {
  std::vector<DomainReport> reports;
  const double bank_bytes = static_cast<double>(params_.capacity_bytes) / params_.banks;
  for (const Domain& d : domains_) {
    DomainReport r;
    r.first_word = d.first;
    r.end_word = d.end;
    r.vdd_v = d.vdd;
    r.faults = d.faults;
    r.read_fault_probability = d.read_p;
    r.access_cycles = d.access_cycles;
    r.access_pj = sram_access_energy_pj(params_.circuit, bank_bytes, stored_bits_per_word(), d.vdd);
    r.leakage_mw = sram_leakage_mw(
        params_.circuit, static_cast<double>(d.end - d.first) * 4.0 * stored_bits_per_word() / 32.0,
        d.vdd);
    r.words_read = d.words_read;
    r.words_written = d.words_written;
    reports.push_back(r);
  }
  return reports;
}

int WeightSram::latency_cycles() const {
  return access_cycles_ + (mitigation_->uses_detector() ? params_.detector_cycles : 0) +
         (mitigation_->check_bits() > 0 ? params_.ecc_cycles : 0);
}

double WeightSram::access_energy_pj() const {
  return sram_access_energy_pj(params_.circuit,
                               static_cast<double>(params_.capacity_bytes) / params_.banks,
                               stored_bits_per_word(), params_.vdd_v);
}

double WeightSram::leakage_mw() const {
  return sram_leakage_mw(
      params_.circuit, static_cast<double>(params_.capacity_bytes) * stored_bits_per_word() / 32.0,
      params_.vdd_v);
}

uint64_t WeightSram::burst_cycles(uint64_t words) const {
  return burst_cycles(access_cycles_, words);
}

uint64_t WeightSram::burst_cycles(int access_cycles, uint64_t words) const {
  const uint64_t lanes = static_cast<uint64_t>(params_.banks) * params_.ports;
  const int extra = latency_cycles() - access_cycles_;  // detector / decoder
  return static_cast<uint64_t>(access_cycles + extra) +
         static_cast<uint64_t>(access_cycles) * ((words + lanes - 1) / lanes);
}

uint32_t WeightSram::load_word(uint64_t word) const {
  uint32_t value;
  std::memcpy(&value, memory_.data() + word * 4, 4);
  return value;
}

int WeightSram::faulty_bits_of(uint64_t word) const {
  int count = __builtin_popcount(load_word(word) ^ written_[word]);
  if (!check_.empty())
    count += __builtin_popcount(check_[word] ^ mitigation_->encode(written_[word]));
  return count;
}

void WeightSram::write_words(uint64_t address, const unsigned char* data, uint64_t bytes) {
  const uint64_t first = address / 4, last = (address + bytes + 3) / 4;
  int64_t cured = 0;
  for (uint64_t word = first; word < last; ++word) cured += faulty_bits_of(word);
  std::memcpy(memory_.data() + address, data, bytes);
  for (uint64_t word = first; word < last; ++word) {
    written_[word] = load_word(word);
    if (!check_.empty()) check_[word] = mitigation_->encode(written_[word]);
  }
  if (cured != 0) {
    if (faulty_delta_.size() <= next_pass_) faulty_delta_.resize(next_pass_ + 1, 0);
    faulty_delta_[next_pass_] -= cured;
  }
}

void WeightSram::apply_faults(uint64_t word, uint64_t mask, uint32_t pass, uint64_t access,
                              int field_bits, std::vector<WordChange>* changes) {
  const uint32_t data = load_word(word);
  const uint8_t check = check_.empty() ? 0 : check_[word];
  const ReadOutcome outcome = mitigation_->on_faulty_read(data, check, mask, field_bits);
  stats_.bit_faults += static_cast<uint64_t>(__builtin_popcountll(mask));
  stats_.faulty_word_reads += 1;
  stats_.ecc_corrected += outcome.corrected;
  stats_.ecc_uncorrectable += outcome.uncorrectable;
  if (outcome.data == data && outcome.check == check) return;
  const uint32_t reference = written_[word];
  int delta = __builtin_popcount(outcome.data ^ reference) - __builtin_popcount(data ^ reference);
  if (!check_.empty()) {
    const uint8_t reference_check = mitigation_->encode(reference);
    delta += __builtin_popcount(outcome.check ^ reference_check) -
             __builtin_popcount(check ^ reference_check);
    check_[word] = outcome.check;
  }
  faulty_delta_[access] += delta;
  if (outcome.data != data) {
    std::memcpy(memory_.data() + word * 4, &outcome.data, 4);
    stats_.words_changed += 1;
    if (changes) changes->push_back({pass, static_cast<uint32_t>(word), outcome.data, data});
  }
}

void WeightSram::read_passes(const Domain& domain, uint64_t first_word, uint64_t words,
                             const WeightReadExtension& reads) {
  const uint32_t passes = reads.passes, reads_per_pass = reads.reads_per_pass;
  std::vector<WordChange>* changes = reads.changes;
  const double read_p = domain.read_p;
  uint64_t& region_passes = passes_by_region_[first_word];
  uint64_t& region_reads = reads_by_region_[first_word];
  const uint64_t stored_bits = static_cast<uint64_t>(stored_bits_per_word());
  const uint64_t allowed = allowed_bits_.size();
  const auto weak_begin =
      std::lower_bound(weak_cells_.begin(), weak_cells_.end(), first_word * stored_bits);
  const auto weak_end =
      std::lower_bound(weak_begin, weak_cells_.end(), (first_word + words) * stored_bits);
  const bool per_bit = params_.fault_unit == FaultUnit::kPerBit;
  const uint64_t positions = per_bit ? words * allowed : words;
  const double log1m_p = std::log1p(-std::min(read_p, 1.0 - 1e-16));

  for (uint64_t read = 0; read < uint64_t{passes} * reads_per_pass; ++read) {
    const auto pass = static_cast<uint32_t>(read / reads_per_pass);
    const uint64_t access = region_passes + pass;  // where the faulty-bit series records it
    if (faulty_delta_.size() <= access) faulty_delta_.resize(access + 1, 0);
    pending_.clear();
    if (read_p > 0.0) {
      // One stream per read of the region: the same reads draw the same faults
      // whatever the passes are grouped into.
      FaultRng rng(params_.seed, params_.trial, first_word, region_reads + read);
      const bool every = read_p >= 1.0;
      for (uint64_t position = every ? 0 : rng.geometric_gap(log1m_p, positions);
           position < positions;
           position += 1 + (every ? 0 : rng.geometric_gap(log1m_p, positions))) {
        const uint64_t word = first_word + (per_bit ? position / allowed : position);
        const int bit =
            allowed_bits_[per_bit ? position % allowed : rng.below(static_cast<uint32_t>(allowed))];
        pending_.emplace_back(word, uint64_t{1} << bit);
      }
    }
    if (weak_begin != weak_end) {
      weak_pending_.clear();
      for (auto cell = weak_begin; cell != weak_end; ++cell)
        weak_pending_.emplace_back(*cell / stored_bits, uint64_t{1} << (*cell % stored_bits));
      const size_t random_faults = pending_.size();
      pending_.insert(pending_.end(), weak_pending_.begin(), weak_pending_.end());
      std::inplace_merge(pending_.begin(),
                         pending_.begin() + static_cast<std::ptrdiff_t>(random_faults),
                         pending_.end());
    }
    // Both lists are in word order; faults of one word in one read act together.
    // Faulty words are scattered over megabytes: fetch a few ahead.
    constexpr size_t kPrefetchAhead = 16;
    for (size_t i = 0; i < pending_.size();) {
      if (i + kPrefetchAhead < pending_.size()) {
        const uint64_t ahead = pending_[i + kPrefetchAhead].first;
        __builtin_prefetch(memory_.data() + ahead * 4, 1);
        __builtin_prefetch(&written_[ahead]);
      }
      const uint64_t word = pending_[i].first;
      uint64_t mask = 0;
      for (; i < pending_.size() && pending_[i].first == word; ++i) mask |= pending_[i].second;
      apply_faults(word, mask, pass, access, reads.field_bits, changes);
    }
  }
  region_passes += passes;
  region_reads += uint64_t{passes} * reads_per_pass;
  next_pass_ = std::max(next_pass_, region_passes);
}

std::vector<uint64_t> WeightSram::faulty_bits_after_pass() const {
  std::vector<uint64_t> series(faulty_delta_.size());
  int64_t count = 0;
  for (size_t i = 0; i < faulty_delta_.size(); ++i) {
    count += faulty_delta_[i];
    series[i] = static_cast<uint64_t>(count);
  }
  return series;
}

uint64_t WeightSram::faulty_bits() const {
  int64_t count = 0;
  for (int64_t delta : faulty_delta_) count += delta;
  return static_cast<uint64_t>(count);
}

void WeightSram::b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay) {
  const uint64_t address = trans.get_address(), length = trans.get_data_length();
  const uint64_t words = length / word_bytes();
  if (trans.get_command() == tlm::TLM_IGNORE_COMMAND) {
    WeightReadExtension* reads = nullptr;
    trans.get_extension(reads);
    if (reads == nullptr || address > memory_.size() || length > memory_.size() - address ||
        address % 4 || length % 4) {
      trans.set_response_status(reads ? tlm::TLM_ADDRESS_ERROR_RESPONSE
                                      : tlm::TLM_GENERIC_ERROR_RESPONSE);
      return;
    }
    if (reads->reads_per_pass == 0 || reads->field_bits < 1 || reads->field_bits > 32) {
      trans.set_response_status(tlm::TLM_GENERIC_ERROR_RESPONSE);
      return;
    }
    Domain& domain = domain_of(address / 4);
    read_passes(domain, address / 4, words, *reads);
    const uint64_t bursts = uint64_t{reads->passes} * reads->reads_per_pass;
    domain.words_read += words * bursts;
    // One burst per read of the region.
    const uint64_t cycles = burst_cycles(domain.access_cycles, words) * bursts;
    stats_.words_read += words * bursts;
    stats_.read_bursts += bursts;
    stats_.busy_cycles += cycles;
    delay += params_.clock_period * static_cast<double>(cycles);
    trans.set_response_status(tlm::TLM_OK_RESPONSE);
    return;
  }
  if (trans.is_write()) {
    if (!memory_.validate(trans) || address % 4 || length % 4) {
      if (trans.is_response_ok() || trans.get_response_status() == tlm::TLM_INCOMPLETE_RESPONSE)
        trans.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
      return;
    }
    write_words(address, trans.get_data_ptr(), length);
    trans.set_response_status(tlm::TLM_OK_RESPONSE);
    // The MAC array must re-read what it cached of these words.
    array_socket->invalidate_direct_mem_ptr(address, address + length - 1);
  } else if (!memory_.execute(trans)) {
    return;
  }
  Domain& domain = domain_of(address / 4);
  const uint64_t cycles = burst_cycles(domain.access_cycles, words);
  for (Domain& d : domains_) {  // a DMA burst may cross domains: count each one's words
    const uint64_t first = std::max(d.first, address / 4),
                   end = std::min(d.end, address / 4 + words);
    if (end > first) (trans.is_read() ? d.words_read : d.words_written) += end - first;
  }
  (trans.is_read() ? stats_.words_read : stats_.words_written) += words;
  (trans.is_read() ? stats_.read_bursts : stats_.write_bursts) += 1;
  stats_.busy_cycles += cycles;
  delay += params_.clock_period * static_cast<double>(cycles);
}

bool WeightSram::get_direct_mem_ptr(tlm::tlm_generic_payload& trans, tlm::tlm_dmi& dmi) {
  const sc_core::sc_time one_access = params_.clock_period * static_cast<double>(latency_cycles());
  const bool granted = memory_.grant_dmi(trans, dmi, one_access, one_access);
  dmi.allow_read();  // writes go through b_transport, so faults and refreshes are seen
  return granted;
}

unsigned WeightSram::transport_dbg(tlm::tlm_generic_payload& trans) { return memory_.debug(trans); }

}  // namespace lvsim
