#include "egmf/app/clip_features.h"

#include <algorithm>
#include <chrono>
#include <optional>

#include "face_expression.h"
#include "log_mel.h"
#include "prosody.h"

namespace egmf::features {
namespace {

using Clock = std::chrono::steady_clock;

double msSince(Clock::time_point start) {
    return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

}  // namespace

struct ClipFeatureExtractor::Models {
    FaceCropper cropper;
    FaceExpressionNet expressions;
    LogMelSpectrogram logMel;
};

ClipFeatureExtractor::ClipFeatureExtractor(ClipFeatureOptions options, std::unique_ptr<Models> models)
    : m_options(std::move(options)), m_models(std::move(models)) {}
ClipFeatureExtractor::ClipFeatureExtractor(ClipFeatureExtractor&&) noexcept = default;
ClipFeatureExtractor& ClipFeatureExtractor::operator=(ClipFeatureExtractor&&) noexcept = default;
ClipFeatureExtractor::~ClipFeatureExtractor() = default;

Result<ClipFeatureExtractor> ClipFeatureExtractor::create(const ClipFeatureOptions& options) {
    if (options.visualFramesPerSecond <= 0 || options.detectionWidth < 112) {
        return makeError(ErrorCode::InvalidArgument,
                         "clip features: the visual rate must be positive and the "
                         "detection width at least 112 pixels");
    }
    auto cropper = FaceCropper::create();
    if (!cropper.ok()) return cropper.error();
    auto net = FaceExpressionNet::load(options.faceModelDir);
    if (!net.ok()) return net.error();
    auto models = std::unique_ptr<Models>(new Models{std::move(*cropper), std::move(*net), LogMelSpectrogram()});
    return ClipFeatureExtractor(options, std::move(models));
}

Result<ClipFeatures> ClipFeatureExtractor::extract(const std::filesystem::path& clip, double startSec, double endSec) const {
    ClipFeatures features;
    // Frames are cropped as they arrive (the decoder reuses the frame buffer), batched afterwards.
    std::vector<FaceObservation> faces;
    media::DecodeRequest request;
    request.videoFramesPerSecond = m_options.visualFramesPerSecond;
    request.maxFrameWidth = m_options.detectionWidth;
    request.decoderThreads = m_options.decoderThreads;
    request.startSec = startSec;
    request.endSec = endSec;
    double cropMs = 0.0;
    std::optional<Error> cropError;
    request.onFrame = [&](const media::VideoFrame& frame) {
        if (cropError) return;
        const auto start = Clock::now();
        FaceObservation face;
        face.timeSec = frame.timeSec;
        // Near the last face, but the whole frame every 2 s, so a new face is not missed for long.
        const auto every = static_cast<std::size_t>(std::max(1.0, 2.0 * m_options.visualFramesPerSecond));
        const bool wholeFrame = faces.empty() || faces.size() % every == 0;
        auto crop = m_models->cropper.crop(frame.pixels, frame.width, frame.height, wholeFrame ? nullptr : &faces.back().crop);
        if (!crop) {
            cropError = makeError(ErrorCode::Internal, clip.string() + ": " + crop.error().message);
            return;
        }
        face.crop = std::move(*crop);
        faces.push_back(std::move(face));
        cropMs += msSince(start);
    };
    const auto decodeStart = Clock::now();
    media::MediaLimits limits;
    limits.maxDecodedSeconds = m_options.maxClipSeconds;
    auto decoded = media::decodeClip(clip, request, limits);
    if (!decoded.ok()) return decoded.error();
    if (cropError) return *cropError;
    features.decodeMs = msSince(decodeStart) - cropMs;
    features.info = decoded->info;
    features.warnings = decoded->warnings;

    const auto audioStart = Clock::now();
    const auto& samples = decoded->audio.samples;
    if (!samples.empty()) {
        const auto mel =
            m_models->logMel
                .compute(at::from_blob(const_cast<float*>(samples.data()), {static_cast<std::int64_t>(samples.size())}, at::kFloat))
                .contiguous();
        std::vector<float> rows(mel.data_ptr<float>(), mel.data_ptr<float>() + mel.numel());
        std::int64_t dim = mel.size(1);
        if (m_options.prosody && mel.size(0) > 0) {
            rows = appendProsody(rows, dim, computeProsody(samples));
            dim += 2;
        }
        features.audio = {std::move(rows), mel.size(0), dim, 16000.0 / 160.0};
    }
    features.audioFeaturesMs = msSince(audioStart);

    const auto faceStart = Clock::now();
    if (!faces.empty()) {
        std::vector<std::uint8_t> batch;
        batch.reserve(faces.size() * 112 * 112 * 3);
        for (const auto& face : faces) batch.insert(batch.end(), face.crop.rgb.begin(), face.crop.rgb.end());
        const auto count = static_cast<std::int64_t>(faces.size());
        const auto out =
            m_models->expressions.forward(at::from_blob(batch.data(), {count, kExpressionInputSize, kExpressionInputSize, 3}, at::kByte));
        const auto logits = out.logits.contiguous(), probabilities = out.probabilities.contiguous();
        const auto embedding = out.embedding.contiguous();
        const auto logitRows = logits.accessor<float, 2>();
        const auto probabilityRows = probabilities.accessor<float, 2>();
        for (std::int64_t i = 0; i < count; ++i) {
            for (int c = 0; c < 7; ++c) {
                faces[i].logits[c] = logitRows[i][c];
                faces[i].probabilities[c] = probabilityRows[i][c];
            }
        }
        features.visual = {std::vector<float>(embedding.data_ptr<float>(), embedding.data_ptr<float>() + embedding.numel()), count,
                           kExpressionEmbeddingSize, m_options.visualFramesPerSecond};
    }
    features.faces = std::move(faces);
    features.networkMs = msSince(faceStart);
    features.cropMs = cropMs;
    return features;
}

ClipFeatureOptions ClipFeatureExtractor::optionsFor(const Manifest& manifest, ClipFeatureOptions base) {
    base.prosody = manifest.audioFeatureDim == 82;
    base.visualFramesPerSecond = manifest.visualFramesPerSecond;
    return base;
}

Result<std::vector<std::string>> ClipFeatureExtractor::fill(Utterance& utterance, const Manifest& manifest) const {
    const auto source = utterance.clipPath.empty() ? utterance.id : utterance.clipPath;
    if (utterance.clipPath.empty()) {
        return makeError(ErrorCode::InvalidArgument, source + ": the utterance has no clip to take features from");
    }
    const std::int64_t melBins = 80;
    const bool wantsProsody = manifest.audioFeatureDim == melBins + 2;
    if (manifest.audioFeatureDim != melBins && !wantsProsody) {
        return makeError(ErrorCode::Mismatch, source + ": the checkpoint expects " + std::to_string(manifest.audioFeatureDim) +
                                                  " audio channels; clip features give 80 (log-mel) or 82 (+ prosody)");
    }
    if (manifest.visualFeatureDim != kExpressionEmbeddingSize) {
        return makeError(ErrorCode::Mismatch, source + ": the checkpoint expects " + std::to_string(manifest.visualFeatureDim) +
                                                  "-d visual features; clip features give face-api's 256-d embedding");
    }
    if (wantsProsody != m_options.prosody || manifest.visualFramesPerSecond != m_options.visualFramesPerSecond) {
        return makeError(ErrorCode::InvalidArgument, source +
                                                         ": the feature extractor was not made for this checkpoint "
                                                         "(create it with ClipFeatureExtractor::optionsFor(manifest))");
    }
    auto features = extract(utterance.clipPath, utterance.clipStartSec, utterance.clipEndSec);
    if (!features.ok()) return features.error();
    utterance.audio = std::move(features->audio);
    utterance.visual = std::move(features->visual);
    if (utterance.durationSec <= 0) {
        const double end = utterance.clipEndSec > 0 ? utterance.clipEndSec : features->info.durationSec;
        utterance.durationSec = std::max(0.0, end - utterance.clipStartSec);
    }
    return features->warnings;
}

}  // namespace egmf::features
