#include "training_state.h"

#include <fstream>

#include <torch/serialize.h>

#include "egmf/app/trainer.h"
#include "egmf/paths.h"
#include "model/torch_errors.h"
#include "trained_weights.h"

namespace egmf::train {

namespace fs = std::filesystem;
using nlohmann::json;

fs::path lastTrainingState(const fs::path& out) {
    const auto training = out / "training";
    fs::path newest;
    int newestEpoch = -1;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(training, ec)) {
        const auto name = entry.path().filename().string();
        if (name.rfind("state-", 0) != 0 || name.find('.') != std::string::npos || !fs::exists(entry.path() / "state.json")) continue;
        const int epoch = std::atoi(name.c_str() + 6);
        if (epoch > newestEpoch) newestEpoch = epoch, newest = entry.path();
    }
    return newest;
}

Result<void> saveTrainingState(const torch::nn::Module& model, const Manifest& manifest, torch::optim::Optimizer& optimizer,
                               const json& state, const fs::path& training, int epoch) {
    const auto folder = training / ("state-" + std::to_string(epoch));
    const auto partial = fs::path(folder.string() + ".partial");
    std::error_code ec;
    removeTree(partial);  // not fs::remove_all: the pip LibTorch exports a broken one
    fs::create_directories(partial, ec);
    if (auto saved = saveStateWeights(model, manifest, partial / "weights.safetensors"); !saved) return saved.error();
    try {
        torch::save(optimizer, (partial / "optimizer.pt").string());
    } catch (const std::exception& e) {
        return makeError(ErrorCode::Io, (partial / "optimizer.pt").string() + ": " + exceptionText(e) + "; free space and --resume");
    }
    std::ofstream(partial / "state.json") << state.dump(2);
    removeTree(folder);
    fs::rename(partial, folder, ec);
    if (ec) return makeError(ErrorCode::Io, folder.string() + ": cannot write the training state (" + ec.message() + ")");
    std::vector<fs::path> older;
    for (const auto& entry : fs::directory_iterator(training, ec)) {
        if (entry.path() != folder && entry.path().filename().string().rfind("state-", 0) == 0) older.push_back(entry.path());
    }
    for (const auto& path : older) removeTree(path);
    return {};
}

/// A resumed optimizer's moments are read onto the CPU; they follow the parameters.
void moveOptimizerState(torch::optim::AdamW& optimizer, const at::Device& device) {
    if (device.is_cpu()) return;
    for (auto& [key, state] : optimizer.state()) {
        auto& adam = static_cast<torch::optim::AdamWParamState&>(*state);
        adam.exp_avg(adam.exp_avg().to(device));
        adam.exp_avg_sq(adam.exp_avg_sq().to(device));
        if (adam.max_exp_avg_sq().defined()) adam.max_exp_avg_sq(adam.max_exp_avg_sq().to(device));
    }
}

}  // namespace egmf::train
