// egmf features CLIP --out DIR: what the model would see of one clip, written for inspection:
//   features.safetensors  log_mel [frames, 80 (+2)], embeddings [samples, 256], expression
//                         probabilities and logits [samples, 7], sample_times [samples]
//   faces/NNN_T.TTs.png   each face crop (112 x 112) the network saw
//   expressions.csv       per visual sample: time, face found, box, the 7 probabilities
//   log_mel.png           the log-mel as an image (time left to right, low frequencies at the bottom)
//   summary.json          stream info, counts, timings, warnings
#include <cstdio>
#include <fstream>
#include <memory>
#include <span>

#include <nlohmann/json.hpp>

#include "commands.h"
#include "egmf/app/clip_features.h"
#include "egmf/app/image_files.h"
#include "egmf/app/safetensors.h"

namespace egmf::cli {
namespace {

std::span<const std::byte> bytesOf(const std::vector<float>& values) {
    return std::as_bytes(std::span<const float>(values));
}

}  // namespace

Command addFeaturesCommand(CLI::App& app) {
    auto* command = app.add_subcommand("features", "Extract a clip's audio and face features into a folder for inspection");
    struct Options {
        std::string clip, out;
        double start = 0, end = 0;
        bool prosody = false;
    };
    auto options = std::make_shared<Options>();
    command->add_option("clip", options->clip, "A video or audio file FFmpeg reads")->required();
    command->add_option("--out", options->out, "Folder to write (created)")->required();
    command->add_option("--start", options->start, "Seconds into the clip to start at");
    command->add_option("--end", options->end, "Seconds into the clip to stop at (0: the end)");
    command->add_flag("--prosody", options->prosody, "Append pitch and energy to the log-mel frames");
    return [options]() {
        features::ClipFeatureOptions featureOptions;
        featureOptions.prosody = options->prosody;
        auto extractor = features::ClipFeatureExtractor::create(featureOptions);
        if (!extractor.ok()) {
            std::fprintf(stderr, "error: %s\n", extractor.error().message.c_str());
            return 2;
        }
        auto features = extractor->extract(options->clip, options->start, options->end);
        if (!features.ok()) {
            std::fprintf(stderr, "error: %s\n", features.error().message.c_str());
            return 2;
        }
        const std::filesystem::path out = options->out;
        std::error_code ec;
        std::filesystem::create_directories(out / "faces", ec);
        if (ec) {
            std::fprintf(stderr, "error: %s: cannot create the folder (%s)\n", out.string().c_str(), ec.message().c_str());
            return 2;
        }
        const auto& f = *features;
        std::vector<float> probabilities, logits, times;
        std::ofstream csv(out / "expressions.csv");
        csv << "time_s,face_found,box_x,box_y,box_width,box_height,neutral,happy,sad,angry,fearful,disgusted,surprised\n";
        for (std::size_t i = 0; i < f.faces.size(); ++i) {
            const auto& face = f.faces[i];
            probabilities.insert(probabilities.end(), face.probabilities.begin(), face.probabilities.end());
            logits.insert(logits.end(), face.logits.begin(), face.logits.end());
            times.push_back(static_cast<float>(face.timeSec));
            csv << face.timeSec << ',' << face.crop.faceFound << ',' << face.crop.boxX << ',' << face.crop.boxY << ',' << face.crop.boxWidth
                << ',' << face.crop.boxHeight;
            for (float p : face.probabilities) csv << ',' << p;
            csv << '\n';
            char name[64];
            std::snprintf(name, sizeof name, "%03zu_%.2fs.png", i, face.timeSec);
            if (auto written = features::writeRgbPng(out / "faces" / name, face.crop.rgb, face.crop.size, face.crop.size); !written.ok()) {
                std::fprintf(stderr, "error: %s\n", written.error().message.c_str());
                return 2;
            }
        }
        const auto samples = static_cast<std::int64_t>(f.faces.size());
        std::vector<checkpoint::TensorToWrite> tensors;
        if (!f.audio.empty())
            tensors.push_back({"log_mel", checkpoint::DType::F32, {f.audio.frames, f.audio.dim}, bytesOf(f.audio.values)});
        if (samples > 0) {
            tensors.push_back({"embeddings", checkpoint::DType::F32, {samples, f.visual.dim}, bytesOf(f.visual.values)});
            tensors.push_back({"probabilities", checkpoint::DType::F32, {samples, 7}, bytesOf(probabilities)});
            tensors.push_back({"logits", checkpoint::DType::F32, {samples, 7}, bytesOf(logits)});
            tensors.push_back({"sample_times", checkpoint::DType::F32, {samples}, bytesOf(times)});
        }
        if (auto written = checkpoint::writeSafetensors(out / "features.safetensors", tensors); !written.ok()) {
            std::fprintf(stderr, "error: %s\n", written.error().message.c_str());
            return 2;
        }
        if (!f.audio.empty()) {
            if (auto written = features::writeLogMelPng(out / "log_mel.png", f.audio.values, f.audio.frames, f.audio.dim,
                                                        std::min<std::int64_t>(80, f.audio.dim));
                !written.ok()) {
                std::fprintf(stderr, "error: %s\n", written.error().message.c_str());
                return 2;
            }
        }
        nlohmann::json summary = {
            {"clip", options->clip},
            {"duration_s", f.info.durationSec},
            {"has_audio", f.info.hasAudio},
            {"has_video", f.info.hasVideo},
            {"video",
             {{"width", f.info.width}, {"height", f.info.height}, {"fps", f.info.videoFramesPerSecond}, {"codec", f.info.videoCodec}}},
            {"audio", {{"sample_rate_hz", f.info.audioSampleRateHz}, {"channels", f.info.audioChannels}, {"codec", f.info.audioCodec}}},
            {"log_mel_frames", f.audio.frames},
            {"log_mel_channels", f.audio.dim},
            {"visual_samples", samples},
            {"faces_found", std::count_if(f.faces.begin(), f.faces.end(), [](const auto& face) { return face.crop.faceFound; })},
            {"timings_ms",
             {{"decode", f.decodeMs}, {"log_mel", f.audioFeaturesMs}, {"face_crops", f.cropMs}, {"expression_network", f.networkMs}}},
            {"warnings", f.warnings},
        };
        std::ofstream(out / "summary.json") << summary.dump(2) << '\n';
        std::printf("%s: %lld log-mel frames x %lld, %lld face samples (%d found) -> %s\n", options->clip.c_str(),
                    static_cast<long long>(f.audio.frames), static_cast<long long>(f.audio.dim), static_cast<long long>(samples),
                    static_cast<int>(summary["faces_found"].get<std::int64_t>()), out.string().c_str());
        for (const auto& warning : f.warnings) std::fprintf(stderr, "warning: %s: %s\n", options->clip.c_str(), warning.c_str());
        return 0;
    };
}

}  // namespace egmf::cli
