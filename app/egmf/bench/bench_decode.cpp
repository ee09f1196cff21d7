// egmf bench decode: our FFmpeg decoding against the ffmpeg CLI (egmf/bench/benchmarks.h).
#include <cstdio>
#include <memory>

#include "commands.h"
#include "egmf/bench/benchmarks.h"

namespace egmf::cli {

Command addDecodeBench(CLI::App& bench) {
    auto* decode =
        bench.add_subcommand("decode", "Decoding and clip features against the ffmpeg CLI on a clip made by ffmpeg, one thread each");
    auto decodeOptions = std::make_shared<DecodeBenchOptions>();
    decode->add_option("--width", decodeOptions->width)->capture_default_str();
    decode->add_option("--height", decodeOptions->height)->capture_default_str();
    decode->add_option("--seconds", decodeOptions->seconds)->capture_default_str();
    decode->add_option("--repeats", decodeOptions->repeats)->check(CLI::Range(1, 100))->capture_default_str();
    return [decodeOptions]() {
        auto report = benchDecode(*decodeOptions);
        if (!report) {
            std::fprintf(stderr, "error: %s\n", report.error().message.c_str());
            return 2;
        }
        const auto& r = *report;
        std::printf("egmf bench decode: %dx%d, %.1f s at 25 fps (%d frames), %d timed runs, one thread each\n\n", decodeOptions->width,
                    decodeOptions->height, r.clipSeconds, r.frames, decodeOptions->repeats);
        std::printf("%-34s %10s %8s\n", "", "median ms", "fps");
        std::printf("%-34s %10.1f %8.1f\n", "ours: decode + RGB, every frame", r.oursMedianMs, r.frames * 1000.0 / r.oursMedianMs);
        std::printf("%-34s %10.1f %8.1f\n", "ffmpeg -pix_fmt rgb24 -f null -", r.cliMedianMs, r.frames * 1000.0 / r.cliMedianMs);
        std::printf("\nratio ours / CLI: %.2fx (goal <= 1.2x)\n", r.oursMedianMs / r.cliMedianMs);
        std::printf("audio to 16 kHz mono: %.1f ms for %.1f s (%.0fx real time)\n", r.audioMedianMs, r.clipSeconds,
                    r.clipSeconds * 1000.0 / r.audioMedianMs);
        std::printf(
            "\nfeatures (decode + log-mel + %d faces at 4 fps, %d found): %.1f ms median = %.2fx the CLI "
            "(goal <= 1.2x)\n",
            r.faceFrames, r.facesFound, r.featuresMedianMs, r.featuresMedianMs / r.cliMedianMs);
        std::printf("  parts: decode %.1f ms, log-mel %.1f ms, face detection + crops %.1f ms, expression network %.1f ms\n",
                    r.featureDecodeMs, r.featureAudioMs, r.featureCropMs, r.featureNetworkMs);
        std::printf("audio features per second of audio: log-mel %.2f ms (%.0fx real time), prosody %.2f ms (%.0fx)\n",
                    r.logMelMsPerAudioSecond, 1000.0 / r.logMelMsPerAudioSecond, r.prosodyMsPerAudioSecond,
                    1000.0 / r.prosodyMsPerAudioSecond);
        return 0;
    };
}

}  // namespace egmf::cli
