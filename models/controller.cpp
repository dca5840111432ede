#include "models/controller.h"

#include <algorithm>
#include <cmath>

#include "models/common/ceil_div.h"
#include "models/tlm/burst.h"
#include "models/tlm/streamed_load.h"
#include "models/weight_sram/weight_read_report.h"

namespace lvsim {

const ParamTable<ControllerParams>& ControllerParams::table() {
  static const ParamTable<ControllerParams> table = [] {
    using P = ControllerParams;
    ParamTable<P> t;
    t.integer("refresh.interval_images", &P::refresh_interval_images, 0, 0, INT64_MAX)
        .unit("images")
        .help(
            "reload the golden weights DRAM -> SRAM every this many images, scrubbing the "
            "faults reads left (0: never)");
    t.number("refresh.interval_us", &P::refresh_interval_us, 0.0, 0.0, 1e12)
        .unit("us")
        .help(
            "or reload them once this much simulated time has passed since the last load "
            "ended, at the first image boundary that reaches it (0: by images only; not both)");
    t.integer("dma.burst_bytes", &P::dma_burst_bytes, 4096, 4, 1 << 30)
        .unit("bytes")
        .help("bytes per DMA burst from DRAM to the weight SRAM (a multiple of 4)");
    t.integer("dma.stream_tile_kib", &P::stream_tile_bytes, 64, 1, 1 << 20, 1024)
        .unit("KiB")
        .help(
            "weights that do not fit the weight SRAM stream from DRAM for every batch through "
            "two buffers of this size (double buffering), which the SRAM reserves");
    t.integer("controller.images_per_stage", &P::images_per_stage, 256, 1, 1 << 20)
        .unit("images")
        .help("images the controller stages in the activation buffer per MAC-array invocation");
    return t;
  }();
  return table;
}

void ControllerParams::validate() const {
  table().check(*this);
  if (refresh_interval_images > 0 && refresh_interval_us > 0)
    invalid(&ControllerParams::refresh_interval_us,
            "refresh every " + std::to_string(refresh_interval_images) + " images and every " +
                std::to_string(refresh_interval_us) + " us",
            "one of refresh.interval_images and refresh.interval_us (the other 0)");
  if (dma_burst_bytes % kWordBytes)
    invalid(&ControllerParams::dma_burst_bytes,
            "DMA burst of " + std::to_string(dma_burst_bytes) + " bytes", "a multiple of 4");
}

namespace {

uint64_t input_stage_bytes(const ControllerParams& params, const Network& network) {
  return network.input.size() * sizeof(float) * static_cast<uint64_t>(params.images_per_stage);
}

}  // namespace

uint64_t Controller::activation_bytes_needed(const ControllerParams& params,
                                             const Network& network) {
  return input_stage_bytes(params, network) +
         static_cast<uint64_t>(network.classes()) * sizeof(float) * params.images_per_stage;
}

Controller::Controller(const sc_core::sc_module_name& name, const ControllerParams& params,
                       const Network& network, const Dataset& dataset, const WeightLayout& layout,
                       MacArray& mac_array, Progress progress)
    : sc_module(name),
      dram_socket("dram_socket"),
      sram_socket("sram_socket"),
      activation_socket("activation_socket"),
      params_(params),
      network_(network),
      dataset_(dataset),
      layout_(layout),
      mac_array_(mac_array),
      progress_(std::move(progress)) {
  params.validate();
  if (params.images > dataset.size())
    throw Error(std::to_string(params.images) + " images requested but the " + dataset.name +
                " test set holds " + std::to_string(dataset.size()));
  logits_address_ = input_stage_bytes(params, network);
  dma_buffer_.resize(params.dma_burst_bytes);
  // The resident layers' bytes, adjacent ones merged: all of them, one range,
  // when nothing is streamed.
  uint64_t start = 0;
  for (size_t i = 0; i <= layout.regions.size(); ++i) {
    const bool stream = i < layout.regions.size() &&
                        std::find(params.streamed_regions.begin(), params.streamed_regions.end(),
                                  i) != params.streamed_regions.end();
    const uint64_t begin = i == 0 ? 0 : layout.regions[i - 1].end_address;
    if (i == layout.regions.size() || stream) {
      if (begin > start) resident_ranges_.emplace_back(start, begin);
      if (i < layout.regions.size()) start = layout.regions[i].end_address;
    }
  }
  SC_THREAD(run);
  // The MAC array's GEMMs run on this thread's stack.
  set_stack_size(64 << 20);
}

void Controller::transfer(tlm_utils::simple_initiator_socket<Controller>& socket,
                          tlm::tlm_command command, uint64_t address, unsigned char* data,
                          uint64_t bytes) {
  sc_core::sc_time delay = quantum_keeper_.get_local_time();
  Burst(command, address, data, bytes).send_or_throw(socket, delay, name());
  advance_to(delay);
}

void Controller::advance_to(const sc_core::sc_time& local_time) {
  quantum_keeper_.set(local_time);
  if (quantum_keeper_.need_sync()) quantum_keeper_.sync();
}

sc_core::sc_time Controller::load_weights() {
  const sc_core::sc_time start = quantum_keeper_.get_current_time();
  for (const auto& [first, end] : resident_ranges_) {
    for (uint64_t address = first; address < end; address += params_.dma_burst_bytes) {
      const uint64_t bytes = std::min(params_.dma_burst_bytes, end - address);
      transfer(dram_socket, tlm::TLM_READ_COMMAND, address, dma_buffer_.data(), bytes);
      transfer(sram_socket, tlm::TLM_WRITE_COMMAND, address, dma_buffer_.data(), bytes);
      stats_.dma_bytes += bytes;
      stats_.dma_bursts += 1;
    }
  }
  stats_.weight_loads += 1;
  return quantum_keeper_.get_current_time() - start;
}

// The DMA engine runs beside the array: its time goes to the schedule, not to
// the controller's clock; the MAC array decides how much of it the array waits.
void Controller::stream_weights(uint64_t batches, StreamSchedule& schedule) {
  schedule.cycles_per_batch.assign(layout_.regions.size(), 0.0);
  schedule.tiles.assign(layout_.regions.size(), 0);
  StreamedLoad stream;
  stream.loads = static_cast<uint32_t>(batches);
  const double period_ns = mac_array_.clock_period().to_seconds() * 1e9;
  for (size_t index : params_.streamed_regions) {
    const WeightRegion& region = layout_.regions[index];
    const uint64_t first = region.weight_address, end = region.end_address;
    sc_core::sc_time dma_time = sc_core::SC_ZERO_TIME;
    for (uint64_t address = first; address < end; address += params_.dma_burst_bytes) {
      const uint64_t bytes = std::min(params_.dma_burst_bytes, end - address);
      stream.opens_load = index == params_.streamed_regions.front() && address == first;
      for (auto [socket, command] : {std::pair{&dram_socket, tlm::TLM_READ_COMMAND},
                                     std::pair{&sram_socket, tlm::TLM_WRITE_COMMAND}})
        Burst(command, address, dma_buffer_.data(), bytes)
            .carrying(stream)
            .send_or_throw(*socket, dma_time, name());
      stats_.dma_bytes += bytes * batches;
      stats_.stream_bytes += bytes * batches;
      stats_.dma_bursts += batches;
    }
    schedule.cycles_per_batch[index] =
        dma_time.to_seconds() * 1e9 / period_ns / static_cast<double>(batches);
    schedule.tiles[index] = ceil_div(end - first, params_.stream_tile_bytes);
  }
  stats_.stream_loads += batches;
}

sc_core::sc_time Controller::self_test() {
  const sc_core::sc_time start = quantum_keeper_.get_current_time();
  SelfTestRequest request;
  sc_core::sc_time delay = quantum_keeper_.get_local_time();
  Burst(tlm::TLM_IGNORE_COMMAND, 0, nullptr, 0)
      .carrying(request)
      .send_or_throw(sram_socket, delay, name());
  advance_to(delay);
  return quantum_keeper_.get_current_time() - start;
}

void Controller::run_stage(size_t first_image, int count) {
  const size_t pixels = dataset_.image_size();
  const size_t classes = static_cast<size_t>(network_.classes());
  stage_inputs_.resize(pixels * count);
  // The dataset's images are HWC, as the network takes them.
  for (int i = 0; i < count; ++i) {
    float* image = stage_inputs_.data() + i * pixels;
    dataset_.raw_image(first_image + i, image);
    for (size_t p = 0; p < pixels; ++p) image[p] = network_.normalize(image[p]);
  }
  transfer(activation_socket, tlm::TLM_WRITE_COMMAND, 0,
           reinterpret_cast<unsigned char*>(stage_inputs_.data()), pixels * sizeof(float) * count);

  StreamSchedule schedule;
  if (!params_.streamed_regions.empty())
    stream_weights(ceil_div(static_cast<uint64_t>(count), params_.batch), schedule);
  sc_core::sc_time delay = quantum_keeper_.get_local_time();
  mac_array_.infer(0, logits_address_, count, delay, schedule);
  advance_to(delay);

  float* stage_logits = logits_.data() + first_image * classes;
  transfer(activation_socket, tlm::TLM_READ_COMMAND, logits_address_,
           reinterpret_cast<unsigned char*>(stage_logits), classes * sizeof(float) * count);
  for (int i = 0; i < count; ++i) {
    const float* row = stage_logits + i * classes;
    const auto predicted = static_cast<uint8_t>(std::max_element(row, row + classes) - row);
    predictions_[first_image + i] = predicted;
    stats_.correct += predicted == dataset_.labels[first_image + i];
  }
  stats_.images += static_cast<uint64_t>(count);
}

void Controller::refresh() {
  const uint64_t bytes_before = stats_.dma_bytes;
  stats_.refreshed_images = stats_.images;
  // The images' time since the first load, refreshes left out.
  stats_.refreshed_time = quantum_keeper_.get_current_time() - images_since_ - stats_.refresh_time;
  stats_.refresh_time += load_weights();
  stats_.refreshes += 1;
  stats_.refresh_bytes += stats_.dma_bytes - bytes_before;
  since_refresh_ = 0;
  fresh_since_ = quantum_keeper_.get_current_time();
}

size_t Controller::next_stage_images(size_t remaining) const {
  size_t count = std::min<size_t>(static_cast<size_t>(params_.images_per_stage), remaining);
  const uint64_t interval = params_.refresh_interval_images;
  if (interval > 0) return std::min<size_t>(count, interval - since_refresh_);
  if (params_.refresh_interval_us <= 0) return count;
  // By time: as many images as the last stage's time per image says reach the
  // deadline, in whole batches; one batch first, to learn that time.
  const auto batch = static_cast<size_t>(params_.batch);
  if (last_stage_per_image_ == sc_core::SC_ZERO_TIME) return std::min(count, batch);
  const double left_ns = params_.refresh_interval_us * 1e3 -
                         (quantum_keeper_.get_current_time() - fresh_since_).to_seconds() * 1e9;
  const double per_image_ns = last_stage_per_image_.to_seconds() * 1e9;
  const auto needed = static_cast<size_t>(std::max(1.0, std::ceil(left_ns / per_image_ns)));
  return std::min(count, round_up(needed, batch));
}

void Controller::run() {
  try {
    const size_t images = params_.images;
    predictions_.assign(images, 0);
    logits_.assign(images * static_cast<size_t>(network_.classes()), 0.0f);
    stats_.self_test_time = self_test();
    stats_.load_time = load_weights();
    const sc_core::sc_time start = quantum_keeper_.get_current_time();
    fresh_since_ = start;
    images_since_ = start;
    const sc_core::sc_time interval_time(params_.refresh_interval_us, sc_core::SC_US);
    for (size_t first = 0; first < images;) {
      const bool due = params_.refresh_interval_images > 0
                           ? since_refresh_ == params_.refresh_interval_images
                           : params_.refresh_interval_us > 0 && since_refresh_ > 0 &&
                                 quantum_keeper_.get_current_time() - fresh_since_ >= interval_time;
      if (due) refresh();
      const size_t count = next_stage_images(images - first);
      const sc_core::sc_time stage_start = quantum_keeper_.get_current_time();
      run_stage(first, static_cast<int>(count));
      last_stage_per_image_ =
          (quantum_keeper_.get_current_time() - stage_start) / static_cast<double>(count);
      first += count;
      since_refresh_ += count;
      if (progress_) progress_(first);
    }
    // Refresh time is part of the image stream's time.
    stats_.inference_time = quantum_keeper_.get_current_time() - start;
    quantum_keeper_.sync();
  } catch (...) {
    error_ = std::current_exception();
    sc_core::sc_stop();
  }
}

}  // namespace lvsim
