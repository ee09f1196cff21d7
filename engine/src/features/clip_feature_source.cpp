// makeClipFeatureSource: ClipFeatureExtractor behind the engine's FeatureSource, with an LRU cache
// of finished features keyed by what determines them (clip, its size and time on disk, range,
// feature form).
#include <list>
#include <optional>
#include <sstream>
#include <unordered_map>

#include "egmf/app/clip_features.h"
#include "egmf/feature_source.h"

namespace egmf {
namespace {

namespace fs = std::filesystem;

struct CachedFeatures {
    FeatureSequence audio, visual;
    double durationSec = 0;
    std::vector<std::string> warnings;
    std::size_t bytes() const { return (audio.values.size() + visual.values.size()) * sizeof(float) + 256; }
};

class ClipFeatureSource final : public FeatureSource {
public:
    explicit ClipFeatureSource(ClipFeatureSourceOptions options) : m_options(std::move(options)) {}

    Result<std::vector<std::string>> fill(Utterance& utterance, const Manifest& manifest) override {
        auto extractor = extractorFor(manifest);
        if (!extractor.ok()) return extractor.error();
        const auto key = cacheKey(utterance, **extractor);
        if (auto hit = lookup(key)) {
            utterance.audio = hit->audio;
            utterance.visual = hit->visual;
            if (utterance.durationSec <= 0) utterance.durationSec = hit->durationSec;
            return hit->warnings;
        }
        auto warnings = (*extractor)->fill(utterance, manifest);
        if (!warnings.ok()) return warnings.error();  // failures are not cached: the file may be fixed
        if (!key.empty()) store(key, CachedFeatures{utterance.audio, utterance.visual, utterance.durationSec, *warnings});
        return warnings;
    }

    void setThreads(int threads) override {
        features::setOpenCvThreads(threads);
        m_threads = threads;
    }

private:
    /// The extractor for this manifest's feature form, made again only when the form changes.
    Result<const features::ClipFeatureExtractor*> extractorFor(const Manifest& manifest) {
        features::ClipFeatureOptions base;
        // FFmpeg's frame threads follow the engine's count unless the options fix them.
        base.decoderThreads = m_options.decoderThreads > 0 ? m_options.decoderThreads : m_threads;
        base.faceModelDir = m_options.faceModelDir;
        const auto wanted = features::ClipFeatureExtractor::optionsFor(manifest, base);
        if (!m_extractor || m_extractor->options().prosody != wanted.prosody ||
            m_extractor->options().visualFramesPerSecond != wanted.visualFramesPerSecond ||
            m_extractor->options().decoderThreads != wanted.decoderThreads) {
            auto made = features::ClipFeatureExtractor::create(wanted);
            if (!made.ok()) return made.error();
            m_extractor.emplace(std::move(*made));
        }
        return &*m_extractor;
    }

    /// Empty when the clip cannot be stat'ed (then the extractor reports it and nothing is cached).
    static std::string cacheKey(const Utterance& utterance, const features::ClipFeatureExtractor& extractor) {
        std::error_code ec;
        const fs::path clip(utterance.clipPath);
        const auto size = fs::file_size(clip, ec);
        if (ec) return {};
        const auto time = fs::last_write_time(clip, ec);
        if (ec) return {};
        std::ostringstream key;
        key.precision(17);
        key << utterance.clipPath << '\n'
            << size << '\n'
            << time.time_since_epoch().count() << '\n'
            << utterance.clipStartSec << '\n'
            << utterance.clipEndSec << '\n'
            << extractor.options().prosody << '\n'
            << extractor.options().visualFramesPerSecond;
        return key.str();
    }

    const CachedFeatures* lookup(const std::string& key) {
        if (key.empty()) return nullptr;
        const auto found = m_index.find(key);
        if (found == m_index.end()) return nullptr;
        m_order.splice(m_order.begin(), m_order, found->second);  // most recently used first
        return &found->second->second;
    }

    void store(const std::string& key, CachedFeatures features) {
        const auto bytes = features.bytes();
        if (bytes > m_options.cacheBytes) return;
        m_order.emplace_front(key, std::move(features));
        m_index[key] = m_order.begin();
        m_bytes += bytes;
        while (m_bytes > m_options.cacheBytes) {
            m_bytes -= m_order.back().second.bytes();
            m_index.erase(m_order.back().first);
            m_order.pop_back();
        }
    }

    ClipFeatureSourceOptions m_options;
    std::optional<features::ClipFeatureExtractor> m_extractor;
    std::list<std::pair<std::string, CachedFeatures>> m_order;
    std::unordered_map<std::string, std::list<std::pair<std::string, CachedFeatures>>::iterator> m_index;
    std::size_t m_bytes = 0;
    int m_threads = 1;
};

}  // namespace

std::shared_ptr<FeatureSource> makeClipFeatureSource(ClipFeatureSourceOptions options) {
    return std::make_shared<ClipFeatureSource>(std::move(options));
}

}  // namespace egmf
