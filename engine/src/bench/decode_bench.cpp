// `egmf bench decode` (egmf/bench/benchmarks.h): every side works on the same clip on one thread; runs are
// interleaved and medians compared within one process run (these machines are noisy).
#include <algorithm>
#include <chrono>
#include <cstdlib>

#include "egmf/app/clip_features.h"
#include "egmf/app/media_file.h"
#include "egmf/bench/bench_support.h"
#include "egmf/bench/benchmarks.h"
#include "features/log_mel.h"
#include "features/prosody.h"

namespace egmf {
namespace {

using Clock = std::chrono::steady_clock;

double millisecondsSince(Clock::time_point start) {
    return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

const char* kFace = "/usr/lib/python3/dist-packages/imageio/resources/images/astronaut.png";

}  // namespace

Result<DecodeBenchReport> benchDecode(const DecodeBenchOptions& options) {
    auto work = bench::WorkDir::create(options.workDir, "egmf-decode");
    if (!work) {
        return work.error();
    }
    const auto& workDir = work->path();
    const auto clip = (workDir / "clip.mp4").string();
    // Moving video (testsrc2) with a real face on it, so detection and the network do real work.
    const auto size = std::to_string(options.width) + "x" + std::to_string(options.height);
    const auto make = "ffmpeg -hide_banner -loglevel error -y -f lavfi -i testsrc2=size=" + size + ":rate=25 -loop 1 -i '" +
                      std::string(kFace) +
                      "' -f lavfi -i sine=frequency=440:sample_rate=44100 "
                      "-filter_complex \"[1]scale=-1:" +
                      std::to_string(options.height * 2 / 3) +
                      "[f];[0][f]overlay=(W-w)/2:(H-h)/3\" "
                      "-t " +
                      std::to_string(options.seconds) + " -c:v libx264 -preset veryfast -pix_fmt yuv420p -c:a aac '" + clip + "'";
    if (std::system(make.c_str()) != 0) {
        return makeError(ErrorCode::Io,
                         "ffmpeg could not make the benchmark clip (scripts/setup.sh installs ffmpeg "
                         "and python3-imageio)");
    }
    // One thread everywhere: FFmpeg's decoder, LibTorch's intra-op pool, OpenCV's.
    at::set_num_threads(1);
    features::setOpenCvThreads(1);
    features::ClipFeatureOptions featureOptions;
    featureOptions.decoderThreads = 1;
    auto extractor = features::ClipFeatureExtractor::create(featureOptions);
    if (!extractor) {
        return extractor.error();
    }
    DecodeBenchReport report;
    report.clipSeconds = options.seconds;
    media::DecodeRequest video;
    video.audio = false;
    video.videoFramesPerSecond = 25.0;  // every frame of the 25 fps clip
    video.decoderThreads = 1;
    int frames = 0;
    video.onFrame = [&frames](const media::VideoFrame&) { ++frames; };  // like -f null: convert, drop
    media::DecodeRequest audio;
    audio.decoderThreads = 1;
    const auto cli = "ffmpeg -hide_banner -loglevel error -threads 1 -filter_threads 1 -i '" + clip + "' -an -pix_fmt rgb24 -f null -";
    std::vector<double> ours, theirs, audioTimes, featureTimes, featureDecode, featureAudio, featureFaces;
    std::vector<double> logMelTimes, prosodyTimes, featureNetwork;
    const features::LogMelSpectrogram logMel;
    for (int run = 0; run <= options.repeats; ++run) {  // run 0 warms up
        frames = 0;
        auto start = Clock::now();
        auto decoded = media::decodeClip(clip, video);
        const double oursMs = millisecondsSince(start);
        if (!decoded) {
            return decoded.error();
        }
        report.frames = frames;
        start = Clock::now();
        if (std::system(cli.c_str()) != 0) {
            return makeError(ErrorCode::Io, "the ffmpeg CLI failed on the benchmark clip");
        }
        const double cliMs = millisecondsSince(start);
        start = Clock::now();
        auto sound = media::decodeClip(clip, audio);
        const double audioMs = millisecondsSince(start);
        if (!sound) {
            return sound.error();
        }
        start = Clock::now();
        auto features = extractor->extract(clip);
        const double featuresMs = millisecondsSince(start);
        if (!features) {
            return features.error();
        }
        // Audio features alone, per second of audio.
        const auto& samples = sound->audio.samples;
        start = Clock::now();
        (void)logMel.compute(at::from_blob(const_cast<float*>(samples.data()), {static_cast<std::int64_t>(samples.size())}));
        const double logMelMs = millisecondsSince(start);
        start = Clock::now();
        (void)features::computeProsody(samples);
        const double prosodyMs = millisecondsSince(start);
        if (run > 0) {
            ours.push_back(oursMs);
            theirs.push_back(cliMs);
            audioTimes.push_back(audioMs);
            featureTimes.push_back(featuresMs);
            featureDecode.push_back(features->decodeMs);
            featureAudio.push_back(features->audioFeaturesMs);
            featureFaces.push_back(features->cropMs);
            featureNetwork.push_back(features->networkMs);
            const double audioSeconds = static_cast<double>(samples.size()) / 16000.0;
            logMelTimes.push_back(logMelMs / audioSeconds);
            prosodyTimes.push_back(prosodyMs / audioSeconds);
        }
        report.faceFrames = static_cast<int>(features->faces.size());
        report.facesFound = static_cast<int>(
            std::count_if(features->faces.begin(), features->faces.end(), [](const auto& face) { return face.crop.faceFound; }));
    }
    report.oursMedianMs = bench::median(ours);
    report.cliMedianMs = bench::median(theirs);
    report.audioMedianMs = bench::median(audioTimes);
    report.featuresMedianMs = bench::median(featureTimes);
    report.featureDecodeMs = bench::median(featureDecode);
    report.featureAudioMs = bench::median(featureAudio);
    report.featureCropMs = bench::median(featureFaces);
    report.featureNetworkMs = bench::median(featureNetwork);
    report.logMelMsPerAudioSecond = bench::median(logMelTimes);
    report.prosodyMsPerAudioSecond = bench::median(prosodyTimes);
    return report;
}

}  // namespace egmf
