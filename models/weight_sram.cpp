#include "models/weight_sram.h"

#include <algorithm>
#include <cmath>

#include "workloads/error.h"

namespace lvsim {
namespace {

constexpr uint64_t kMaxWeakCells = 16ull << 20;  // 128 MiB of map at most

std::string volts(double v) { return number_text(v) + " V"; }

}  // namespace

const ParamTable<WeightSramParams>& WeightSramParams::table() {
  static const ParamTable<WeightSramParams> table = [] {
    using P = WeightSramParams;
    ParamTable<P> t;
    t.integer("weight_sram.capacity_kib", &P::capacity_bytes, 16384, 1, 1 << 30, 1024)
        .unit("KiB")
        .help(
            "weight SRAM capacity; 16 MiB holds the whole seed-004 model (12.9 MB), as the "
            "seed assumes");
    t.integer("weight_sram.banks", &P::banks, 16, 1, 4096)
        .help("independent banks (16 banks of 1 MiB by default)");
    t.integer("weight_sram.ports", &P::ports, 1, 1, 64)
        .help("ports per bank, each starting one word per access time");
    t.integer("weight_sram.word_bits", &P::word_bits, 32, 32, 32)
        .unit("bits")
        .help("word width (32: fp32 weights; the only width modelled so far)");
    t.integer("weight_sram.detector_cycles", &P::detector_cycles, 1, 0, 1000)
        .unit("cycles")
        .help("latency of the Razor-style fault detector that sign, zero and word-zero presume");
    t.integer("weight_sram.ecc_cycles", &P::ecc_cycles, 1, 0, 1000)
        .unit("cycles")
        .help("latency of the SEC-DED decoder (secded)");
    t.number("weight_sram.vdd_v", &P::vdd_v, 0.9, 0.01, 5.0)
        .unit("V")
        .help("weight SRAM supply voltage (lower it to trade faults for energy)")
        .source("0.9 V: nominal for a 40-45 nm process");
    t.name("weight_sram.mitigation", &P::mitigation, "flip", mitigation_names)
        .help("what a read does with faulty bits (models/mitigation.h)");
    t.include(&P::circuit, SramCircuitParams::table());
    t.include(&P::fault_model, FaultModelParams::table());
    t.choice("fault.unit", &P::fault_unit, "per-bit",
             {{"per-bit", FaultUnit::kPerBit}, {"per-word", FaultUnit::kPerWord}})
        .help(
            "per-bit: each stored bit read fails with probability p; per-word: each word read "
            "gets one failed bit, uniformly placed, with probability p (seed 004's reading)");
    t.boolean("fault.protect_sign", &P::protect_sign, false)
        .help("keep the sign bit fault-free (seed 004 faulted bits 0-30 only)");
    t.boolean("fault.read_faults", &P::transient_upsets, true)
        .help("inject transient upsets on reads; they persist until a refresh");
    t.boolean("fault.weak_cells", &P::weak_cells, false)
        .help(
            "add the static map of weak cells (Vmin above V, fraction p(V)), which fail on "
            "every read and which a refresh cannot cure");
    t.integer("fault.chip_seed", &P::chip_seed, 1, 0, INT64_MAX)
        .help("seed of the weak-cell map: one chip, one map");
    return t;
  }();
  return table;
}

void WeightSramParams::validate() const {
  table().check(*this);
  circuit.validate();
  const std::string threshold = "a voltage above the access-time model's threshold voltage " +
                                volts(circuit.vt_v) + ", where the SRAM can still be read";
  if (!(vdd_v > circuit.vt_v))
    invalid(&WeightSramParams::vdd_v, "weight SRAM supply " + volts(vdd_v), threshold);
  const std::unique_ptr<FaultModel> model = make_fault_model(fault_model);
  if (!model->covers(vdd_v))
    invalid(&WeightSramParams::vdd_v, "weight SRAM supply " + volts(vdd_v),
            "a voltage inside the range of the " + model->describe() + " fault model, " +
                model->range_text());
  for (const VoltageDomain& domain : domains) {
    const std::string subject = "voltage domain at " + volts(domain.vdd_v);
    if (!(domain.vdd_v > circuit.vt_v)) invalid(&WeightSramParams::domains, subject, threshold);
    if (domain.faults && !model->covers(domain.vdd_v))
      invalid(&WeightSramParams::domains, subject,
              "a voltage inside the range of the " + model->describe() + " fault model, " +
                  model->range_text());
  }
}

WeightSram::WeightSram(const sc_core::sc_module_name& name, const WeightSramParams& params)
    : sc_module(name),
      dma_socket("dma_socket"),
      array_socket("array_socket"),
      params_(params),
      mitigation_(make_mitigation(params.mitigation)),
      contents_(std::string(this->name()), params.capacity_bytes, *mitigation_) {
  params.validate();
  access_time_ns_ = sram_access_time_ns(params.circuit, params.vdd_v);
  fault_model_ = make_fault_model(params.fault_model);
  own_ = make_domain(0, contents_.words(), params.vdd_v, true);
  build_domains();

  FaultDraws draws;
  draws.seed = params.seed;
  draws.trial = params.trial;
  draws.chip_seed = params.chip_seed;
  draws.unit = params.fault_unit;
  draws.protect_sign = params.protect_sign;
  std::vector<WeakCellRange> weak;
  const double allowed = stored_bits_per_word() - (params.protect_sign ? 1 : 0);
  for (const Domain& d : domains_) {
    const double expected = d.weak_q * static_cast<double>(d.end - d.first) * allowed;
    if (expected > static_cast<double>(kMaxWeakCells))
      invalid(&WeightSramParams::vdd_v, "weight SRAM supply " + volts(d.vdd),
              "a voltage where the weak cells fit the simulator's map: about " +
                  std::to_string(static_cast<uint64_t>(expected)) + " cells are weak there, " +
                  "more than the " + std::to_string(kMaxWeakCells) +
                  " it maps; the SRAM is unusable");
    weak.push_back({d.first, d.end, d.weak_q});
  }
  injector_ = std::make_unique<FaultInjector>(draws, stored_bits_per_word(), weak);
  stats_.faults.weak_cells = injector_->weak_cells();

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
  if (!(p >= 0.0 && p <= 1.0))
    throw Error("the " + fault_model_->describe() + " fault model gave p outside [0, 1] at " +
                volts(vdd));
  d.upset_p = params_.transient_upsets ? p : 0.0;
  d.weak_q = params_.weak_cells ? p : 0.0;
  const double period_ns = params_.clock_period.to_seconds() * 1e9;
  d.access_cycles = std::max(
      1, static_cast<int>(std::ceil(sram_access_time_ns(params_.circuit, vdd) / period_ns - 1e-9)));
  return d;
}

void WeightSram::build_domains() {
  const uint64_t words = contents_.words();
  std::vector<VoltageDomain> listed = params_.domains;
  std::sort(listed.begin(), listed.end(), [](const VoltageDomain& a, const VoltageDomain& b) {
    return a.first_word < b.first_word;
  });
  uint64_t next = 0;
  for (const VoltageDomain& v : listed) {
    if (v.first_word < next || v.end_word <= v.first_word || v.end_word > words)
      invalid(&WeightSramParams::domains, "voltage domains",
              "disjoint word ranges inside the array");
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

std::vector<DomainReport> WeightSram::domains() const {
  std::vector<DomainReport> reports;
  const double bank_bytes = static_cast<double>(params_.capacity_bytes) / params_.banks;
  for (const Domain& d : domains_) {
    DomainReport r;
    r.first_word = d.first;
    r.end_word = d.end;
    r.vdd_v = d.vdd;
    r.faults = d.faults;
    r.upset_probability = d.upset_p;
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
  return own_.access_cycles + (mitigation_->uses_detector() ? params_.detector_cycles : 0) +
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
  return burst_cycles(own_.access_cycles, words);
}

uint64_t WeightSram::burst_cycles(int access_cycles, uint64_t words) const {
  const uint64_t lanes = static_cast<uint64_t>(params_.banks) * params_.ports;
  const int extra = latency_cycles() - own_.access_cycles;  // detector / decoder
  return static_cast<uint64_t>(access_cycles + extra) +
         static_cast<uint64_t>(access_cycles) * ((words + lanes - 1) / lanes);
}

void WeightSram::b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay) {
  switch (trans.get_command()) {
    case tlm::TLM_IGNORE_COMMAND:
      return on_read_report(trans, delay);
    case tlm::TLM_WRITE_COMMAND:
      return on_write(trans, delay);
    case tlm::TLM_READ_COMMAND:
      return on_read(trans, delay);
  }
  trans.set_response_status(tlm::TLM_COMMAND_ERROR_RESPONSE);
}

// The MAC array's reads of [address, address + length) through DMI.
void WeightSram::on_read_report(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay) {
  const uint64_t address = trans.get_address(), length = trans.get_data_length();
  const uint64_t size = contents_.memory().size();
  WeightReadReport* report = nullptr;
  trans.get_extension(report);
  if (report == nullptr || report->reads_per_pass == 0 || report->field_bits < 1 ||
      report->field_bits > 32) {
    trans.set_response_status(tlm::TLM_GENERIC_ERROR_RESPONSE);
    return;
  }
  if (address > size || length > size - address || address % 4 || length % 4) {
    trans.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
    return;
  }
  const uint64_t words = length / word_bytes();
  Domain& domain = domain_of(address / 4);
  injector_->read(address / 4, words, domain.upset_p, *report, contents_, stats_.faults);
  const uint64_t bursts = uint64_t{report->passes} * report->reads_per_pass;  // one per read
  const uint64_t cycles = burst_cycles(domain.access_cycles, words) * bursts;
  domain.words_read += words * bursts;
  stats_.words_read += words * bursts;
  stats_.read_bursts += bursts;
  stats_.busy_cycles += cycles;
  delay += params_.clock_period * static_cast<double>(cycles);
  trans.set_response_status(tlm::TLM_OK_RESPONSE);
}

// A DMA write: the initial load or a refresh, which also scrubs the faults.
void WeightSram::on_write(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay) {
  const uint64_t address = trans.get_address(), length = trans.get_data_length();
  if (!contents_.memory().validate(trans) || address % 4 || length % 4) {
    if (trans.is_response_ok() || trans.get_response_status() == tlm::TLM_INCOMPLETE_RESPONSE)
      trans.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
    return;
  }
  contents_.write(address, trans.get_data_ptr(), length, injector_->passes_done());
  trans.set_response_status(tlm::TLM_OK_RESPONSE);
  // The MAC array must re-read what it cached of these words.
  array_socket->invalidate_direct_mem_ptr(address, address + length - 1);
  charge_dma(trans, delay);
}

void WeightSram::on_read(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay) {
  if (!contents_.memory().execute(trans)) return;
  charge_dma(trans, delay);
}

void WeightSram::charge_dma(const tlm::tlm_generic_payload& trans, sc_core::sc_time& delay) {
  const uint64_t first = trans.get_address() / 4, words = trans.get_data_length() / word_bytes();
  const uint64_t cycles = burst_cycles(domain_of(first).access_cycles, words);
  for (Domain& d : domains_) {  // a DMA burst may cross domains: count each one's words
    const uint64_t begin = std::max(d.first, first), end = std::min(d.end, first + words);
    if (end > begin) (trans.is_read() ? d.words_read : d.words_written) += end - begin;
  }
  (trans.is_read() ? stats_.words_read : stats_.words_written) += words;
  (trans.is_read() ? stats_.read_bursts : stats_.write_bursts) += 1;
  stats_.busy_cycles += cycles;
  delay += params_.clock_period * static_cast<double>(cycles);
}

bool WeightSram::get_direct_mem_ptr(tlm::tlm_generic_payload& trans, tlm::tlm_dmi& dmi) {
  const sc_core::sc_time one_access = params_.clock_period * static_cast<double>(latency_cycles());
  const bool granted = contents_.memory().grant_dmi(trans, dmi, one_access, one_access);
  dmi.allow_read();  // writes go through b_transport, so faults and refreshes are seen
  return granted;
}

unsigned WeightSram::transport_dbg(tlm::tlm_generic_payload& trans) {
  return contents_.memory().debug(trans);
}

}  // namespace lvsim
