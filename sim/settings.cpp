#include "sim/settings.h"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "workloads/common/error.h"

namespace lvsim {

namespace {

// workload.npy_* and the preprocessing overrides workload.input_*.
void declare_npy_and_preprocessing(ParamTable<RunSettings>& t) {
  using S = RunSettings;
  t.path("workload.npy_images", &S::npy_images, "")
      .help(
          "npy: the test images, a .npy of uint8 (0..255) or float32 values shaped as "
          "workload.npy_layout says (or (N, H, W), one channel)");
  t.path("workload.npy_labels", &S::npy_labels, "")
      .help("npy: the labels, a .npy of integers (N,), class indices");
  t.choice("workload.npy_layout", &S::npy_layout, "nchw",
           {{"nchw", NpyLayout::kNchw}, {"nhwc", NpyLayout::kNhwc}})
      .help("npy: the images' layout, (N, C, H, W) as PyTorch keeps them or (N, H, W, C)");
  const auto optional_number = [&t](const std::string& key, double S::*member,
                                    const std::string& what) {
    t.custom<double>(
         key, member, "number", "", "a number, or empty for the network's own",
         [](const std::string& text) -> std::optional<double> {
           if (text.empty()) return std::nan("");
           size_t used = 0;
           try {
             const double value = std::stod(text, &used);
             if (used == text.size() && std::isfinite(value) && std::fabs(value) < 1e30)
               return value;
           } catch (const std::logic_error&) {
           }
           return std::nullopt;
         },
         [](const double& value) { return std::isnan(value) ? std::string() : number_text(value); })
        .help(what +
              "; empty: the network's own (ONNX metadata lvsim.input_*, or the "
              "safetensors metadata)");
  };
  optional_number("workload.input_scale", &S::input_scale,
                  "the input preprocessing: an image value times this (1/255 maps uint8 "
                  "pixels to [0, 1])");
  optional_number("workload.input_mean", &S::input_mean,
                  "... minus this mean, over workload.input_std");
  optional_number("workload.input_std", &S::input_std, "... divided by this standard deviation");
}

}  // namespace

const ParamTable<RunSettings>& RunSettings::table() {
  static const ParamTable<RunSettings> table = [] {
    using S = RunSettings;
    ParamTable<S> t;
    t.path("workload.network", &S::network_path,
           "workloads/networks/safetensors/mnist_cnn.safetensors")
        .help(
            "the network: an ONNX model (.onnx, as torch.onnx.export writes it) or a safetensors "
            "file with the topology in its metadata; relative paths are looked up in the "
            "current directory, then in the lvsim source tree");
    t.choice<std::string>("workload.dataset", &S::dataset, "mnist",
                          {{"mnist", "mnist"}, {"fashion-mnist", "fashion-mnist"}, {"npy", "npy"}})
        .help(
            "test set: mnist or fashion-mnist (IDX files from a data directory), or npy "
            "(workload.npy_images and workload.npy_labels)");
    declare_npy_and_preprocessing(t);
    t.integer("workload.images", &S::images, 10000, 1, 10000)
        .help("test images to run, from the first");
    t.text("workload.data_dir", &S::data_dir, "")
        .help(
            "directory holding the IDX files; empty searches $LVSIM_DATA_DIR, then data/ in "
            "the source tree (and /usr/share/datasets/fashion-mnist for fashion-mnist)");
    t.include(&S::accelerator, AcceleratorParams::table());
    t.include(&S::transforms, TransformParams::table());
    t.integer("weights.calibration_images", &S::calibration_images, 256, 1, 60000)
        .help(
            "int-K: training images (from the start of the train split) that calibrate the "
            "int8 activation scale of each layer, 127 / max|x|");
    t.integer("sim.seed", &S::seed, 1, 0, INT64_MAX).help("random seed of the fault streams");
    t.integer("sim.trials", &S::trials, 1, 1, 100000)
        .help(
            "independent fault streams of the same configuration; curves get 95 % confidence "
            "intervals");
    t.integer("sim.chips", &S::chips, 1, 1, 100000)
        .help(
            "chips of a population, each with its own weak cells (chip k: chip seed "
            "fault.chip_seed + k, reproducible alone) on the same images; trials repeat each "
            "chip's read-to-read streams; the report gives each chip and the yield");
    t.text("report.out_dir", &S::out_dir, "results/latest")
        .help("directory for report.json and curve.csv (a sweep's sweep.db)");
    t.integer("report.window_images", &S::window_images, 100, 1, 10000)
        .help("images per window of the windowed accuracy curve");
    t.number("report.target_drop", &S::target_drop, 0.01, 0.0, 1.0)
        .help(
            "a window misses the target when its accuracy is this far below the fault-free "
            "accuracy of the same window");
    t.number("report.target_yield", &S::target_yield, 0.95, 0.01, 0.999999)
        .help(
            "share of chips that must meet the target: the yield optimize asks of an operating "
            "point, and the probability of a chip without weak cells at the fault-free Vmin");
    return t;
  }();
  return table;
}

void RunSettings::resolve() {
  accelerator.weight_sram.seed = seed;
  transforms.seed = seed;
  accelerator.controller.images = images;
  table().check(*this);
  if (out_dir.empty()) invalid(&RunSettings::out_dir, "report directory", "a directory");
  if (dataset == "npy" && npy_images.empty())
    invalid(&RunSettings::npy_images, "no images",
            "a .npy file of images (workload.dataset = npy)");
  if (dataset == "npy" && npy_labels.empty())
    invalid(&RunSettings::npy_labels, "no labels",
            "a .npy file of labels (workload.dataset = npy)");
  // Another dataset never reads them: refused rather than silently ignored.
  for (std::string RunSettings::*npy_file : {&RunSettings::npy_images, &RunSettings::npy_labels})
    if (dataset != "npy" && !(this->*npy_file).empty())
      invalid(npy_file, "a .npy file for dataset " + dataset,
              "empty unless workload.dataset = npy (it is " + dataset +
                  ", which never reads workload.npy_images or workload.npy_labels)");
  if (!std::isnan(input_std) && !(input_std > 0.0))
    invalid(&RunSettings::input_std, "standard deviation " + number_text(input_std),
            "a number above 0");
  transforms.validate();
  accelerator.validate();
}

const std::vector<ParamInfo>& config_params() {
  static const std::vector<ParamInfo> params = [] {
    // Grouped by section, sections in the order they are first declared.
    std::vector<ParamInfo> all, grouped;
    std::vector<std::string> sections;
    for (const auto& entry : RunSettings::table().entries()) {
      all.push_back(entry.info);
      const std::string section = entry.info.key.substr(0, entry.info.key.find('.'));
      if (std::find(sections.begin(), sections.end(), section) == sections.end())
        sections.push_back(section);
    }
    for (const std::string& section : sections)
      for (const ParamInfo& info : all)
        if (info.key.compare(0, section.size() + 1, section + ".") == 0) grouped.push_back(info);
    return grouped;
  }();
  return params;
}

void in_config_terms(const Config& config, const std::function<void()>& work) {
  try {
    work();
  } catch (const ParameterError& error) {
    const auto* owner = RunSettings::table().owner(error);
    if (owner == nullptr) throw;
    config.fail(owner->info.key, error.expected());
  }
}

RunSettings settings_from(const Config& config) {
  RunSettings settings;
  in_config_terms(config, [&] {
    for (const auto& entry : RunSettings::table().entries()) {
      const std::string& text = config.get(entry.info.key);
      entry.parse(settings, entry.info.type == "path" ? resolve_repo_path(text) : text);
    }
    settings.resolve();
  });
  return settings;
}

namespace {

std::string described(const ParamInfo& param) {
  std::string text = param.help + ".";
  if (!param.allowed.empty()) text += " Allowed: " + param.allowed + ".";
  if (!param.source.empty()) text += " Source: " + param.source + ".";
  return text;
}

// `text` as comment lines of at most `width` characters.
std::string comment(const std::string& text, size_t width) {
  std::string out, line = "#";
  std::istringstream words(text);
  for (std::string word; words >> word;) {
    if (line.size() + 1 + word.size() > width && line != "#") {
      out += line + "\n";
      line = "#";
    }
    line += " " + word;
  }
  return out + line + "\n";
}

}  // namespace

std::string keys_text() {
  std::string out;
  for (const ParamInfo& param : config_params())
    out += param.key + " = " + param.default_text + "\n    " + described(param) + "\n";
  return out;
}

std::string keys_ini() {
  std::string out = comment(
      "lvsim's default configuration: every key with its built-in default, as the models "
      "declare them (the Params tables in models/, sim/settings.cpp). Written by `lvsim keys "
      "--ini`; a test keeps "
      "this file equal to the declarations. Override any key with `lvsim run --set "
      "section.key=value`.",
      88);
  std::string section;
  for (const ParamInfo& param : config_params()) {
    const size_t dot = param.key.find('.');
    if (param.key.substr(0, dot) != section) {
      section = param.key.substr(0, dot);
      out += "\n[" + section + "]\n";
    }
    out += comment(described(param), 88);
    out += param.key.substr(dot + 1) + " =" +
           (param.default_text.empty() ? "" : " " + param.default_text) + "\n";
  }
  return out;
}

std::string keys_markdown() {
  std::string out =
      "| key | default | allowed | meaning (source) |\n"
      "|---|---|---|---|\n";
  for (const ParamInfo& param : config_params()) {
    std::string meaning = param.help + (param.source.empty() ? "" : " (" + param.source + ")");
    std::string allowed = param.allowed;
    for (std::string* cell : {&meaning, &allowed})  // a | would end the cell
      for (size_t at = cell->find('|'); at != std::string::npos; at = cell->find('|', at + 2))
        cell->replace(at, 1, "\\|");
    out += "| `" + param.key + "` | " +
           (param.default_text.empty() ? "(empty)" : "`" + param.default_text + "`") + " | " +
           allowed + " | " + meaning + " |\n";
  }
  return out;
}

}  // namespace lvsim
