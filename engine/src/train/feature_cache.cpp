#include "egmf/app/feature_cache.h"

#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <map>
#include <sstream>

#include "egmf/app/sha256.h"
#include "egmf/paths.h"
#include "loading/weights.h"

namespace egmf::train {
namespace {

namespace fs = std::filesystem;

std::string cacheName(const std::vector<Dialogue*>& dialogues, const Manifest& manifest) {
    std::ostringstream key;
    key.precision(17);
    key << "egmf-features-1\n"
        << manifest.audioFeatureDim << ' ' << manifest.visualFeatureDim << ' ' << manifest.visualFramesPerSecond << '\n';
    for (const auto* dialogue : dialogues) {
        for (const auto& u : dialogue->utterances) {
            std::error_code ec;
            const auto size = u.clipPath.empty() ? 0 : fs::file_size(u.clipPath, ec);
            const auto time = u.clipPath.empty() ? fs::file_time_type{} : fs::last_write_time(u.clipPath, ec);
            key << u.id << '\t' << u.clipPath << '\t' << size << '\t' << time.time_since_epoch().count() << '\t' << u.clipStartSec << '\t'
                << u.clipEndSec << '\n';
        }
    }
    const auto text = key.str();
    return "features-" + sha256Hex({reinterpret_cast<const std::uint8_t*>(text.data()), text.size()}).substr(0, 16) + ".safetensors";
}

at::Tensor toTensor(const FeatureSequence& f) {
    return at::tensor(f.values).reshape({f.frames, f.dim}).clone();
}

FeatureSequence fromTensor(const at::Tensor& t, double fps) {
    FeatureSequence f;
    const auto values = t.contiguous().to(at::kFloat);
    f.frames = values.size(0);
    f.dim = values.size(1);
    f.framesPerSecond = fps;
    f.values.assign(values.data_ptr<float>(), values.data_ptr<float>() + values.numel());
    return f;
}

}  // namespace

fs::path defaultFeatureCacheFolder() {
    return userCacheDir() / "features";
}

Result<FeatureFill> fillDatasetFeatures(std::vector<Dialogue*> dialogues, const Manifest& manifest, FeatureSource* source,
                                        const fs::path& cacheFolder, const std::function<void(int, int)>& progress) {
    FeatureFill fill;
    fill.cacheFile = cacheFolder / cacheName(dialogues, manifest);
    std::map<std::string, at::Tensor> cached;
    if (fs::exists(fill.cacheFile)) {
        auto loaded = loading::loadTensors(fill.cacheFile);
        if (loaded) cached = std::move(*loaded);  // a damaged cache is computed again
    }
    int total = 0, done = 0;
    for (const auto* d : dialogues) total += static_cast<int>(d->utterances.size());
    std::map<std::string, at::Tensor> toSave;
    for (auto* dialogue : dialogues) {
        for (auto& u : dialogue->utterances) {
            const auto audioKey = "audio/" + u.id, visualKey = "visual/" + u.id, lengthKey = "duration/" + u.id;
            if (cached.count(audioKey) && cached.count(visualKey) && cached.count(lengthKey)) {
                u.audio = fromTensor(cached[audioKey], manifest.audioFramesPerSecond);
                u.visual = fromTensor(cached[visualKey], manifest.visualFramesPerSecond);
                u.durationSec = cached[lengthKey].to(at::kDouble).item<double>();
                ++fill.fromCache;
            } else if (!u.clipPath.empty() && source) {
                auto filled = source->fill(u, manifest);
                if (filled) {
                    ++fill.extracted;
                } else {
                    ++fill.failed;
                    u.audio = {}, u.visual = {};
                }
            }
            if (u.audio.frames == 0) u.audio = {{}, 0, manifest.audioFeatureDim, manifest.audioFramesPerSecond};
            if (u.visual.frames == 0) u.visual = {{}, 0, manifest.visualFeatureDim, manifest.visualFramesPerSecond};
            toSave[audioKey] = toTensor(u.audio);
            toSave[visualKey] = toTensor(u.visual);
            toSave[lengthKey] = at::tensor({static_cast<float>(u.durationSec)});
            if (progress) progress(++done, total);
        }
    }
    if (fill.extracted > 0) {
        std::error_code ec;
        fs::create_directories(cacheFolder, ec);
        // Each writer its own partial file, renamed whole: ranks sharing the folder never see half a cache.
        const auto partial = fill.cacheFile.string() + "." + std::to_string(::getpid()) + "." +
                             std::to_string(std::chrono::steady_clock::now().time_since_epoch().count()) + ".partial";
        if (loading::saveTensors(partial, toSave).ok()) fs::rename(partial, fill.cacheFile, ec);
        fs::remove(partial, ec);
    }
    return fill;
}

}  // namespace egmf::train
