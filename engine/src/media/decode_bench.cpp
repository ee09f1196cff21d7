// `egmf bench decode` (egmf/bench.h): both sides decode the same clip on one thread, timed over
// whole runs, medians compared in one process run.
#include <algorithm>
#include <chrono>
#include <cstdlib>

#include "core/bench_support.h"
#include "egmf/bench.h"
#include "media_file.h"

namespace egmf {
namespace {

using Clock = std::chrono::steady_clock;

double millisecondsSince(Clock::time_point start) {
    return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

}  // namespace

Result<DecodeBenchReport> benchDecode(const DecodeBenchOptions& options) {
    auto work = bench::WorkDir::create(options.workDir, "egmf-decode");
    if (!work) {
        return work.error();
    }
    const auto& workDir = work->path();
    const auto clip = (workDir / "clip.mp4").string();
    const auto make = "ffmpeg -hide_banner -loglevel error -y -f lavfi -i testsrc2=size=" +
                      std::to_string(options.width) + "x" + std::to_string(options.height) +
                      ":rate=25 -f lavfi -i sine=frequency=440:sample_rate=44100 -t " +
                      std::to_string(options.seconds) +
                      " -c:v libx264 -preset veryfast -pix_fmt yuv420p -c:a aac '" + clip + "'";
    if (std::system(make.c_str()) != 0) {
        return makeError(ErrorCode::Io, "ffmpeg could not make the benchmark clip (scripts/setup.sh installs it)");
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
    const auto cli = "ffmpeg -hide_banner -loglevel error -threads 1 -filter_threads 1 -i '" + clip +
                     "' -an -pix_fmt rgb24 -f null -";
    std::vector<double> ours, theirs, audioTimes;
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
        if (run > 0) {
            ours.push_back(oursMs);
            theirs.push_back(cliMs);
            audioTimes.push_back(audioMs);
        }
    }
    report.oursMedianMs = bench::median(ours);
    report.cliMedianMs = bench::median(theirs);
    report.audioMedianMs = bench::median(audioTimes);
    return report;
}

}  // namespace egmf
